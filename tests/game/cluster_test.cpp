// The game on two nodes joined through a real redis-server (started on a free
// loopback port by tests/redis/redis_server.hpp): each node is a corio::server
// with the Redis adapter, a redis_room_store and a lobby, as corio-game
// --redis runs them, and the two share one accounts database. Players are
// corio::testing clients on either node. Time is real but short (grace,
// sweeps and node timeouts in fractions of a second); every wait is on a
// condition, bounded.
#include "play/redis_room_store.hpp"

#include "chat_log_contract.hpp"
#include "game_fixture.hpp"
#include "redis_server.hpp"
#include "match_contract.hpp"
#include "store_contract.hpp"

#include "play/handlers.hpp"
#include "play/lobby.hpp"
#include "store/accounts.hpp"
#include "store/database.hpp"
#include "store/results.hpp"

#include <corio/redis/adapter.hpp>
#include <corio/redis/connection.hpp>
#include <corio/redis/subscriber.hpp>
#include <corio/server.hpp>
#include <corio/testing/client.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <array>
#include <functional>
#include <memory>
#include <string>

namespace {

namespace json = boost::json;
namespace net = boost::asio;
using namespace std::chrono_literals;
using corio::testing::client;

constexpr auto grace = 1500ms;

/// Drives `ioc` until `done()` or `bound` passed; returns done().
bool drive_until(net::io_context& ioc, const std::function<bool()>& done, std::chrono::milliseconds bound = 5s)
{
    auto deadline = std::chrono::steady_clock::now() + bound;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
        ioc.run_one_for(10ms);
        if (ioc.stopped())
            ioc.restart();
    }
    return done();
}

corio::redis::connection_options redis_options(const corio_test::redis_server& redis)
{
    corio::redis::connection_options co{.where = redis.tcp()};
    co.reconnect_min = 20ms;
    co.reconnect_max = 200ms;
    return co;
}

/// One corio-game node: what main() builds with --redis.
struct game_node {
    std::shared_ptr<corio::redis::connection> pub;
    std::shared_ptr<corio::redis::subscriber> sub;
    std::shared_ptr<corio_game::redis_room_store> store;
    std::unique_ptr<corio::server> io;
    std::shared_ptr<corio_game::lobby> lobby;

    game_node(net::io_context& ioc, const corio_test::redis_server& redis, std::string name,
              corio_game::accounts& accounts, corio_game::results& results, corio_game::clock& clock)
    {
        auto co = redis_options(redis);
        pub = corio::redis::connection::create(ioc.get_executor(), co);
        sub = corio::redis::subscriber::create(ioc.get_executor(), co);
        corio::server_options so;
        so.log = corio::logger::off();
        so.make_adapter = corio::redis::create_adapter(
            pub, sub, {.key = "corio-game", .log = corio::logger::off()});
        so.cluster_timeout = 2s;
        io = std::make_unique<corio::server>(ioc.get_executor(), so);
        pub->start();
        sub->start();
        store = std::make_shared<corio_game::redis_room_store>(
            ioc.get_executor(), co, corio_game::redis_store_options{
                .node = std::move(name), .node_timeout = 600ms, .settle_timeout = 500ms});
        lobby = std::make_shared<corio_game::lobby>(
            io->of("/"), store, results, clock, ioc.get_executor(),
            corio_game::lobby_options{
                .reconnect_grace = grace, .chat_store = store, .clock_min = 1s, .sweep_interval = 100ms});
        corio_game::register_game_handlers(*io, accounts, lobby);
        lobby->start();
    }

    ~game_node() { crash(); }

    bool up() const { return pub->connected() && sub->connected() && store->connected(); }

    /// The node stops as a killed process would: no more sweeps, no more
    /// Redis, and nobody tells the cluster. Its sockets stay open in this
    /// process but are gone as far as the others know.
    void crash()
    {
        lobby->stop();
        store->close();
        pub->close();
        sub->close();
    }
};

struct two_nodes {
    corio_test::redis_server redis;
    net::io_context ioc;
    // One accounts database for both nodes, as two processes on one machine
    // share one SQLite file.
    corio_game::database db{":memory:"};
    corio_game::accounts accounts{db, corio_game::password_cost::minimal};
    corio_game::results results{db};
    std::unique_ptr<corio_game::clock> clock = corio_game::make_steady_clock(ioc.get_executor());
    std::array<std::unique_ptr<game_node>, 2> nodes;

    two_nodes()
    {
        nodes[0] = std::make_unique<game_node>(ioc, redis, "east", accounts, results, *clock);
        nodes[1] = std::make_unique<game_node>(ioc, redis, "west", accounts, results, *clock);
        BOOST_TEST_REQUIRE(drive_until(ioc, [&] { return nodes[0]->up() && nodes[1]->up(); }));
    }

    // A connection's close runs on its strand and fails the commands still
    // waiting for a reply, whose callbacks hold the adapter that holds the
    // connection: run it before the io_context goes, or that cycle leaks.
    ~two_nodes()
    {
        for (auto& node : nodes)
            node->crash();
        ioc.restart();
        ioc.poll();
    }

    struct player {
        corio_game::user user;
        std::string token;
        std::unique_ptr<client> socket;
    };

    player sign_in(const std::string& name, int node)
    {
        auto [user, token] = game_test::sign_up(accounts, name);
        return {user, token, connect(token, node)};
    }

    std::unique_ptr<client> connect(const std::string& token, int node)
    {
        return game_test::session_client(*nodes[node]->io, ioc, token);
    }
};

using game_test::ask;
using game_test::error_of;
using game_test::succeeded;
using game_test::text;

/// Takes `event`s as they come until one satisfies `wanted`, and returns
/// its first argument; fails the test when none does in time.
json::value wait_event(client& c, std::string_view event, const std::function<bool(const json::value&)>& wanted)
{
    for (;;) {
        auto e = c.wait_for(event);
        BOOST_TEST_REQUIRE(e.has_value(), "no " << event << " that was wanted");
        BOOST_TEST_REQUIRE(!e->args.values().empty());
        if (wanted(e->args.values()[0]))
            return e->args.values()[0];
    }
}

json::object wait_room(client& c, const std::function<bool(const json::object&)>& wanted)
{
    return wait_event(c, "room", [&](const json::value& v) { return v.is_object() && wanted(v.as_object()); })
        .as_object();
}

bool status_is(const json::object& state, std::string_view status) { return state.at("status").as_string() == status; }

} // namespace

BOOST_FIXTURE_TEST_SUITE(cluster, two_nodes)

BOOST_AUTO_TEST_CASE(the_redis_store_meets_the_room_lifecycle_contract)
{
    corio_game_test::check_room_lifecycle({ioc, *nodes[0]->store});
}

BOOST_AUTO_TEST_CASE(the_redis_store_meets_the_limits_and_presence_contract)
{
    corio_game_test::check_limits_and_presence({ioc, *nodes[0]->store});
}

BOOST_AUTO_TEST_CASE(the_redis_store_meets_the_quick_match_queue_contract)
{
    corio_game_test::check_quick_match_queue({ioc, *nodes[0]->store});
}

BOOST_AUTO_TEST_CASE(two_players_on_two_nodes_play_a_whole_game_with_a_spectator)
{
    auto alice = sign_in("alice", 0);
    auto bob = sign_in("bob", 1);
    auto carol = sign_in("carol", 1);
    // Presence spans nodes: bob, on the other node, counts alice too.
    wait_event(*bob.socket, "online", [](const json::value& v) { return v.at("players").as_int64() == 3; });

    auto created = ask(*alice.socket, "create_room");
    BOOST_TEST_REQUIRE(succeeded(created));
    auto code = text(created.at("code"));
    // The lobby list on the other node shows the new room.
    wait_event(*bob.socket, "rooms", [&](const json::value& v) {
        return v.as_array().size() == 1u && v.as_array()[0].at("code").as_string() == code;
    });

    BOOST_TEST_REQUIRE(succeeded(ask(*bob.socket, "join_room", code)));
    for (auto* c : {alice.socket.get(), bob.socket.get()}) {
        auto state = wait_room(*c, [](const json::object& s) { return status_is(s, "playing"); });
        BOOST_TEST(text(state.at("red")) == "alice");
        BOOST_TEST(text(state.at("yellow")) == "bob");
    }
    BOOST_TEST_REQUIRE(succeeded(ask(*carol.socket, "watch_room", code)));
    BOOST_TEST(error_of(ask(*bob.socket, "move", 0)) == "It is not your turn.");

    // alice (red) takes column 0 four times; bob answers in column 1.
    int moves = 0;
    std::array<json::object, 3> seen;
    std::array<client*, 3> pages{alice.socket.get(), bob.socket.get(), carol.socket.get()};
    for (int i = 0; i < 4; ++i) {
        BOOST_TEST_REQUIRE(succeeded(ask(*alice.socket, "move", 0)));
        ++moves;
        if (i < 3) {
            BOOST_TEST_REQUIRE(succeeded(ask(*bob.socket, "move", 1)));
            ++moves;
        }
        // Every page, on either node, sees every move.
        for (std::size_t p = 0; p < pages.size(); ++p)
            seen[p] = wait_room(*pages[p], [&](const json::object& s) { return s.at("moves").as_int64() == moves; });
    }
    for (const auto& state : seen) {
        BOOST_TEST(text(state.at("status")) == "over");
        BOOST_TEST(text(state.at("winner")) == "red");
        BOOST_TEST(text(state.at("message")) == "alice wins!");
        BOOST_TEST(json::serialize(state.at("spectators")) == R"(["carol"])");
    }
    BOOST_TEST(error_of(ask(*alice.socket, "move", 2)) == "The game is over.");

    // Chat crosses nodes too.
    BOOST_TEST(succeeded(ask(*bob.socket, "chat", "good game")));
    auto said = wait_event(*alice.socket, "chat", [](const json::value&) { return true; });
    BOOST_TEST(text(said.at("from")) == "bob");

    // One node recorded the result, once.
    auto board = results.leaderboard();
    BOOST_TEST_REQUIRE(board.size() == 2u);
    BOOST_TEST(board[0].name == "alice");
    BOOST_TEST(board[0].wins == 1);
    BOOST_TEST(board[1].losses == 1);
}

BOOST_AUTO_TEST_CASE(a_move_sent_from_two_nodes_at_once_is_accepted_once)
{
    auto alice = sign_in("alice", 0);
    auto bob = sign_in("bob", 1);
    auto code = text(ask(*alice.socket, "create_room").at("code"));
    BOOST_TEST_REQUIRE(succeeded(ask(*bob.socket, "join_room", code)));
    auto alice_west = connect(alice.token, 1);

    // The first move starts on the east node and waits on Redis while the
    // second, from alice's tab on the west node, races it.
    alice.socket->emit("move", 2);
    auto second = ask(*alice_west, "move", 5);
    // A socket's handlers run in order: once this one answers, alice's first
    // move on the east node has finished too, whichever way it went.
    BOOST_TEST_REQUIRE(succeeded(ask(*alice.socket, "chat", "after the race")));

    auto stored = corio_game_test::store_under_test{ioc, *nodes[0]->store}.load(code);
    BOOST_TEST_REQUIRE(stored.found.has_value());
    const auto& game = stored.found->value.game();
    BOOST_TEST(game.moves() == 1);
    BOOST_TEST(to_string(game.turn()) == "yellow");
    auto winner_column = succeeded(second) ? 5 : 2;
    if (!succeeded(second))
        BOOST_TEST(error_of(second) == "It is not your turn.");
    BOOST_TEST(to_string(game.at(winner_column, 0)) == "red");
    // bob, on the west node, sees that one disc.
    auto seen = wait_room(*bob.socket, [](const json::object& s) { return s.at("moves").as_int64() == 1; });
    BOOST_TEST(text(seen.at("board").as_array()[0].as_array()[winner_column]) == "red");
}

BOOST_AUTO_TEST_CASE(a_reload_onto_the_other_node_resumes_the_game)
{
    auto alice = sign_in("alice", 0);
    auto bob = sign_in("bob", 1);
    auto code = text(ask(*alice.socket, "create_room").at("code"));
    BOOST_TEST_REQUIRE(succeeded(ask(*bob.socket, "join_room", code)));
    BOOST_TEST_REQUIRE(succeeded(ask(*alice.socket, "move", 3)));

    bob.socket->close();
    auto away = wait_room(*alice.socket, [](const json::object& s) { return !s.at("away").as_array().empty(); });
    BOOST_TEST(text(away.at("away").as_array()[0].at("name")) == "bob");

    // bob's page comes back through the load balancer, to the east node.
    auto reloaded = connect(bob.token, 0);
    auto state = wait_room(*reloaded, [](const json::object&) { return true; });
    BOOST_TEST(text(state.at("code")) == code);
    BOOST_TEST(state.at("moves").as_int64() == 1);
    wait_room(*alice.socket, [](const json::object& s) { return s.at("away").as_array().empty(); });
    BOOST_TEST_REQUIRE(succeeded(ask(*reloaded, "move", 3)));

    // Past the grace period nothing happens: he came back.
    drive_until(ioc, [] { return false; }, grace + 500ms);
    BOOST_TEST(results.leaderboard().empty());
    BOOST_TEST(succeeded(ask(*alice.socket, "move", 4)));
}

BOOST_AUTO_TEST_CASE(the_redis_store_meets_the_chat_log_contract)
{
    corio_game_test::check_chat_log({ioc, *nodes[0]->store});
    // The other node reads the same logs.
    BOOST_TEST(corio_game_test::run(ioc, nodes[1]->store->recent("ABCD", 50))->size() == 2u);
}

BOOST_AUTO_TEST_CASE(chat_and_moves_replay_after_a_reload_onto_the_other_node)
{
    auto alice = sign_in("alice", 0);
    auto bob = sign_in("bob", 1);
    auto code = text(ask(*alice.socket, "create_room").at("code"));
    BOOST_TEST_REQUIRE(succeeded(ask(*bob.socket, "join_room", code)));
    BOOST_TEST_REQUIRE(succeeded(ask(*alice.socket, "move", 3)));
    BOOST_TEST_REQUIRE(succeeded(ask(*bob.socket, "move", 2)));
    BOOST_TEST_REQUIRE(succeeded(ask(*alice.socket, "chat", "from the east")));
    BOOST_TEST_REQUIRE(succeeded(ask(*bob.socket, "chat", "<b>from the west</b>")));
    wait_event(*alice.socket, "chat",
               [](const json::value& m) { return m.at("text").as_string() == "<b>from the west</b>"; });

    // bob's page comes back through the load balancer, to the east node.
    bob.socket->close();
    auto reloaded = connect(bob.token, 0);
    auto state = wait_room(*reloaded, [](const json::object&) { return true; });
    BOOST_TEST(json::serialize(state.at("columns")) == "[3,2]");
    auto history = wait_event(*reloaded, "chat_log", [](const json::value&) { return true; });
    BOOST_TEST(text(history.at("code")) == code);
    const auto& messages = history.at("messages").as_array();
    BOOST_TEST_REQUIRE(messages.size() == 2u);
    BOOST_TEST(text(messages[0].at("text")) == "from the east");
    BOOST_TEST(text(messages[1].at("text")) == "<b>from the west</b>");
    BOOST_TEST(messages[1].at("id").as_int64() > messages[0].at("id").as_int64());

    // The room closes: its chat goes with it.
    BOOST_TEST_REQUIRE(succeeded(ask(*alice.socket, "leave_room")));
    BOOST_TEST_REQUIRE(succeeded(ask(*reloaded, "leave_room")));
    BOOST_TEST(corio_game_test::run(ioc, nodes[1]->store->recent(code, 50))->empty());
}

BOOST_AUTO_TEST_CASE(a_player_whose_node_stops_forfeits_on_the_other_node)
{
    auto alice = sign_in("alice", 0);
    auto bob = sign_in("bob", 1);
    auto code = text(ask(*alice.socket, "create_room").at("code"));
    BOOST_TEST_REQUIRE(succeeded(ask(*bob.socket, "join_room", code)));
    BOOST_TEST_REQUIRE(succeeded(ask(*alice.socket, "move", 3)));

    alice.socket->get_received(); // what came before
    // The west node dies with bob's socket: nobody runs his disconnect
    // handler. The east node sees west stop sweeping, marks bob away, and
    // forfeits the game when his grace is over.
    nodes[1]->crash();
    auto away = wait_room(*alice.socket, [](const json::object& s) { return !s.at("away").as_array().empty(); });
    BOOST_TEST(text(away.at("away").as_array()[0].at("name")) == "bob");
    auto over = wait_room(*alice.socket, [](const json::object& s) { return status_is(s, "over"); });
    BOOST_TEST(text(over.at("ending")) == "forfeit");
    BOOST_TEST(text(over.at("winner")) == "red");
    // Who is online is told again: only alice.
    wait_event(*alice.socket, "online", [](const json::value& v) { return v.at("players").as_int64() == 1; });

    auto board = results.leaderboard();
    BOOST_TEST_REQUIRE(board.size() == 2u);
    BOOST_TEST(board[0].wins == 1);
}

BOOST_AUTO_TEST_CASE(quick_match_pairs_players_on_two_nodes)
{
    auto alice = sign_in("alice", 0);
    auto bob = sign_in("bob", 1);
    BOOST_TEST(ask(*alice.socket, "quick_match").at("queued").as_bool());
    auto paired = ask(*bob.socket, "quick_match");
    BOOST_TEST_REQUIRE(succeeded(paired));
    auto state = wait_room(*alice.socket, [](const json::object& s) { return status_is(s, "playing"); });
    BOOST_TEST(text(state.at("code")) == text(paired.at("code")));
    BOOST_TEST(text(state.at("red")) == "alice");
    BOOST_TEST(text(state.at("yellow")) == "bob");
}

BOOST_AUTO_TEST_CASE(a_flag_falls_on_the_other_node_when_the_node_that_would_call_it_stops)
{
    // alice and bob play on west, which commits every change and so wakes
    // up for the flag; carol watches from east.
    auto alice = sign_in("alice", 1);
    auto bob = sign_in("bob", 1);
    auto carol = sign_in("carol", 0);
    auto created = ask(*alice.socket, "create_room", json::object{{"clock_seconds", 1}});
    BOOST_TEST_REQUIRE(succeeded(created));
    auto code = text(created.at("code"));
    BOOST_TEST_REQUIRE(succeeded(ask(*carol.socket, "watch_room", code)));
    BOOST_TEST_REQUIRE(succeeded(ask(*bob.socket, "join_room", code)));
    wait_room(*carol.socket, [](const json::object& s) { return status_is(s, "playing"); });
    // West dies before alice's second is up. The deadline is in Redis: east's
    // sweep finds it due and alice loses on time, before the players' grace
    // (node timeout and reconnect grace, 2.1 s) could forfeit anyone.
    nodes[1]->crash();
    auto over = wait_room(*carol.socket, [](const json::object& s) { return status_is(s, "over"); });
    BOOST_TEST(text(over.at("ending")) == "time");
    BOOST_TEST(text(over.at("winner")) == "yellow");
    BOOST_TEST(text(over.at("message")) == "alice ran out of time; bob wins.");
    BOOST_TEST(over.at("clock").at("red_ms").as_int64() == 0);
}

BOOST_AUTO_TEST_CASE(a_departure_cut_short_is_settled_by_the_other_node)
{
    auto alice = sign_in("alice", 0);
    auto bob = sign_in("bob", 1);
    auto code = text(ask(*alice.socket, "create_room").at("code"));
    BOOST_TEST_REQUIRE(succeeded(ask(*bob.socket, "join_room", code)));
    alice.socket->get_received();

    // The west node counts bob's last socket out, and dies before it marks
    // him away (a shutdown cut short, a crash between the two steps).
    auto out = corio_game_test::run(ioc, nodes[1]->store->socket_disconnected(bob.user.id));
    BOOST_TEST_REQUIRE(out.has_value());
    BOOST_TEST(out->user_sockets == 0u);
    nodes[1]->crash();

    // Nobody settled that departure: the east node does, once it is overdue.
    auto away = wait_room(*alice.socket, [](const json::object& s) { return !s.at("away").as_array().empty(); });
    BOOST_TEST(text(away.at("away").as_array()[0].at("name")) == "bob");
    auto over = wait_room(*alice.socket, [](const json::object& s) { return status_is(s, "over"); });
    BOOST_TEST(text(over.at("ending")) == "forfeit");
}

BOOST_AUTO_TEST_CASE(logging_out_disconnects_the_users_sockets_on_every_node)
{
    auto alice = sign_in("alice", 0);
    auto alice_west = connect(alice.token, 1);
    nodes[0]->lobby->disconnect_user(alice.user.id);
    auto both_gone = [&] { return alice.socket->server_disconnected() && alice_west->server_disconnected(); };
    BOOST_TEST(drive_until(ioc, both_gone));
}

BOOST_AUTO_TEST_CASE(without_redis_operations_fail_cleanly_and_resume_once_it_is_back)
{
    auto alice = sign_in("alice", 0);
    redis.stop();
    BOOST_TEST_REQUIRE(drive_until(ioc, [&] { return !nodes[0]->store->connected(); }));
    BOOST_TEST(error_of(ask(*alice.socket, "create_room")) ==
               "The game is unavailable right now; try again in a moment.");
    // A page that connects meanwhile is still welcomed.
    auto bob = sign_in("bob", 1);
    BOOST_TEST(bob.socket->wait_for("welcome").has_value());

    redis.restart();
    BOOST_TEST_REQUIRE(drive_until(ioc, [&] { return nodes[0]->up() && nodes[1]->up(); }, 10s));
    auto created = ask(*alice.socket, "create_room");
    BOOST_TEST_REQUIRE(succeeded(created));
    BOOST_TEST_REQUIRE(succeeded(ask(*bob.socket, "join_room", text(created.at("code")))));
    wait_room(*alice.socket, [](const json::object& s) { return status_is(s, "playing"); });
    // The nodes told the new Redis who is online (the sweep after a reconnect).
    auto online =
        wait_event(*bob.socket, "online", [](const json::value& v) { return v.at("players").as_int64() == 2; });
    BOOST_TEST(online.at("players").as_int64() == 2);
}

BOOST_AUTO_TEST_SUITE_END()
