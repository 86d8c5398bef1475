// Playing the computer (play/computer.*) through the game's handlers, with
// corio::testing: the computer seats itself with the lobby's join, answers
// moves from its own search thread through the lobby's move, offers
// rematches, leaves with its opponent, and its games stay off the
// leaderboard.
#include "play/computer.hpp"

#include "store/computer_accounts.hpp"

#include "game_fixture.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <functional>
#include <memory>
#include <string>

namespace {

namespace json = boost::json;
using corio::testing::client;

struct computer_fixture : game_test::one_node {
    std::shared_ptr<corio_game::computer> computer = std::make_shared<corio_game::computer>(
        lobby, store, db, ioc.get_executor(), corio_game::computer_options{.pace = std::chrono::milliseconds(0)});

    computer_fixture()
    {
        corio_game::register_computer_handlers(io, computer);
        computer->start();
    }
    // The computer stops first: one_node stops the lobby after it.
    ~computer_fixture() { computer->stop(); }

    std::unique_ptr<client> sign_in(const std::string& name)
    {
        return game_test::session_client(io, ioc, game_test::sign_up(accounts, name).token);
    }
};

json::object ack_of(client& c, std::string_view event, const json::value& arg = nullptr)
{
    return arg.is_null() ? game_test::ask(c, event) : game_test::ask(c, event, arg);
}

using game_test::error_of;

std::string str(const json::value& v)
{
    return v.is_string() ? std::string(v.as_string()) : std::string();
}

/// Drives until a `room` state that `wanted` accepts arrives (the search
/// runs on the computer's thread; its move comes back through the io_context).
json::object room_where(client& c, const std::function<bool(const json::object&)>& wanted)
{
    for (int i = 0; i < 200; ++i) {
        auto e = c.wait_for("room");
        BOOST_TEST_REQUIRE(e.has_value(), "no room state came that the test waited for");
        const auto& state = e->args.values()[0].as_object();
        if (wanted(state))
            return state;
    }
    BOOST_FAIL("too many room states without the one the test waited for");
    return {};
}

json::object after_moves(client& c, std::int64_t moves)
{
    return room_where(c, [moves](const json::object& s) { return s.at("moves").as_int64() == moves; });
}

/// A legal column in `state`: the first of `preferred` that is not full.
int free_column(const json::object& state, std::initializer_list<int> preferred)
{
    const auto& top = state.at("board").as_array().back().as_array();
    for (int c : preferred)
        if (str(top.at(static_cast<std::size_t>(c))).empty())
            return c;
    return -1;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(computer, computer_fixture)

BOOST_AUTO_TEST_CASE(play_computer_seats_the_computer_and_it_answers_a_move)
{
    auto alice = sign_in("alice");
    auto started = ack_of(*alice, "play_computer", "medium");
    BOOST_TEST_REQUIRE(started.contains("ok"), json::serialize(started));
    auto code = str(started.at("code"));

    auto state = room_where(*alice, [](const json::object& s) { return str(s.at("status")) == "playing"; });
    BOOST_TEST(str(state.at("code")) == code);
    BOOST_TEST(str(state.at("red")) == "alice");
    BOOST_TEST(str(state.at("yellow")) == "Computer (medium)");
    BOOST_TEST(str(state.at("turn")) == "red");

    BOOST_TEST(ack_of(*alice, "move", 3).contains("ok"));
    auto answered = after_moves(*alice, 2);
    BOOST_TEST(str(answered.at("turn")) == "red");
    int yellow = 0;
    for (const auto& row : answered.at("board").as_array())
        for (const auto& cell : row.as_array())
            yellow += str(cell) == "yellow";
    BOOST_TEST(yellow == 1);
    // The computer plays as an account of its own, which nobody can log in as.
    corio_game::computer_accounts computers(db);
    BOOST_TEST_REQUIRE(computers.of_level("medium").size() == 1u);
    BOOST_TEST(std::holds_alternative<corio_game::account_error>(accounts.login("computer:medium:1", "!computer")));
    BOOST_TEST(std::holds_alternative<corio_game::account_error>(accounts.login("computer:medium:1", "")));
}

BOOST_AUTO_TEST_CASE(a_whole_game_against_the_computer_ends_and_stays_off_the_leaderboard)
{
    auto alice = sign_in("alice");
    BOOST_TEST_REQUIRE(ack_of(*alice, "play_computer", "easy").contains("ok"));
    auto state = room_where(*alice, [](const json::object& s) { return str(s.at("status")) == "playing"; });
    std::int64_t moves = 0;
    while (str(state.at("status")) == "playing") {
        int column = free_column(state, {3, 2, 4, 1, 5, 0, 6});
        BOOST_TEST_REQUIRE(column >= 0);
        auto ack = ack_of(*alice, "move", column);
        BOOST_TEST_REQUIRE(ack.contains("ok"), json::serialize(ack));
        // Either the game ended with this move, or the computer answers it.
        state = room_where(*alice, [moves](const json::object& s) {
            return str(s.at("status")) == "over" || s.at("moves").as_int64() == moves + 2;
        });
        moves = state.at("moves").as_int64();
    }
    BOOST_TEST(str(state.at("status")) == "over");
    BOOST_TEST(!str(state.at("ending")).empty());
    // Recorded, but not ranked.
    {
        auto c = db.lock();
        auto games = c.prepare("SELECT count(*) FROM games");
        BOOST_TEST_REQUIRE(games.step());
        BOOST_TEST(games.column_int(0) == 1);
    }
    BOOST_TEST(results.leaderboard().empty());
}

BOOST_AUTO_TEST_CASE(the_computer_offers_a_rematch_and_then_plays_first)
{
    auto alice = sign_in("alice");
    BOOST_TEST_REQUIRE(ack_of(*alice, "play_computer", "easy").contains("ok"));
    auto state = room_where(*alice, [](const json::object& s) { return str(s.at("status")) == "playing"; });
    // Alice plays the leftmost free column until the game ends, whoever wins.
    std::int64_t moves = 0;
    while (str(state.at("status")) == "playing") {
        int column = free_column(state, {0, 1, 2, 3, 4, 5, 6});
        BOOST_TEST_REQUIRE(ack_of(*alice, "move", column).contains("ok"));
        state = room_where(*alice, [moves](const json::object& s) {
            return str(s.at("status")) == "over" || s.at("moves").as_int64() == moves + 2;
        });
        moves = state.at("moves").as_int64();
    }
    // The computer asks for another game as soon as one ends.
    state = room_where(*alice, [](const json::object& s) { return !s.at("rematch").as_array().empty(); });
    BOOST_TEST(json::serialize(state.at("rematch")) == R"(["yellow"])");
    auto accepted = ack_of(*alice, "rematch");
    BOOST_TEST(accepted.at("started") == json::value(true));
    // Colours swap: the computer is red and moves first.
    state = after_moves(*alice, 1);
    BOOST_TEST(str(state.at("red")) == "Computer (easy)");
    BOOST_TEST(str(state.at("turn")) == "yellow");
}

BOOST_AUTO_TEST_CASE(the_computer_leaves_with_its_opponent_and_its_account_is_reused)
{
    auto alice = sign_in("alice");
    auto bob = sign_in("bob");
    BOOST_TEST_REQUIRE(ack_of(*alice, "play_computer", "hard").contains("ok"));
    // Two games at once need two accounts: a user is in one room at a time.
    BOOST_TEST_REQUIRE(ack_of(*bob, "play_computer", "hard").contains("ok"));
    corio_game::computer_accounts computers(db);
    BOOST_TEST(computers.of_level("hard").size() == 2u);
    BOOST_TEST(store->room_count() == 2u);

    BOOST_TEST(ack_of(*alice, "leave_room").contains("ok"));
    BOOST_TEST(ack_of(*bob, "leave_room").contains("ok"));
    // The computer leaves each room once it is alone, and the rooms close.
    for (int i = 0; i < 100 && store->room_count() > 0; ++i)
        alice->wait_for("rooms");
    BOOST_TEST(store->room_count() == 0u);

    auto carol = sign_in("carol");
    BOOST_TEST_REQUIRE(ack_of(*carol, "play_computer", "hard").contains("ok"));
    BOOST_TEST(computers.of_level("hard").size() == 2u);
}

// The player reloads while the computer thinks: the room changes twice (away,
// back), so the answer to the first state is refused; the computer answers
// the last one.
BOOST_AUTO_TEST_CASE(a_reload_while_the_computer_thinks_does_not_stall_the_game)
{
    auto registered = accounts.register_user("alice", "correct horse battery");
    auto token = accounts.create_session(std::get<corio_game::user>(registered).id);
    auto connect = [&] {
        corio::testing::client_options o;
        o.headers = {{"cookie", std::string(corio_game::session_cookie_name) + "=" + token}};
        return std::make_unique<client>(io, ioc, std::move(o));
    };
    auto alice = connect();
    BOOST_TEST_REQUIRE(ack_of(*alice, "play_computer", "hard").contains("ok"));
    room_where(*alice, [](const json::object& s) { return str(s.at("status")) == "playing"; });
    BOOST_TEST_REQUIRE(ack_of(*alice, "move", 3).contains("ok"));
    // The hard level thinks for 1.5 s from the empty board: the reload is done long before.
    alice->close();
    auto again = connect();
    BOOST_TEST_REQUIRE(again->connected());
    auto answered = after_moves(*again, 2);
    BOOST_TEST(str(answered.at("turn")) == "red");
}

BOOST_AUTO_TEST_CASE(bad_requests_get_clear_errors)
{
    auto alice = sign_in("alice");
    BOOST_TEST(error_of(ack_of(*alice, "play_computer", "impossible")) == "invalid arguments");
    BOOST_TEST(error_of(ack_of(*alice, "play_computer", 3)) == "invalid arguments");
    auto code = str(ack_of(*alice, "create_room").at("code"));
    BOOST_TEST(error_of(ack_of(*alice, "play_computer", "easy")) == "You are already in room " + code + ".");
}

// The computer's moves carry the version they were decided on: a move
// decided on a room that changed since is refused.
BOOST_AUTO_TEST_CASE(a_move_on_a_stale_version_is_refused)
{
    auto alice = sign_in("alice");
    BOOST_TEST_REQUIRE(ack_of(*alice, "play_computer", "easy").contains("ok"));
    room_where(*alice, [](const json::object& s) { return str(s.at("status")) == "playing"; });
    auto me = accounts.login("alice", "correct horse battery");
    auto future =
        boost::asio::co_spawn(ioc, lobby->move(std::get<corio_game::user>(me), 3, 0), boost::asio::use_future);
    alice->run_until_idle();
    BOOST_TEST(future.get().error.value_or("") == "The game moved on.");
}

BOOST_AUTO_TEST_SUITE_END()
