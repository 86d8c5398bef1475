// The turn clock (play/turn_clock.hpp) on its own, and in a room: banks that
// run on their owner's turn only, the flag, JSON, rematch. Times are plain
// values on the manual clock's scale, so nothing here waits.
#include "play/turn_clock.hpp"

#include "play/room.hpp"

#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

// A named namespace: the unity build puts this file beside play_test.cpp.
namespace turn_clock_test {

namespace json = boost::json;
using namespace std::chrono_literals;
using corio_game::clock;
using corio_game::disc;
using corio_game::room;
using corio_game::seat;
using corio_game::turn_clock;

std::optional<clock::duration> at(clock::duration d) { return d; }

/// alice (red) and bob (yellow) with a one-minute clock, started at 0.
room timed_room()
{
    room r("TIME", seat{1, "alice"}, 60s);
    r.take_seat(seat{2, "bob"}, 0ms);
    return r;
}

BOOST_AUTO_TEST_SUITE(game_turn_clock)

BOOST_AUTO_TEST_CASE(each_bank_runs_only_on_its_owners_turn)
{
    turn_clock c(60s);
    BOOST_TEST((c.running() == disc::none));
    BOOST_TEST(!c.deadline().has_value());
    c.start(disc::red, 1000ms);
    BOOST_TEST((c.left(disc::red, 11'000ms) == 50s));
    BOOST_TEST((c.left(disc::yellow, 11'000ms) == 60s));
    BOOST_TEST((c.deadline() == at(61'000ms)));

    c.pass(11'000ms); // red moved after 10 s
    BOOST_TEST((c.running() == disc::yellow));
    BOOST_TEST((c.left(disc::red, 40'000ms) == 50s));
    BOOST_TEST((c.left(disc::yellow, 40'000ms) == 31s));
    BOOST_TEST((c.deadline() == at(71'000ms)));

    c.pass(12'000ms); // yellow moved after 1 s
    BOOST_TEST((c.left(disc::yellow, 99'000ms) == 59s));
    BOOST_TEST((c.deadline() == at(62'000ms)));
    BOOST_TEST(!c.flagged(61'999ms));
    BOOST_TEST(c.flagged(62'000ms));
    BOOST_TEST((c.left(disc::red, 90'000ms) == 0ms)); // never below zero
}

BOOST_AUTO_TEST_CASE(a_stopped_clock_stands_still_and_a_new_start_refills_both)
{
    turn_clock c(30s);
    c.start(disc::red, 0ms);
    c.pass(5s);
    c.stop(8s); // yellow used 3 s, then the game ended
    BOOST_TEST((c.running() == disc::none));
    BOOST_TEST((c.left(disc::red, 1h) == 25s));
    BOOST_TEST((c.left(disc::yellow, 1h) == 27s));
    BOOST_TEST(!c.flagged(1h));
    c.start(disc::red, 2h);
    BOOST_TEST((c.left(disc::red, 2h) == 30s));
    BOOST_TEST((c.left(disc::yellow, 2h) == 30s));
}

BOOST_AUTO_TEST_CASE(a_clock_round_trips_through_json_and_bad_ones_are_refused)
{
    turn_clock c(60s);
    c.start(disc::red, 100ms);
    c.pass(2100ms);
    auto back = turn_clock::from_json(c.to_json());
    BOOST_TEST_REQUIRE(back.has_value());
    BOOST_TEST(json::serialize(back->to_json()) == json::serialize(c.to_json()));
    BOOST_TEST((back->left(disc::yellow, 5100ms) == 57s));

    auto with = [&](std::string_view key, json::value v) {
        auto o = c.to_json();
        o[key] = std::move(v);
        return json::value(std::move(o));
    };
    for (const auto& bad : {json::value(42), with("per_player", 0), with("red", -1), with("red", 61'000),
                            with("running", "green"), with("since", "later"), with("yellow", nullptr)})
        BOOST_TEST(!turn_clock::from_json(bad).has_value(), json::serialize(bad));
}

BOOST_AUTO_TEST_CASE(a_room_flags_the_player_to_move_when_their_time_is_up)
{
    auto r = timed_room();
    auto state = r.state(0ms);
    BOOST_TEST_REQUIRE(state.clock.has_value());
    BOOST_TEST(state.clock->seconds == 60);
    BOOST_TEST(state.clock->red_ms == 60'000);
    BOOST_TEST((state.clock->running == corio_game::player_color::red));

    BOOST_TEST(std::holds_alternative<std::optional<corio_game::game_result>>(r.play(1, 3, 20s)));
    BOOST_TEST((r.next_deadline() == at(80s))); // bob's minute, from 20 s
    BOOST_TEST(!r.flagged(79'999ms));
    BOOST_TEST(!r.flag(79'999ms).has_value());
    BOOST_TEST_REQUIRE(r.flagged(80s));

    auto result = r.flag(80s);
    BOOST_TEST_REQUIRE(result.has_value());
    BOOST_TEST(result->ending == "time");
    BOOST_TEST((result->winner == std::optional<std::int64_t>(1)));
    BOOST_TEST((r.status() == corio_game::room_status::over));
    BOOST_TEST(!r.next_deadline().has_value());
    state = r.state(90s);
    BOOST_TEST(state.ending == "time");
    BOOST_TEST(state.winner == "red");
    BOOST_TEST(state.message == "bob ran out of time; alice wins.");
    BOOST_TEST(state.clock->yellow_ms == 0);
    BOOST_TEST(state.clock->red_ms == 40'000);
    BOOST_TEST(!state.clock->running.has_value());
}

BOOST_AUTO_TEST_CASE(a_rematch_keeps_the_rooms_clock_and_refills_it)
{
    auto r = timed_room();
    BOOST_TEST_REQUIRE(r.flag(60s).has_value()); // alice never moved
    BOOST_TEST(r.state(60s).message == "alice ran out of time; bob wins.");
    BOOST_TEST(!r.offer_rematch(1, 70s));
    BOOST_TEST(r.offer_rematch(2, 75s));
    // Colours swapped: bob is red now and his minute runs from 75 s.
    auto state = r.state(75s);
    BOOST_TEST_REQUIRE(state.clock.has_value());
    BOOST_TEST(state.clock->red_ms == 60'000);
    BOOST_TEST(state.clock->yellow_ms == 60'000);
    BOOST_TEST((r.next_deadline() == at(135s)));
}

BOOST_AUTO_TEST_CASE(a_room_keeps_its_clock_through_json)
{
    auto r = timed_room();
    r.play(1, 0, 5s);
    auto back = room::from_json(r.to_json());
    BOOST_TEST_REQUIRE(back.has_value());
    BOOST_TEST((back->state(7s) == r.state(7s)));
    BOOST_TEST((back->next_deadline() == at(65s)));

    // A clock running for the player who is not to move could not have been written.
    auto o = r.to_json();
    o["clock"].as_object()["running"] = "red";
    BOOST_TEST(!room::from_json(o).has_value());
    // A room without a clock writes none and shows none.
    room plain("PLAN", seat{1, "alice"});
    BOOST_TEST(!plain.to_json().contains("clock"));
    BOOST_TEST(!plain.state(0ms).clock.has_value());
    // The lobby's list says which rooms have a clock.
    BOOST_TEST((r.summary().clock_seconds == std::optional<std::int64_t>(60)));
    BOOST_TEST(!plain.summary().clock_seconds.has_value());
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace turn_clock_test
