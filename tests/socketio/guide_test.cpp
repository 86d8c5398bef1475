// The code of docs/guide.md. First the rooms_by_code example
// (apps/examples/rooms_by_code) driven by in-process clients; then every
// other snippet the guide quotes, each run by a test; last, a check that each
// C++ block of the guide is still, verbatim, in the file it names.

#include "lobby.hpp"
#include "server_fixture.hpp"

#include <corio/codegen/asyncapi.hpp>
#include <corio/codegen/typescript.hpp>
#include <corio/contract.hpp>
#include <corio/contract_export.hpp>
#include <corio/dsl.hpp>
#include <corio/log.hpp>
#include <corio/typed_nsp.hpp>

#include <boost/describe/class.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value_to.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <latch>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace corio_test;

namespace guide_test {

// --- Registering handlers -------------------------------------------------

// A named function: CORIO_HANDLER registers it under its own name.
std::vector<std::string> my_rooms(corio::context& ctx)
{
    return ctx.rooms();
}

// A class-based namespace: one object, its member functions as handlers.
// They run for many sockets at once, so shared members need their own
// synchronisation.
class chat_room {
public:
    std::size_t say(corio::context& ctx, std::string text)
    {
        ctx.broadcast().include_self().emit("said", ctx.id(), text);
        return ++messages_;
    }
    std::size_t messages(corio::context&) const { return messages_; }

    static inline const auto handlers =
        std::tuple{corio::member("say", &chat_room::say), corio::member("messages", &chat_room::messages)};

private:
    std::atomic<std::size_t> messages_ = 0;
};

// --- Emitting ---------------------------------------------------------------

void setup_emits(corio::nsp ns)
{
    ns.on("join", [](corio::context& ctx, std::string room) { ctx.join(std::move(room)); });
    ns.on("echo", [](corio::context& ctx, std::string text) {
        ctx.emit("echo", text); // the sender only
    });
    ns.on("to_room", [](corio::context& ctx, std::string room, std::string text) {
        ctx.to(room).emit("said", text); // the room, the sender left out
    });
    ns.on("to_room_and_me", [](corio::context& ctx, std::string room, std::string text) {
        ctx.to(room).include_self().emit("said", text); // the room, the sender too
    });
    ns.on("to_others", [](corio::context& ctx, std::string text) {
        ctx.broadcast().emit("said", text); // every other socket of the namespace
    });
    ns.on("to_all", [](corio::context& ctx, std::string text) {
        ctx.broadcast().include_self().emit("said", text); // every socket of the namespace
    });
    ns.on("to_room_but", [](corio::context& ctx, std::string room, std::string sid, std::string text) {
        ctx.to(room).include_self().skip(sid).emit("said", text); // skip_sid
    });
    ns.on("to_rooms_except", [](corio::context& ctx, std::string text) {
        ctx.to("red").to("blue").except("muted").emit("said", text); // red or blue, not muted
    });
    ns.on("position", [](corio::context& ctx, int x, int y) {
        ctx.broadcast().volatile_().emit("position", ctx.id(), x, y); // may be dropped
    });
}

// --- Connecting --------------------------------------------------------------

struct credentials {
    std::string token;
};
BOOST_DESCRIBE_STRUCT(credentials, (), (token))

void setup_private(corio::server& io)
{
    // No auth, or auth without exactly a string "token": refused with
    // {"message":"invalid auth"} before this runs.
    io.of("/private").on_connect([](corio::context& ctx, credentials auth) {
        if (auth.token != "open sesame")
            return corio::refuse("bad token"); // connect_error: {"message":"bad token"}
        ctx.emit("welcome", "you are in");     // arrives right after the CONNECT answer
        return corio::accept();
    });
}

void setup_middlewares(corio::server& io)
{
    // Every namespace, first: false refuses with {"message":"unauthorized"}.
    io.use([](corio::context& ctx) { return ctx.handshake().address() != "203.0.113.7"; });
    // "/admin" only, after the server's middlewares, before its connect handler.
    io.of("/admin").use([](corio::context& ctx) {
        if (ctx.handshake().header("x-admin-key") != "k3y")
            return corio::refuse_with(json::object{{"message", "forbidden"}, {"data", {{"need", "x-admin-key"}}}});
        return corio::accept();
    });
}

// --- The handshake -----------------------------------------------------------

void setup_whoami(corio::nsp ns)
{
    ns.on("whoami", [](corio::context& ctx) {
        const corio::handshake& hs = ctx.handshake();
        return json::object{
            {"sid", ctx.id()},                                // request.sid
            {"namespace", ctx.nsp()},                         // request.namespace
            {"event", ctx.event()},                           // request.event["message"]
            {"lang", hs.query("lang").value_or("en")},        // request.args
            {"agent", hs.header("user-agent").value_or("?")}, // request.headers (lower case)
            {"theme", hs.cookie("theme").value_or("light")},  // request.cookies
            {"address", hs.address()},                        // request.remote_addr
            {"auth", hs.auth},                                // the connect handler's auth
        };
    });
}

// --- Hooks ----------------------------------------------------------------------

/// A log that handlers on several threads may write to.
class event_log {
public:
    void add(std::string line)
    {
        std::lock_guard lock(mutex_);
        lines_.push_back(std::move(line));
    }
    std::vector<std::string> lines() const
    {
        std::lock_guard lock(mutex_);
        return lines_;
    }

private:
    mutable std::mutex mutex_;
    std::vector<std::string> lines_;
};

void setup_hooks(corio::nsp ns, std::shared_ptr<event_log> log)
{
    ns.on("move", [](corio::context& ctx, int column) { ctx.emit("moved", column); });
    // Every incoming event, before its handler (Node's onAny).
    ns.on_any([log](corio::context& ctx, corio::arguments) { log->add("in: " + ctx.event()); });
    // Events without a handler (Flask-SocketIO's '*'); it may answer the ack.
    ns.on_fallback([](corio::context& ctx, corio::arguments) {
        return json::object{{"error", "unknown event " + ctx.event()}};
    });
    // Every event the server sends a socket of this namespace (Node's onAnyOutgoing).
    ns.on_any_outgoing([log](const corio::socket_ref&, std::string_view event, const corio::arguments&) {
        log->add("out: " + std::string(event));
    });
}

void setup_error_hook(corio::nsp ns)
{
    ns.on("divide", [](corio::context&, int a, int b) {
        if (b == 0)
            throw std::domain_error("division by zero");
        return a / b;
    });
    // A handler threw: answer the ack the handler did not send, or tell the
    // client some other way. The socket stays connected.
    ns.on_error([](corio::context& ctx, std::exception_ptr e) {
        std::string what = "internal error";
        try {
            std::rethrow_exception(e);
        } catch (const std::domain_error& ex) {
            what = ex.what();
        } catch (...) {
        }
        if (ctx.wants_ack())
            ctx.ack(json::object{{"error", what}});
        else
            ctx.emit("server_error", ctx.event(), what);
    });
}

// --- Outside handlers --------------------------------------------------------

// Flask-SocketIO's socketio.start_background_task + socketio.sleep.
void start_clock(corio::server& io, std::chrono::milliseconds period)
{
    io.spawn([&io, period]() -> net::awaitable<void> {
        for (int tick = 1;; ++tick) {
            co_await corio::sleep(period); // cancelled at shutdown
            io.to("clock").emit("tick", tick);
        }
    });
}

// Asks every socket in `room` whether it is ready: how many said yes, or
// nothing when one of them did not answer within a second.
net::awaitable<std::optional<std::size_t>> count_ready(corio::server& io, std::string room)
{
    auto answers = co_await io.of("/").to(room).emit_with_ack(1s, "ready?");
    if (!answers)
        co_return std::nullopt; // corio::error::ack_timeout
    co_return std::count_if(answers->begin(), answers->end(),
                            [](const corio::arguments& a) { return !a.empty() && a.values()[0] == true; });
}

// --- Options -----------------------------------------------------------------------

corio::server_options flask_like_options()
{
    corio::server_options o;
    o.engine.cors.allowed_origins = {"https://game.example"};   // cors_allowed_origins
    o.engine.cors.credentials = true;                           // cors_credentials
    o.engine.ping_interval = 25s;                               // ping_interval
    o.engine.ping_timeout = 20s;                                // ping_timeout
    o.engine.limits.max_payload = 1'000'000;                    // max_http_buffer_size
    o.engine.allow_polling = false;                             // transports=['websocket']
    o.engine.path = "/socket.io/";                              // path
    o.ack_timeout = 60s;                                        // call(timeout=60)
    o.log = corio::logger(corio::text_sink(std::clog), corio::log_level::info); // logger
    return o;
}

// --- Compression -------------------------------------------------------------

corio::server_options compressed_options()
{
    corio::server_options o;
    o.engine.compression.enabled = true;   // permessage-deflate, for clients that offer it
    o.engine.compression.threshold = 1024; // smaller packets go out as they are
    return o;
}

void setup_compressed_emits(corio::nsp ns)
{
    ns.on("scores", [](corio::context& ctx, std::string json) {
        ctx.broadcast().include_self().emit("scores", json); // compressed once, for everyone
    });
    ns.on("photo", [](corio::context& ctx, std::string jpeg_base64) {
        ctx.broadcast().compress(false).emit("photo", jpeg_base64); // JPEG does not compress
    });
}

// --- Engine.IO v3 clients ------------------------------------------------------

corio::server_options eio3_options()
{
    corio::server_options o;
    o.engine.allow_eio3 = true; // socket.io-client 2.x too, as Node's allowEIO3
    return o;
}

void setup_eio3_aware(corio::nsp ns)
{
    ns.use([](corio::context& ctx) {
        // A 2.x client's auth is the namespace's query: io("/admin", {query: {token}}).
        const auto* token = ctx.handshake().auth.if_contains("token");
        return token && token->is_string() && token->get_string() == "secret";
    });
}

// --- Connection state recovery -----------------------------------------------

corio::server_options recovering_options()
{
    corio::server_options o;
    o.recovery.enabled = true;
    o.recovery.max_disconnection_duration = 2min; // how long a lost client may take to come back
    o.recovery.max_packets = 50'000;              // events kept per namespace, the oldest go first
    o.recovery.max_bytes = 64 * 1024 * 1024;      // and their bytes
    return o;
}

void setup_recovering_chat(corio::nsp ns)
{
    ns.on_connect([](corio::context& ctx) {
        if (ctx.recovered())
            return; // same id, rooms and shared data; missed messages already sent
        ctx.join("lobby");
    });
    ns.on("say", [](corio::context& ctx, std::string text) {
        ctx.to("lobby").emit("said", text); // kept with an offset for whoever is away
    });
}

corio::logger logger_for(std::string_view format, corio::log_level level)
{
    // Text lines for a terminal or journald, JSON lines for a log shipper;
    // both to stderr.
    return corio::logger(format == "json" ? corio::json_sink() : corio::text_sink(), level);
}

void setup_logging(corio::server_options& o, corio::engine::listener_options& lo)
{
    o.log = logger_for("text", corio::log_level::info); // connects, disconnects, refusals, errors
    lo.log = o.log;                                      // failed accepts, certificate reloads
}

/// A sink of your own is one lambda: here, errors counted for a metric.
corio::logger counting_errors(std::shared_ptr<std::atomic<std::uint64_t>> errors)
{
    return corio::logger(
        [errors](const corio::log_record& r) {
            if (r.level == corio::log_level::error)
                ++*errors;
        },
        corio::log_level::error);
}

// --- Event contracts ---------------------------------------------------------------

namespace contracts {

struct room_info {
    std::string room;
    int players = 0;
};
BOOST_DESCRIBE_STRUCT(room_info, (), (room, players))

struct game_start {
    std::string room;
    std::string first; ///< the socket id of the player who starts
};
BOOST_DESCRIBE_STRUCT(game_start, (), (room, first))

// The lobby's events, declared once: name, arguments, ack, direction.
struct create_room : corio::client_to_server<"create_room", corio::ack<room_info>(std::string room)> {};
struct join_room : corio::client_to_server<"join_room", corio::ack<room_info>(std::string room)> {
    static constexpr std::array parameter_names{"room"}; // for generated declarations
};
struct new_game : corio::server_to_client<"new_game", void(game_start game)> {};
using lobby = corio::contract<create_room, join_room, new_game>;

void setup_typed_lobby(corio::nsp ns)
{
    corio::typed_nsp<lobby> lobby_ns(ns);
    lobby_ns.on<create_room>([](corio::context& ctx, std::string room) {
        ctx.join(room);
        return room_info{room, 1};
    });
    lobby_ns.on<"join_room">([](corio::context& ctx, std::string room) {
        ctx.join(room);
        ctx.to(room).include_self().emit<new_game>(game_start{room, ctx.id()});
        return room_info{room, 2};
    });
}

// For corio_generate_typescript (tested below against the guide's .d.ts).
CORIO_EXPORT_CONTRACT(lobby, "/");

} // namespace contracts

// --- Helpers of the tests --------------------------------------------------------

struct lobby_fixture : server_fixture {
    std::shared_ptr<rooms_by_code::room_table> rooms = std::make_shared<rooms_by_code::room_table>();
    lobby_fixture() { rooms_by_code::setup_lobby(io, rooms); }
};

std::string room_of(const std::optional<corio::arguments>& ack)
{
    return std::string(ack.value().values().at(0).at("room").as_string());
}

std::string error_of(const std::optional<corio::arguments>& ack)
{
    return std::string(ack.value().values().at(0).at("error").as_string());
}

/// How many `event`s the client received since the last call (which empties
/// its buffer).
std::size_t received(corio::testing::client& c, std::string_view event, std::string_view nsp = "/")
{
    auto events = c.get_received(nsp);
    return std::count_if(events.begin(), events.end(), [&](const auto& e) { return e.event == event; });
}

std::string lower(std::string text)
{
    std::ranges::transform(text, text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

} // namespace guide_test

using namespace guide_test;

BOOST_FIXTURE_TEST_SUITE(guide, server_fixture)

// --- The rooms_by_code example -------------------------------------------------

BOOST_FIXTURE_TEST_CASE(two_players_create_a_room_join_it_and_start_a_game, lobby_fixture)
{
    auto ada = client();
    auto created = ada->emit_with_ack("create_room", "ada");
    std::string code = room_of(created);
    BOOST_TEST(code.size() == 4u);
    BOOST_TEST(code.find_first_not_of("ABCDEFGHJKMNPQRSTUVWXYZ23456789") == std::string::npos);
    auto waiting = ada->wait_for("waiting");
    BOOST_TEST_REQUIRE(waiting.has_value());
    BOOST_TEST(str(waiting->args, 0) == "Waiting for player 2, room ID is " + code);

    auto bob = client();
    BOOST_TEST(room_of(bob->emit_with_ack("join_room", code, "bob")) == code);
    for (auto* player : {ada.get(), bob.get()}) {
        auto started = player->wait_for("new_game");
        BOOST_TEST_REQUIRE(started.has_value());
        auto game = json::value_to<rooms_by_code::new_game>(started->args.values().at(0));
        BOOST_TEST(game.room == code);
        BOOST_TEST_REQUIRE(game.players.size() == 2u);
        BOOST_TEST(game.players[0].name == "ada");
        BOOST_TEST(game.players[0].id == ada->sid());
        BOOST_TEST(game.players[1].name == "bob");
        BOOST_TEST(game.players[1].id == bob->sid());
        BOOST_TEST((game.first == ada->sid() || game.first == bob->sid()));
    }
    BOOST_TEST(rooms->size() == 1u);
    BOOST_TEST((io.of("/").rooms() == std::vector<std::string>{code}));
}

BOOST_FIXTURE_TEST_CASE(the_ack_says_what_went_wrong, lobby_fixture)
{
    auto ada = client();
    auto bob = client();
    auto cyd = client();
    std::string code = room_of(ada->emit_with_ack("create_room", "ada"));

    // 0 is not in the alphabet: no room ever has this code.
    BOOST_TEST(error_of(bob->emit_with_ack("join_room", "0000", "bob")) == "there is no room 0000");
    BOOST_TEST(error_of(bob->emit_with_ack("join_room", code, "")) == "a name is required");
    BOOST_TEST(error_of(ada->emit_with_ack("join_room", code, "ada")) == "you are already in room " + code);
    BOOST_TEST(error_of(ada->emit_with_ack("create_room", "ada")) == "you are already in room " + code);

    // Codes are case-insensitive.
    BOOST_TEST(room_of(bob->emit_with_ack("join_room", lower(code), "bob")) == code);
    BOOST_TEST(error_of(bob->emit_with_ack("create_room", "bob")) == "you are already in room " + code);
    BOOST_TEST(error_of(cyd->emit_with_ack("join_room", code, "cyd")) == "room " + code + " is full");
    BOOST_TEST(rooms->size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(arguments_of_the_wrong_type_never_reach_the_handler, lobby_fixture)
{
    auto ada = client();
    auto ack = ada->emit_with_ack("create_room", 42);
    BOOST_TEST_REQUIRE(ack.has_value());
    BOOST_TEST(json::serialize(ack->values()) ==
               R"([{"error":"invalid arguments","event":"create_room",)"
               R"("message":"argument 1 of \"create_room\": expected a string, got 42"}])");
    BOOST_TEST(error_of(ada->emit_with_ack("join_room", "ABCD")) == "invalid arguments");
    // Without an ack the error comes as an "error" event (server_options::argument_error_event).
    ada->emit("join_room", json::object{{"code", "ABCD"}}, "ada");
    auto error = ada->wait_for("error");
    BOOST_TEST_REQUIRE(error.has_value());
    BOOST_TEST(error->args.values().at(0).at("message").as_string() ==
               R"(argument 1 of "join_room": expected a string, got an object)");
    BOOST_TEST(rooms->size() == 0u);
    BOOST_TEST(io.stats().argument_errors == 3u);
    // Extra arguments are ignored, as in socket.io.
    BOOST_TEST(room_of(ada->emit_with_ack("create_room", "ada", "extra")).size() == 4u);
}

BOOST_FIXTURE_TEST_CASE(a_player_who_leaves_is_announced_and_the_room_waits_again, lobby_fixture)
{
    auto ada = client();
    auto bob = client();
    std::string code = room_of(ada->emit_with_ack("create_room", "ada"));
    bob->emit_with_ack("join_room", code, "bob");
    ada->get_received();

    bob->disconnect();
    auto left = ada->wait_for("opponent_left");
    BOOST_TEST_REQUIRE(left.has_value());
    BOOST_TEST(json::serialize(left->args.values()) == R"([{"name":"bob","reason":"io client disconnect"}])");
    auto waiting = ada->wait_for("waiting");
    BOOST_TEST_REQUIRE(waiting.has_value());
    BOOST_TEST(str(waiting->args, 0) == "Waiting for player 2, room ID is " + code);

    // The room takes a new second player.
    auto cyd = client();
    BOOST_TEST(room_of(cyd->emit_with_ack("join_room", code, "cyd")) == code);
    BOOST_TEST(ada->wait_for("new_game").has_value());

    // A lost connection counts as leaving too; the last one out closes the room.
    ada->close();
    left = cyd->wait_for("opponent_left");
    BOOST_TEST_REQUIRE(left.has_value());
    BOOST_TEST(left->args.values().at(0).at("reason").as_string() == "transport close");
    cyd->disconnect();
    BOOST_TEST(drive_until([&] { return rooms->size() == 0u && io.of("/").rooms().empty(); }));
}

BOOST_AUTO_TEST_CASE(players_on_many_threads_fill_every_room_exactly)
{
    // A test client's handlers run on the io_context that drives the client:
    // with one client per thread, handlers of different clients run in
    // parallel, as on the app's thread pool.
    auto rooms = std::make_shared<rooms_by_code::room_table>();
    rooms_by_code::setup_lobby(io, rooms);
    constexpr int pairs = 8;
    std::mutex mutex;
    std::vector<std::string> codes;
    std::atomic<int> started = 0, refused = 0, broken = 0;
    // Nobody leaves before everyone played: a player leaving frees a seat.
    std::latch everyone_played(4 * pairs);

    std::vector<std::thread> creators;
    for (int p = 0; p < pairs; ++p) {
        creators.emplace_back([&, p] {
            net::io_context own;
            corio::testing::client creator(io, own);
            auto ack = creator.emit_with_ack("create_room", "c" + std::to_string(p));
            {
                std::lock_guard lock(mutex);
                codes.push_back(ack && ack->values().at(0).as_object().contains("room") ? room_of(ack) : "");
            }
            if (creator.wait_for("new_game"))
                ++started;
            everyone_played.arrive_and_wait();
        });
    }
    auto all_created = [&] {
        std::lock_guard lock(mutex);
        return codes.size() == pairs;
    };
    while (!all_created())
        std::this_thread::sleep_for(1ms);

    // Three joiners race for each room: exactly one gets in.
    std::vector<std::thread> joiners;
    for (int j = 0; j < 3 * pairs; ++j) {
        joiners.emplace_back([&, j, code = codes[j % pairs]] {
            net::io_context own;
            corio::testing::client joiner(io, own);
            auto ack = joiner.emit_with_ack("join_room", code, "j" + std::to_string(j));
            if (ack && ack->values().at(0).as_object().contains("error"))
                ++refused;
            else if (!ack || !ack->values().at(0).as_object().contains("room"))
                ++broken;
            everyone_played.arrive_and_wait();
        });
    }
    for (auto& t : joiners)
        t.join();
    for (auto& t : creators)
        t.join();
    BOOST_TEST(started.load() == pairs);
    BOOST_TEST(refused.load() == 2 * pairs);
    BOOST_TEST(broken.load() == 0);
}

// --- Registering handlers ------------------------------------------------------

BOOST_AUTO_TEST_CASE(four_ways_to_register_a_handler)
{
    auto root = io.of("/");
    // A lambda.
    root.on("ping", [](corio::context&) { return "pong"; });
    // The macro: the event name stays in front of a long lambda.
    CORIO_ON(root, "add")([](corio::context&, int a, int b) { return a + b; });
    // A named function, under its own name: "my_rooms".
    CORIO_HANDLER(root, my_rooms);
    // A class-based namespace: every handler its `handlers` tuple lists.
    io.of("/chat").mount(std::make_shared<chat_room>());

    auto c = client();
    BOOST_TEST(str(*c->emit_with_ack("ping"), 0) == "pong");
    BOOST_TEST(c->emit_with_ack("add", 2, 3)->values().at(0) == 5);
    BOOST_TEST(json::serialize(c->emit_with_ack("my_rooms")->values()) == R"([[")" + c->sid() + R"("]])");
    BOOST_TEST_REQUIRE(c->connect("/chat"));
    BOOST_TEST(c->emit_with_ack_to("/chat", "say", corio::arguments::of("hi"))->values().at(0) == 1);
    BOOST_TEST(c->emit_with_ack_to("/chat", "messages", {})->values().at(0) == 1);
    BOOST_TEST(received(*c, "said", "/chat") == 1u);
}

BOOST_AUTO_TEST_CASE(the_return_value_is_the_ack_unless_the_handler_acks_itself)
{
    auto root = io.of("/");
    bool saved = false;
    // The return value is the ack (sent only if the client asked for one).
    root.on("double", [](corio::context&, int n) { return 2 * n; });
    // Several ack arguments.
    root.on("whereami", [](corio::context& ctx) { return corio::arguments::of(ctx.nsp(), ctx.id()); });
    // An explicit ack, here before slow work: the client need not wait.
    root.on("save", [&saved](corio::context& ctx, json::object doc) -> net::awaitable<void> {
        ctx.ack("saving", doc.size());
        co_await corio::sleep(20ms); // the slow work
        saved = true;
    });

    auto c = client();
    BOOST_TEST(c->emit_with_ack("double", 21)->values().at(0) == 42);
    BOOST_TEST(json::serialize(c->emit_with_ack("whereami")->values()) == R"(["/",")" + c->sid() + R"("])");
    BOOST_TEST(json::serialize(c->emit_with_ack("save", json::object{{"a", 1}})->values()) == R"(["saving",1])");
    BOOST_TEST(!saved);
    BOOST_TEST(drive_until([&] { return saved; }));
}

// --- Emitting ---------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(emit_to_the_sender_a_room_everyone_or_all_but_some)
{
    setup_emits(io.of("/"));
    auto a = client(), b = client(), c = client();
    for (auto* x : {a.get(), b.get()})
        x->emit("join", "red");
    c->emit("join", "blue");
    c->emit("join", "muted");

    a->emit("echo", "hi");
    BOOST_TEST(received(*a, "echo") == 1u);
    a->emit("to_room", "red", "hi");
    BOOST_TEST((received(*a, "said") == 0u && received(*b, "said") == 1u && received(*c, "said") == 0u));
    a->emit("to_room_and_me", "red", "hi");
    BOOST_TEST((received(*a, "said") == 1u && received(*b, "said") == 1u && received(*c, "said") == 0u));
    a->emit("to_others", "hi");
    BOOST_TEST((received(*a, "said") == 0u && received(*b, "said") == 1u && received(*c, "said") == 1u));
    a->emit("to_all", "hi");
    BOOST_TEST((received(*a, "said") == 1u && received(*b, "said") == 1u && received(*c, "said") == 1u));
    a->emit("to_room_but", "red", b->sid(), "hi");
    BOOST_TEST((received(*a, "said") == 1u && received(*b, "said") == 0u && received(*c, "said") == 0u));
    a->emit("to_rooms_except", "hi");
    BOOST_TEST((received(*a, "said") == 0u && received(*b, "said") == 1u && received(*c, "said") == 0u));
    a->emit("position", 3, 4);
    BOOST_TEST((received(*a, "position") == 0u && received(*b, "position") == 1u));
}

BOOST_AUTO_TEST_CASE(the_server_asks_a_client_and_waits_for_its_answer)
{
    // Flask-SocketIO's call(): emit, then wait for the client's ack.
    io.of("/").on("start_turn", [](corio::context& ctx) -> net::awaitable<std::string> {
        auto answer = co_await ctx.emit_with_ack(300ms, "your_move", "column?");
        if (!answer) // corio::error::ack_timeout, or socket_disconnected
            co_return "no move: " + answer.error().message();
        co_return "played " + json::serialize(answer->values());
    });

    auto player = client();
    player->on_ack_request([](const corio::testing::received_event& e) {
        return e.event == "your_move" ? corio::arguments::of(3) : corio::arguments{};
    });
    BOOST_TEST(str(*player->emit_with_ack("start_turn"), 0) == "played [3]");
    auto sleepy = client();
    BOOST_TEST(str(*sleepy->emit_with_ack("start_turn"), 0) ==
               "no move: " + corio::make_error_code(corio::error::ack_timeout).message());
}

// --- Connecting ----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(connect_handler_reads_auth_and_may_refuse)
{
    setup_private(io);
    auto anonymous = client({.nsp = "/private"});
    BOOST_TEST(json::serialize(*anonymous->connect_error("/private")) == R"({"message":"invalid auth"})");
    auto wrong = client({.nsp = "/private", .auth = {{"token", "please"}}});
    BOOST_TEST(json::serialize(*wrong->connect_error("/private")) == R"({"message":"bad token"})");
    auto right = client({.nsp = "/private", .auth = {{"token", "open sesame"}}});
    BOOST_TEST(right->connected("/private"));
    BOOST_TEST(right->wait_for("welcome", "/private").has_value());
    // The test client's connect(nsp, auth), as Flask's test_client.connect(auth=).
    auto later = client();
    BOOST_TEST(later->connect("/private", {{"token", "open sesame"}}));
}

BOOST_AUTO_TEST_CASE(middlewares_run_in_order_and_the_first_refusal_wins)
{
    setup_middlewares(io);
    io.of("/admin").on("stats", [](corio::context&) { return "ok"; });
    auto banned = client({.remote_address = "203.0.113.7"});
    BOOST_TEST(json::serialize(*banned->connect_error()) == R"({"message":"unauthorized"})");
    auto guest = client({.nsp = "/admin"});
    BOOST_TEST(json::serialize(*guest->connect_error("/admin")) ==
               R"({"message":"forbidden","data":{"need":"x-admin-key"}})");
    auto admin = client({.nsp = "/admin", .headers = {{"x-admin-key", "k3y"}}});
    BOOST_TEST(admin->connected("/admin"));
}

BOOST_AUTO_TEST_CASE(the_handshake_holds_the_request_that_opened_the_connection)
{
    setup_whoami(io.of("/"));
    auto c = client({.auth = {{"token", "t"}},
                     .headers = {{"user-agent", "test"}, {"cookie", "theme=dark; lang=fr"}},
                     .query = {{"lang", "de"}},
                     .remote_address = "192.0.2.1"});
    auto me = c->emit_with_ack("whoami")->values().at(0).as_object();
    BOOST_TEST(me.at("sid").as_string() == c->sid());
    BOOST_TEST(me.at("namespace").as_string() == "/");
    BOOST_TEST(me.at("event").as_string() == "whoami");
    BOOST_TEST(me.at("lang").as_string() == "de");
    BOOST_TEST(me.at("agent").as_string() == "test");
    BOOST_TEST(me.at("theme").as_string() == "dark");
    BOOST_TEST(me.at("address").as_string() == "192.0.2.1");
    BOOST_TEST(json::serialize(me.at("auth")) == R"({"token":"t"})");
}

BOOST_AUTO_TEST_CASE(dynamic_namespaces_are_set_up_on_first_connect)
{
    // "/table-1", "/table-2", ...: each a namespace of its own, set up by the
    // second function when its first client connects.
    io.of_dynamic([](std::string_view name) { return name.starts_with("/table-"); },
                  [](corio::nsp table) {
                      table.on_connect([](corio::context& ctx) { ctx.join("players"); });
                      table.on("where", [](corio::context& ctx) { return ctx.nsp(); });
                  });

    auto a = client({.nsp = "/table-7"});
    BOOST_TEST(str(*a->emit_with_ack("where"), 0) == "/table-7");
    BOOST_TEST(await(io.of("/table-7").to("players").fetch_sockets())->size() == 1u);
    auto stray = client({.nsp = "/chair-7"});
    BOOST_TEST(json::serialize(*stray->connect_error("/chair-7")) == R"({"message":"Invalid namespace"})");
}

// --- Hooks, ordering ---------------------------------------------------------------

BOOST_AUTO_TEST_CASE(catch_all_fallback_and_outgoing_hooks)
{
    auto log = std::make_shared<event_log>();
    setup_hooks(io.of("/"), log);
    auto c = client();
    c->emit("move", 3);
    BOOST_TEST(error_of(c->emit_with_ack("fly")) == "unknown event fly");
    BOOST_TEST((log->lines() == std::vector<std::string>{"in: move", "out: moved", "in: fly"}));
}

BOOST_AUTO_TEST_CASE(the_error_hook_sees_what_a_handler_threw)
{
    setup_error_hook(io.of("/"));
    auto c = client();
    BOOST_TEST(c->emit_with_ack("divide", 6, 3)->values().at(0) == 2);
    BOOST_TEST(error_of(c->emit_with_ack("divide", 1, 0)) == "division by zero");
    c->emit("divide", 1, 0);
    auto e = c->wait_for("server_error");
    BOOST_TEST_REQUIRE(e.has_value());
    BOOST_TEST(str(e->args, 1) == "division by zero");
    BOOST_TEST(c->connected());
    BOOST_TEST(io.stats().handler_errors == 2u);
}

BOOST_AUTO_TEST_CASE(one_socket_s_handlers_run_in_order_unless_told_otherwise)
{
    std::vector<std::string> done;
    auto slow_then_fast = [&done](corio::context& ctx, int delay_ms) -> net::awaitable<void> {
        co_await corio::sleep(std::chrono::milliseconds(delay_ms));
        done.push_back(ctx.nsp() + " " + std::to_string(delay_ms));
    };
    io.of("/").on("work", slow_then_fast);
    io.of("/bulk").concurrent_handlers(true).on("work", slow_then_fast);

    auto c = client();
    BOOST_TEST_REQUIRE(c->connect("/bulk"));
    c->emit("work", 40);
    c->emit("work", 0);
    BOOST_TEST(drive_until([&] { return done.size() == 2; }));
    c->emit_to("/bulk", "work", corio::arguments::of(40));
    c->emit_to("/bulk", "work", corio::arguments::of(0));
    BOOST_TEST(drive_until([&] { return done.size() == 4; }));
    BOOST_TEST((done == std::vector<std::string>{"/ 40", "/ 0", "/bulk 0", "/bulk 40"}));
}

// --- Outside handlers ------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(server_side_operations_from_any_thread)
{
    setup_emits(io.of("/"));
    auto a = client(), b = client();
    a->emit("join", "lobby");
    b->emit("join", "lobby");

    // From any thread: a game clock, an admin endpoint, a message queue.
    std::thread admin([&] { io.to("lobby").emit("announcement", "restart in 5 minutes"); });
    admin.join();
    // The sockets a selection picks, on every server of a cluster: awaited
    // (await() drives the test's io_context; a handler would co_await).
    auto lobby = await(io.of("/").to("lobby").fetch_sockets());
    for (const corio::remote_socket& s : lobby.value())
        s.emit("your_id", s.id());
    io.of("/").to("lobby").sockets_join("final"); // join_room(room, sid=...) for each
    std::size_t finalists = await(io.of("/").to("final").fetch_sockets())->size();
    io.of("/").to("final").sockets_leave("final"); // close_room("final")
    io.of("/").to(b->sid()).disconnect_sockets();  // disconnect(sid=...)

    BOOST_TEST(a->wait_for("announcement").has_value());
    BOOST_TEST(b->wait_for("announcement").has_value());
    BOOST_TEST(str(a->wait_for("your_id")->args, 0) == a->sid());
    BOOST_TEST(finalists == 2u);
    BOOST_TEST(await(io.of("/").to("final").fetch_sockets())->empty());
    BOOST_TEST(drive_until([&] { return b->server_disconnected(); }));
    BOOST_TEST(io.of("/").socket_count() == 1u);
}

BOOST_AUTO_TEST_CASE(a_broadcast_with_acks_collects_every_answer_or_times_out)
{
    setup_emits(io.of("/"));
    auto a = client(), b = client(), c = client();
    for (auto* x : {a.get(), b.get(), c.get()})
        x->emit("join", "table");
    a->on_ack_request([](const auto&) { return corio::arguments::of(true); });
    b->on_ack_request([](const auto&) { return corio::arguments::of(false); });
    c->on_ack_request([](const auto&) { return corio::arguments{}; });

    std::optional<std::optional<std::size_t>> ready;
    net::co_spawn(ioc, count_ready(io, "table"), [&](std::exception_ptr, std::optional<std::size_t> n) { ready = n; });
    BOOST_TEST(drive_until([&] { return ready.has_value(); }));
    BOOST_TEST((*ready == std::optional<std::size_t>(1)));

    c->on_ack_request(nullptr); // c no longer answers: nobody is counted
    BOOST_TEST(!await(count_ready(io, "table")).has_value());
}

BOOST_AUTO_TEST_CASE(background_tasks_run_until_shutdown)
{
    setup_emits(io.of("/"));
    start_clock(io, 10ms);
    auto c = client({.timeout = 300ms});
    c->emit("join", "clock");
    BOOST_TEST(c->wait_for("tick").has_value());

    // Graceful shutdown: what the example's main does on Ctrl-C.
    bool down = false;
    net::co_spawn(ioc, io.shutdown(1s), [&](std::exception_ptr) { down = true; });
    BOOST_TEST(drive_until([&] { return down && c->server_disconnected(); }));
    c->get_received();
    BOOST_TEST(!c->wait_for("tick").has_value()); // waits out the client's timeout: the clock stopped
}

BOOST_AUTO_TEST_CASE(options_named_as_flask_socketio_names_them)
{
    corio::server configured(ioc.get_executor(), flask_like_options());
    BOOST_TEST(configured.options().engine.path == "/socket.io/");
    BOOST_TEST(!configured.options().engine.allow_polling);
    BOOST_TEST(configured.options().ack_timeout == 60s);
}

BOOST_AUTO_TEST_CASE(compression_as_the_guide_turns_it_on)
{
    corio::server compressed(ioc.get_executor(), compressed_options());
    BOOST_TEST(compressed.options().engine.compression.enabled);
    // The in-process client has no WebSocket: what it checks is that the
    // uncompressed emit reaches the room like any other.
    setup_compressed_emits(io.of("/"));
    auto viewer = client();
    auto other = client();
    viewer->emit("scores", "{}");
    BOOST_TEST(viewer->wait_for("scores").has_value());
    BOOST_TEST(other->wait_for("scores").has_value());
    viewer->emit("photo", "/9j/4AAQ");
    BOOST_TEST(other->wait_for("photo").has_value());
}

BOOST_AUTO_TEST_CASE(eio3_as_the_guide_turns_it_on)
{
    corio::server v3(ioc.get_executor(), eio3_options());
    BOOST_TEST(v3.options().engine.allow_eio3);
    setup_eio3_aware(io.of("/admin"));
    corio::testing::client_options old;
    old.engine_protocol = 3;
    auto c = client(old);
    BOOST_TEST(c->connected());
    BOOST_TEST(c->connect("/admin", {{"token", "secret"}}));
    auto guess = client(old);
    BOOST_TEST(!guess->connect("/admin", {{"token", "guess"}}));
}

BOOST_AUTO_TEST_CASE(recovery_as_the_guide_turns_it_on)
{
    corio::server recovering(ioc.get_executor(), recovering_options());
    setup_recovering_chat(recovering.of("/"));
    corio::testing::client away(recovering, ioc);
    corio::testing::client talker(recovering, ioc);
    talker.emit("say", "before");
    auto seen = away.wait_for("said");
    BOOST_TEST_REQUIRE(seen.has_value());
    const auto sid = away.sid();
    const json::object auth{{"pid", away.pid()}, {"offset", seen->args.values().back()}};
    away.close();
    BOOST_TEST_REQUIRE(drive_until([&] { return recovering.stats().recovery_sessions_kept == 1; }));
    talker.emit("say", "meanwhile");
    BOOST_TEST_REQUIRE(drive_until([&] { return recovering.stats().broadcasts == 2; }));
    corio::testing::client back(recovering, ioc, {.auth = auth});
    BOOST_TEST(back.sid() == sid);
    auto missed = back.get_received();
    BOOST_TEST_REQUIRE(missed.size() == 1u);
    BOOST_TEST(str(missed.front().args, 0) == "meanwhile");
}

BOOST_AUTO_TEST_CASE(logging_as_the_guide_sets_it_up)
{
    corio::server_options o;
    corio::engine::listener_options lo;
    setup_logging(o, lo);
    BOOST_TEST((o.log.min_level() == corio::log_level::info));
    BOOST_TEST((lo.log.min_level() == corio::log_level::info));
    BOOST_TEST((logger_for("json", corio::log_level::debug).min_level() == corio::log_level::debug));

    auto errors = std::make_shared<std::atomic<std::uint64_t>>(0);
    corio::server_options counted;
    counted.log = counting_errors(errors);
    corio::server s(ioc.get_executor(), counted);
    s.of("/").on("boom", [](corio::context&) { throw std::runtime_error("boom"); });
    corio::testing::client c(s, ioc);
    c.emit("boom");
    c.run_until_idle();
    BOOST_TEST(errors->load() == 1u);
}

// --- Event contracts ---------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_typed_lobby_acks_and_emits_what_its_contract_declares)
{
    contracts::setup_typed_lobby(io.of("/"));
    auto ada = client();
    auto bob = client();
    auto created = ada->emit_with_ack("create_room", "K7QD");
    BOOST_TEST_REQUIRE(created.has_value());
    BOOST_TEST(json::serialize(created->values()) == R"([{"room":"K7QD","players":1}])");
    auto joined = bob->emit_with_ack("join_room", "K7QD");
    BOOST_TEST_REQUIRE(joined.has_value());
    BOOST_TEST(json::serialize(joined->values()) == R"([{"room":"K7QD","players":2}])");
    for (auto* player : {ada.get(), bob.get()}) {
        auto started = player->wait_for("new_game");
        BOOST_TEST_REQUIRE(started.has_value());
        BOOST_TEST(json::serialize(started->args.values()) == R"([{"room":"K7QD","first":")" + bob->sid() + R"("}])");
    }
}

// --- The guide itself ---------------------------------------------------------------------

namespace {

std::filesystem::path repository_root()
{
    return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();
}

std::vector<std::string> read_lines(const std::filesystem::path& path)
{
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        lines.push_back(line.substr(0, line.find_last_not_of(" \t\r") + 1));
    return lines;
}

// Finds `piece` in `file` from line `from` on, every line behind the same
// indentation (a snippet may be dedented); the line after it, or nothing.
std::optional<std::size_t> find_piece(const std::vector<std::string>& file, const std::vector<std::string>& piece,
                                      std::size_t from)
{
    for (std::size_t i = from; i + piece.size() <= file.size(); ++i) {
        const auto& first = file[i];
        if (first.size() < piece[0].size() || !first.ends_with(piece[0]))
            continue;
        auto indent = first.substr(0, first.size() - piece[0].size());
        if (indent.find_first_not_of(' ') != std::string::npos)
            continue;
        bool same = true;
        for (std::size_t j = 1; same && j < piece.size(); ++j)
            same = piece[j].empty() ? file[i + j].empty() : file[i + j] == indent + piece[j];
        if (same)
            return i + piece.size();
    }
    return std::nullopt;
}

/// Checks that every C++ block of the document `doc` (relative to the
/// repository) is in the file it names; returns how many blocks it has.
std::size_t check_cpp_blocks(const std::filesystem::path& doc)
{
    auto root = repository_root();
    auto lines = read_lines(root / doc);
    BOOST_TEST_REQUIRE(!lines.empty(), "cannot read " << doc);
    std::size_t blocks = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (lines[i] != "```cpp")
            continue;
        ++blocks;
        std::vector<std::string> block;
        for (++i; i < lines.size() && lines[i] != "```"; ++i)
            block.push_back(lines[i]);
        BOOST_TEST_CONTEXT("the C++ block ending on line " << i + 1 << " of " << doc.string())
        {
            // The first line names the source: "// apps/examples/rooms_by_code/lobby.cpp".
            BOOST_TEST_REQUIRE(!block.empty());
            BOOST_TEST_REQUIRE(block[0].starts_with("// "));
            auto source = root / block[0].substr(3);
            auto file = read_lines(source);
            BOOST_TEST_REQUIRE(!file.empty(), "cannot read " << source);
            // The rest: pieces of that file in order, separated by "// ..." lines.
            std::vector<std::vector<std::string>> pieces(1);
            for (std::size_t j = 1; j < block.size(); ++j) {
                if (block[j] == "// ...")
                    pieces.emplace_back();
                else
                    pieces.back().push_back(block[j]);
            }
            std::size_t at = 0;
            for (auto& piece : pieces) {
                BOOST_TEST_REQUIRE(!piece.empty());
                auto next = find_piece(file, piece, at);
                BOOST_TEST_REQUIRE(next.has_value(), "not in " << block[0].substr(3) << ":\n" << piece[0]);
                at = *next;
            }
        }
    }
    return blocks;
}

} // namespace

BOOST_AUTO_TEST_CASE(every_cpp_block_of_the_guide_is_in_the_file_it_names)
{
    BOOST_TEST(check_cpp_blocks("docs/guide.md") > 10u);
}

// The .d.ts the guide shows ("Generated TypeScript") is what corio_generate_typescript writes
// for its lobby, exported above.
BOOST_AUTO_TEST_CASE(the_guides_generated_typescript_is_the_generators)
{
    auto lines = read_lines(repository_root() / "docs/guide.md");
    auto heading = std::find(lines.begin(), lines.end(), "### Generated TypeScript");
    BOOST_TEST_REQUIRE((heading != lines.end()));
    auto start = std::find(heading, lines.end(), "```ts");
    BOOST_TEST_REQUIRE((start != lines.end()));
    std::string shown;
    for (auto line = start + 1; line != lines.end() && *line != "```"; ++line)
        shown += *line + "\n";
    auto generated = corio::typescript_declarations(corio::exported_contracts(), "lobby_contract");
    BOOST_TEST(generated == shown);
}

// Whether some object in `document`, at any depth, has the member `key` with `value`.
bool has_member(const json::value& document, std::string_view key, const json::value& value)
{
    if (const auto* object = document.if_object()) {
        if (const auto* found = object->if_contains(key); found && *found == value)
            return true;
        return std::ranges::any_of(*object, [&](const auto& member) { return has_member(member.value(), key, value); });
    }
    if (const auto* array = document.if_array())
        return std::ranges::any_of(*array, [&](const auto& element) { return has_member(element, key, value); });
    return false;
}

// The excerpts of the AsyncAPI document the guide shows ("AsyncAPI document": members of its
// maps, as JSON) are members of what corio_generate_asyncapi writes for the lobby exported above.
BOOST_AUTO_TEST_CASE(the_guides_asyncapi_excerpts_are_the_generators)
{
    auto lines = read_lines(repository_root() / "docs/guide.md");
    auto heading = std::find(lines.begin(), lines.end(), "### AsyncAPI document");
    BOOST_TEST_REQUIRE((heading != lines.end()));
    auto start = std::find(heading, lines.end(), "```json");
    BOOST_TEST_REQUIRE((start != lines.end()));
    std::string shown = "{";
    for (auto line = start + 1; line != lines.end() && *line != "```"; ++line)
        shown += *line + "\n";
    auto excerpts = json::parse(shown + "}").as_object();
    BOOST_TEST(excerpts.size() == 4u);
    auto generated =
        json::parse(corio::asyncapi_document(corio::exported_contracts(), {.title = "Lobby", .version = "1.0.0"}));
    for (const auto& excerpt : excerpts) {
        BOOST_TEST_INFO(excerpt.key());
        BOOST_TEST(has_member(generated, excerpt.key(), excerpt.value()));
    }
}

// docs/game.md quotes apps/game the same way.
BOOST_AUTO_TEST_CASE(every_cpp_block_of_the_game_doc_is_in_the_file_it_names)
{
    BOOST_TEST(check_cpp_blocks("docs/game.md") >= 4u);
}

// README.md opens with the quick start (apps/examples/quick_start/main.cpp,
// all of it) and quotes the rooms_by_code example.
BOOST_AUTO_TEST_CASE(every_cpp_block_of_the_readme_is_in_the_file_it_names)
{
    BOOST_TEST(check_cpp_blocks("README.md") >= 2u);

    // The first block is the whole quick start, not a piece of it.
    auto readme = read_lines(repository_root() / "README.md");
    auto open = std::ranges::find(readme, "```cpp");
    BOOST_TEST_REQUIRE((open != readme.end()));
    auto close = std::find(open, readme.end(), "```");
    BOOST_TEST_REQUIRE((close - open >= 2));
    BOOST_TEST(*(open + 1) == "// apps/examples/quick_start/main.cpp");
    std::vector<std::string> shown(open + 2, close);
    auto file = read_lines(repository_root() / "apps/examples/quick_start/main.cpp");
    BOOST_TEST(shown == file, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
