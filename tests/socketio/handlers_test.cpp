#include "server_fixture.hpp"

#include <corio/dsl.hpp>

#include <boost/describe/class.hpp>
#include <boost/test/unit_test.hpp>

using namespace corio_test;

namespace handlers_test {

struct move {
    int column;
    std::string player;
};
BOOST_DESCRIBE_STRUCT(move, (), (column, player))

// A class-based namespace.
struct class_lobby {
    int created = 0;
    std::string create_room(corio::context&, std::string name)
    {
        ++created;
        return "room of " + name;
    }
    net::awaitable<int> count(corio::context&) { co_return created; }
    static inline const auto handlers =
        std::tuple{corio::member("create_room", &class_lobby::create_room), corio::member("count", &class_lobby::count)};
};

std::string shout(corio::context&, std::string text) { return text + "!"; }

} // namespace handlers_test

using namespace handlers_test;

BOOST_FIXTURE_TEST_SUITE(handlers, server_fixture)

BOOST_AUTO_TEST_CASE(typed_arguments_and_return_value_become_the_ack)
{
    io.of("/").on("play", [](corio::context&, move m, std::optional<bool> fast) -> net::awaitable<json::value> {
        co_return json::object{{"column", m.column}, {"player", m.player}, {"fast", fast.value_or(false)}};
    });
    auto c = client();
    auto ack = c->emit_with_ack("play", json::object{{"column", 3}, {"player", "red"}});
    BOOST_TEST_REQUIRE(ack.has_value());
    BOOST_TEST(json::serialize(ack->values()) == R"([{"column":3,"player":"red","fast":false}])");
}

BOOST_AUTO_TEST_CASE(wrong_argument_types_do_not_run_the_handler_and_answer_an_error)
{
    int runs = 0;
    io.of("/").on("play", [&](corio::context&, move) {
        ++runs;
        return true;
    });
    auto c = client();
    auto ack = c->emit_with_ack("play", "not a move");
    BOOST_TEST_REQUIRE(ack.has_value());
    BOOST_TEST(runs == 0);
    BOOST_TEST(ack->values().at(0).at("error").as_string() == "invalid arguments");
    // Without an ack request the error arrives as an event.
    c->emit("play", 42);
    auto error = c->wait_for("error");
    BOOST_TEST_REQUIRE(error.has_value());
    BOOST_TEST(error->args.values().at(0).at("event").as_string() == "play");
    BOOST_TEST(io.stats().argument_errors == 2u);
    // The connection stays up.
    BOOST_TEST(c->emit_with_ack("play", json::object{{"column", 1}, {"player", "x"}}).has_value());
    BOOST_TEST(runs == 1);
}

BOOST_AUTO_TEST_CASE(explicit_ack_and_binary_arguments)
{
    io.of("/").on("upload", [](corio::context& ctx, std::string name, corio::binary data) {
        ctx.ack(name, data.bytes.size(), corio::binary{data.bytes + "!"});
    });
    auto c = client();
    auto ack = c->emit_with_ack("upload", "f.bin", corio::binary{std::string("\0\1\2", 3)});
    BOOST_TEST_REQUIRE(ack.has_value());
    BOOST_TEST(str(*ack, 0) == "f.bin");
    BOOST_TEST(ack->values().at(1).as_int64() == 3);
    BOOST_TEST(ack->attachments().at(0) == std::string("\0\1\2!", 4));
}

BOOST_AUTO_TEST_CASE(macros_and_class_based_namespaces_register_handlers)
{
    auto root = io.of("/");
    CORIO_ON(root, "twice")([](corio::context&, int n) { return 2 * n; });
    CORIO_HANDLER(root, shout);
    io.of("/lobby").mount(std::make_shared<class_lobby>());
    auto c = client();
    BOOST_TEST(c->emit_with_ack("twice", 21)->values().at(0).as_int64() == 42);
    BOOST_TEST(str(*c->emit_with_ack("shout", "hey"), 0) == "hey!");
    BOOST_TEST_REQUIRE(c->connect("/lobby"));
    BOOST_TEST(str(*c->emit_with_ack_to("/lobby", "create_room", corio::arguments::of("ada")), 0) == "room of ada");
    BOOST_TEST(c->emit_with_ack_to("/lobby", "count", {})->values().at(0).as_int64() == 1);
}

BOOST_AUTO_TEST_CASE(catch_all_sees_every_event_fallback_only_unhandled_outgoing_sees_emits)
{
    std::vector<std::string> any, fallback, outgoing;
    io.of("/")
        .on("known", [](corio::context& ctx) { ctx.emit("reply", 1); })
        .on_any([&](corio::context& ctx, corio::arguments) { any.push_back(ctx.event()); })
        .on_fallback([&](corio::context& ctx, corio::arguments) {
            fallback.push_back(ctx.event());
            return std::string("fallback");
        })
        .on_any_outgoing([&](const corio::socket_ref&, std::string_view event, const corio::arguments&) {
            outgoing.emplace_back(event);
        });
    auto c = client();
    c->emit("known");
    BOOST_TEST(str(*c->emit_with_ack("unknown"), 0) == "fallback");
    BOOST_TEST((any == std::vector<std::string>{"known", "unknown"}));
    BOOST_TEST((fallback == std::vector<std::string>{"unknown"}));
    BOOST_TEST((outgoing == std::vector<std::string>{"reply"}));
}

BOOST_AUTO_TEST_CASE(a_throwing_handler_reaches_the_error_hook_and_the_socket_lives_on)
{
    std::string caught;
    io.of("/")
        .on("boom", [](corio::context&) -> int { throw std::runtime_error("kaput"); })
        .on("ping", [](corio::context&) { return "pong"; })
        .on_error([&](corio::context& ctx, std::exception_ptr e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                caught = ctx.event() + ": " + ex.what();
            }
        });
    auto c = client();
    c->emit("boom");
    BOOST_TEST(str(*c->emit_with_ack("ping"), 0) == "pong");
    BOOST_TEST(caught == "boom: kaput");
    BOOST_TEST(io.stats().handler_errors == 1u);
}

BOOST_AUTO_TEST_CASE(handlers_of_one_socket_run_in_arrival_order)
{
    std::vector<int> order;
    io.of("/").on("step", [&](corio::context&, int n, int delay_ms) -> net::awaitable<void> {
        co_await corio::sleep(std::chrono::milliseconds(delay_ms));
        order.push_back(n);
    });
    auto c = client();
    c->emit("step", 1, 30);
    c->emit("step", 2, 0);
    c->emit("step", 3, 10);
    BOOST_TEST(drive_until([&] { return order.size() == 3; }));
    BOOST_TEST((order == std::vector{1, 2, 3}));
}

BOOST_AUTO_TEST_CASE(synchronous_handlers_wait_their_turn_behind_a_running_coroutine)
{
    // A synchronous handler runs at once only when nothing of its socket is
    // queued or running; otherwise it queues like any other.
    std::vector<int> order;
    io.of("/")
        .on("slow", [&](corio::context&, int n) -> net::awaitable<void> {
            co_await corio::sleep(30ms);
            order.push_back(n);
        })
        .on("fast", [&](corio::context&, int n) { order.push_back(n); });
    auto c = client();
    c->emit("fast", 1);
    c->emit("slow", 2);
    c->emit("fast", 3);
    c->emit("slow", 4);
    c->emit("fast", 5);
    BOOST_TEST(drive_until([&] { return order.size() == 5; }));
    BOOST_TEST((order == std::vector{1, 2, 3, 4, 5}));
}

BOOST_AUTO_TEST_CASE(a_synchronous_handler_may_disconnect_its_own_socket)
{
    std::optional<corio::disconnect_reason> left;
    io.of("/")
        .on("leave", [](corio::context& ctx) { ctx.disconnect(); })
        .on("ping", [](corio::context&) { return "pong"; })
        .on_disconnect([&](corio::context&, corio::disconnect_reason r) { left = r; });
    auto c = client();
    auto other = client();
    c->emit("leave");
    BOOST_TEST(drive_until([&] { return c->server_disconnected(); }));
    BOOST_TEST((left == corio::disconnect_reason::server_disconnect));
    BOOST_TEST(str(*other->emit_with_ack("ping"), 0) == "pong");
}

BOOST_AUTO_TEST_CASE(concurrent_handlers_may_overlap)
{
    std::vector<int> order;
    io.of("/").concurrent_handlers(true).on("step", [&](corio::context&, int n, int delay_ms) -> net::awaitable<void> {
        co_await corio::sleep(std::chrono::milliseconds(delay_ms));
        order.push_back(n);
    });
    auto c = client();
    c->emit("step", 1, 50);
    c->emit("step", 2, 0);
    BOOST_TEST(drive_until([&] { return order.size() == 2; }));
    BOOST_TEST((order == std::vector{2, 1}));
}

BOOST_AUTO_TEST_CASE(a_running_handler_is_cancelled_when_its_socket_disconnects)
{
    struct set_on_exit {
        bool& flag;
        ~set_on_exit() { flag = true; }
    };
    bool started = false, finished = false, unwound = false;
    io.of("/").on("slow", [&](corio::context&) -> net::awaitable<void> {
        set_on_exit guard{unwound};
        started = true;
        co_await corio::sleep(10s);
        finished = true;
    });
    auto c = client();
    c->emit("slow");
    BOOST_TEST(drive_until([&] { return started; }));
    c->disconnect();
    BOOST_TEST(drive_until([&] { return unwound; }, 1000ms));
    BOOST_TEST(!finished);
    BOOST_TEST(io.stats().handler_errors == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(handler_lifetime)

BOOST_AUTO_TEST_CASE(handlers_that_hold_their_namespace_go_with_the_server)
{
    // A handler that emits to its own namespace holds it, and a middleware
    // may hold one too: once the server is gone, so is what they hold.
    net::io_context ioc;
    auto held = std::make_shared<int>(0);
    {
        corio::server io(ioc.get_executor());
        auto root = io.of("/");
        root.on("ping", [root, held](corio::context&) { root.emit("pong"); });
        auto chat = io.of("/chat");
        chat.on_disconnect([chat, held](corio::context&, corio::disconnect_reason) { chat.emit("left"); });
        io.use([chat, held](corio::context&) { return corio::accept(); });
        corio::testing::client c(io, ioc);
        BOOST_TEST_REQUIRE(c.connect("/chat"));
    }
    BOOST_TEST(held.use_count() == 1);
}

BOOST_AUTO_TEST_SUITE_END()
