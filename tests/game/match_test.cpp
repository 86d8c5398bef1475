// Quick match and the turn clock through the game's handlers (corio::testing,
// the memory store, an in-memory database and the manual clock): pairing,
// cancel, a queued player who disconnects, and a game lost on time.
#include "game_fixture.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <map>
#include <memory>
#include <string>

// A named namespace: the unity build puts this file beside play_test.cpp.
namespace match_test {

namespace json = boost::json;
using namespace std::chrono_literals;
using corio::testing::client;

using game_test::ask;
using game_test::error_of;
using game_test::succeeded;
using game_test::text;

// Clocks from 10 s (as corio-game --min-clock 10) to the usual hour.
struct match_fixture : game_test::one_node {
    match_fixture() : one_node(corio_game::lobby_options{.clock_min = 10s}) {}

    /// The login session of each user signed in.
    std::map<std::string, std::string> tokens;

    std::unique_ptr<client> sign_in(const std::string& name)
    {
        tokens[name] = game_test::sign_up(accounts, name).token;
        return connect(name);
    }

    /// Another tab of `name`, who signed in already.
    std::unique_ptr<client> connect(const std::string& name) { return game_test::session_client(io, ioc, tokens.at(name)); }
};

/// The newest `room` state received (everything received is dropped), if any.
std::optional<json::object> latest_room(client& c)
{
    std::optional<json::object> newest;
    for (auto& e : c.get_received())
        if (e.event == "room")
            newest = e.args.values()[0].as_object();
    return newest;
}

json::object clock_option(std::int64_t seconds) { return {{"clock_seconds", seconds}}; }

BOOST_FIXTURE_TEST_SUITE(quick_match_and_clock, match_fixture)

BOOST_AUTO_TEST_CASE(quick_match_pairs_the_next_two_waiting_players)
{
    auto alice = sign_in("alice");
    auto bob = sign_in("bob");
    auto waiting = ask(*alice, "quick_match");
    BOOST_TEST(succeeded(waiting));
    BOOST_TEST(waiting.at("queued").as_bool());
    BOOST_TEST(!latest_room(*alice).has_value());

    auto paired = ask(*bob, "quick_match", json::object{});
    BOOST_TEST_REQUIRE(succeeded(paired));
    auto code = text(paired.at("code"));
    // Both land in the room; the one who waited plays red and moves first.
    for (auto* c : {alice.get(), bob.get()}) {
        auto state = latest_room(*c);
        BOOST_TEST_REQUIRE(state.has_value());
        BOOST_TEST(text(state->at("code")) == code);
        BOOST_TEST(text(state->at("status")) == "playing");
        BOOST_TEST(text(state->at("red")) == "alice");
        BOOST_TEST(text(state->at("yellow")) == "bob");
        BOOST_TEST(!state->contains("clock"));
    }
    BOOST_TEST(succeeded(ask(*alice, "move", 3)));
    BOOST_TEST(error_of(ask(*alice, "quick_match")) == "You are already in room " + code + ".");

    // The queue is empty again: the next player waits.
    auto carol = sign_in("carol");
    BOOST_TEST(ask(*carol, "quick_match").at("queued").as_bool());
}

BOOST_AUTO_TEST_CASE(players_wait_with_those_who_want_the_same_clock)
{
    auto alice = sign_in("alice");
    auto bob = sign_in("bob");
    auto carol = sign_in("carol");
    BOOST_TEST(ask(*alice, "quick_match", clock_option(180)).at("queued").as_bool());
    BOOST_TEST(ask(*bob, "quick_match").at("queued").as_bool());
    auto paired = ask(*carol, "quick_match", clock_option(180));
    BOOST_TEST_REQUIRE(succeeded(paired));
    auto state = latest_room(*alice);
    BOOST_TEST_REQUIRE(state.has_value());
    BOOST_TEST(text(state->at("yellow")) == "carol");
    BOOST_TEST(json::serialize(state->at("clock")) ==
               R"({"seconds":180,"red_ms":180000,"yellow_ms":180000,"running":"red"})");
    BOOST_TEST(!latest_room(*bob).has_value());
}

BOOST_AUTO_TEST_CASE(cancel_and_disconnect_leave_the_queue)
{
    auto alice = sign_in("alice");
    auto bob = sign_in("bob");
    BOOST_TEST(error_of(ask(*alice, "cancel_match")) == "You are not waiting for a quick match.");
    BOOST_TEST(ask(*alice, "quick_match").at("queued").as_bool());
    BOOST_TEST(succeeded(ask(*alice, "cancel_match")));
    BOOST_TEST(ask(*bob, "quick_match").at("queued").as_bool());

    // bob's only socket goes: he waits no more, and carol is not paired with him.
    bob->close();
    alice->run_until_idle();
    auto carol = sign_in("carol");
    BOOST_TEST(ask(*carol, "quick_match").at("queued").as_bool());
    // alice, asking again, gets carol.
    auto paired = ask(*alice, "quick_match");
    BOOST_TEST_REQUIRE(succeeded(paired));
    BOOST_TEST(text(latest_room(*carol)->at("yellow")) == "alice");
}

BOOST_AUTO_TEST_CASE(a_player_with_two_tabs_stays_queued_until_the_last_one_goes)
{
    auto alice = sign_in("alice");
    auto bob = sign_in("bob");
    BOOST_TEST(ask(*alice, "quick_match").at("queued").as_bool());
    // A second tab of alice that closes does not take her out.
    auto second_tab = connect("alice");
    second_tab->close();
    alice->run_until_idle();
    BOOST_TEST(succeeded(ask(*bob, "quick_match")));
    BOOST_TEST(text(latest_room(*alice)->at("red")) == "alice");
}

BOOST_AUTO_TEST_CASE(bad_clock_choices_get_a_clear_error)
{
    auto alice = sign_in("alice");
    const auto range = std::string("A clock gives each player from 10 seconds to 60 minutes, or 0 for no clock.");
    BOOST_TEST(error_of(ask(*alice, "create_room", clock_option(5))) == range);
    BOOST_TEST(error_of(ask(*alice, "create_room", clock_option(-60))) == range);
    BOOST_TEST(error_of(ask(*alice, "create_room", clock_option(3601))) == range);
    BOOST_TEST(error_of(ask(*alice, "quick_match", clock_option(1))) == range);
    // Not a number, or a member it does not know: Corio refuses the argument.
    BOOST_TEST(error_of(ask(*alice, "create_room", json::object{{"clock_seconds", "soon"}})) == "invalid arguments");
    BOOST_TEST(error_of(ask(*alice, "create_room", json::object{{"clock", 60}})) == "invalid arguments");
    BOOST_TEST(error_of(ask(*alice, "quick_match", "fast")) == "invalid arguments");
    // 0 is no clock, as is leaving it out.
    auto created = ask(*alice, "create_room", clock_option(0));
    BOOST_TEST_REQUIRE(succeeded(created));
    BOOST_TEST(!latest_room(*alice)->contains("clock"));
}

BOOST_AUTO_TEST_CASE(a_player_whose_time_runs_out_loses_on_time)
{
    auto alice = sign_in("alice");
    auto bob = sign_in("bob");
    auto carol = sign_in("carol");
    auto created = ask(*alice, "create_room", clock_option(60));
    BOOST_TEST_REQUIRE(succeeded(created));
    auto code = text(created.at("code"));
    BOOST_TEST_REQUIRE(succeeded(ask(*bob, "join_room", code)));
    BOOST_TEST_REQUIRE(succeeded(ask(*carol, "watch_room", code)));

    clock.advance(10s);
    BOOST_TEST_REQUIRE(succeeded(ask(*alice, "move", 3)));
    // Players and spectators see both clocks; bob's runs now.
    auto seen = latest_room(*carol);
    BOOST_TEST_REQUIRE(seen.has_value());
    BOOST_TEST(json::serialize(seen->at("clock")) ==
               R"({"seconds":60,"red_ms":50000,"yellow_ms":60000,"running":"yellow"})");
    latest_room(*alice);

    clock.advance(59'999ms);
    alice->run_until_idle();
    BOOST_TEST(!latest_room(*alice).has_value());
    BOOST_TEST(results.leaderboard().empty());

    clock.advance(1ms);
    alice->run_until_idle();
    for (auto* c : {alice.get(), bob.get(), carol.get()}) {
        auto state = latest_room(*c);
        BOOST_TEST_REQUIRE(state.has_value());
        BOOST_TEST(text(state->at("status")) == "over");
        BOOST_TEST(text(state->at("ending")) == "time");
        BOOST_TEST(text(state->at("winner")) == "red");
        BOOST_TEST(text(state->at("message")) == "bob ran out of time; alice wins.");
        BOOST_TEST(json::serialize(state->at("clock")) == R"({"seconds":60,"red_ms":50000,"yellow_ms":0})");
    }
    BOOST_TEST(error_of(ask(*bob, "move", 3)) == "The game is over.");
    auto board = results.leaderboard();
    BOOST_TEST_REQUIRE(board.size() == 2u);
    BOOST_TEST(board[0].name == "alice");
    BOOST_TEST(board[0].wins == 1);

    // A rematch keeps the room's clock, full again, for the new red (bob).
    BOOST_TEST(succeeded(ask(*alice, "rematch")));
    BOOST_TEST(ask(*bob, "rematch").at("started").as_bool());
    auto again = latest_room(*carol);
    BOOST_TEST_REQUIRE(again.has_value());
    BOOST_TEST(text(again->at("red")) == "bob");
    BOOST_TEST(json::serialize(again->at("clock")) ==
               R"({"seconds":60,"red_ms":60000,"yellow_ms":60000,"running":"red"})");
    clock.advance(60s);
    alice->run_until_idle();
    BOOST_TEST(text(latest_room(*alice)->at("message")) == "bob ran out of time; alice wins.");
}

BOOST_AUTO_TEST_CASE(a_move_that_arrives_after_the_flag_fell_ends_the_game_on_time)
{
    auto alice = sign_in("alice");
    auto bob = sign_in("bob");
    auto code = text(ask(*alice, "create_room", clock_option(30)).at("code"));
    BOOST_TEST_REQUIRE(succeeded(ask(*bob, "join_room", code)));
    // No wake-up comes (as if this node's timer were late, or its node gone
    // before a sweep): the move itself finds the flag down.
    lobby->stop();
    clock.advance(31s);
    BOOST_TEST(error_of(ask(*alice, "move", 3)) == "Time ran out: the game is over.");
    auto state = latest_room(*bob);
    BOOST_TEST_REQUIRE(state.has_value());
    BOOST_TEST(text(state->at("ending")) == "time");
    BOOST_TEST(text(state->at("message")) == "alice ran out of time; bob wins.");
    BOOST_TEST(state->at("moves").as_int64() == 0);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace match_test
