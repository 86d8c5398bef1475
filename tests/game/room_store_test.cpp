// Rooms as a store keeps them (room::to_json / from_json), and the memory
// room store against the contract every store meets (store_contract.hpp).
#include "play/memory_room_store.hpp"

#include "match_contract.hpp"
#include "store_contract.hpp"

#include "play/clock.hpp"
#include "play/room.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

namespace {

namespace json = boost::json;
using namespace corio_game;
using namespace std::chrono_literals;

/// A room with a bit of everything: a game under way, spectators, a player away.
room busy_room()
{
    room r("K7QX", seat{1, "alice"});
    r.take_seat(seat{2, "bob"});
    r.add_spectator(seat{3, "carol"});
    r.add_spectator(seat{4, "dan <b>"});
    for (auto [user, column] : {std::pair{1, 3}, {2, 3}, {1, 4}, {2, 0}})
        BOOST_TEST_REQUIRE(std::holds_alternative<std::optional<game_result>>(r.play(user, column)));
    r.mark_away(2, 12'345ms);
    return r;
}

/// `r` as JSON, with `key` replaced by `value`.
json::value with(const room& r, std::string_view key, json::value value)
{
    auto o = r.to_json();
    o[key] = std::move(value);
    return o;
}

} // namespace

BOOST_AUTO_TEST_SUITE(room_json)

BOOST_AUTO_TEST_CASE(a_room_survives_a_round_trip_through_json_text)
{
    auto r = busy_room();
    auto text = json::serialize(r.to_json());
    auto back = room::from_json(json::parse(text));
    BOOST_TEST_REQUIRE(back.has_value());
    BOOST_TEST((back->state(10'000ms) == r.state(10'000ms)));
    BOOST_TEST((back->summary() == r.summary()));
    BOOST_TEST(json::serialize(back->to_json()) == text);
    BOOST_TEST(back->is_away(2));
    BOOST_TEST((back->next_deadline() == std::optional<clock::duration>(12'345ms)));

    // And it plays on from there.
    BOOST_TEST(std::holds_alternative<std::optional<game_result>>(back->play(1, 5)));
    BOOST_TEST(back->game().moves() == 5);
}

BOOST_AUTO_TEST_CASE(a_finished_game_with_a_rematch_offer_round_trips)
{
    room r("ABCD", seat{1, "alice"});
    r.take_seat(seat{2, "bob"});
    for (int column : {0, 1, 0, 1, 0, 1, 0})
        r.play(r.game().turn() == disc::red ? 1 : 2, column);
    BOOST_TEST_REQUIRE((r.status() == room_status::over));
    r.offer_rematch(2);
    auto back = room::from_json(r.to_json());
    BOOST_TEST_REQUIRE(back.has_value());
    BOOST_TEST((back->state(0ms) == r.state(0ms)));
    BOOST_TEST(back->offer_rematch(1)); // the second offer starts the next game
}

BOOST_AUTO_TEST_CASE(what_a_room_could_not_have_written_is_refused)
{
    auto r = busy_room();
    BOOST_TEST(room::from_json(r.to_json()).has_value());
    const json::value bad[] = {
        json::value("not an object"),
        with(r, "format", 2),
        with(r, "code", "K7QXY"),
        with(r, "status", "paused"),
        with(r, "red", json::object{{"id", "1"}, {"name", "alice"}}),
        with(r, "yellow", json::object{{"id", 1}, {"name", "alice"}}), // both seats one user
        with(r, "yellow", nullptr),                                    // a game with one player
        with(r, "spectators", json::array{json::object{{"id", 1}, {"name", "alice"}}}),
        with(r, "columns", json::array{3, 3, 3, 3, 3, 3, 3}), // a seventh disc in a column
        with(r, "columns", json::array{7}),
        with(r, "columns", json::array{4294967299LL}), // 3 once cut to 32 bits
        with(r, "columns", json::array{0, 1, 0, 1, 0, 1, 0}), // "playing" after a win
        with(r, "away", json::array{json::object{{"id", 3}, {"deadline", 1}}}), // a spectator away
        with(r, "winner", "green"),
        with(r, "red_rematch", "yes"),
    };
    for (const auto& v : bad)
        BOOST_TEST(!room::from_json(v).has_value(), json::serialize(v));
    auto missing = r.to_json();
    missing.erase("columns");
    BOOST_TEST(!room::from_json(missing).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(memory_store)

BOOST_AUTO_TEST_CASE(meets_the_room_lifecycle_contract)
{
    boost::asio::io_context ioc;
    manual_clock clock;
    memory_room_store store(clock);
    corio_game_test::check_room_lifecycle({ioc, store});
    BOOST_TEST(store.room_count() == 1u);
}

BOOST_AUTO_TEST_CASE(meets_the_limits_and_presence_contract)
{
    boost::asio::io_context ioc;
    manual_clock clock;
    memory_room_store store(clock);
    corio_game_test::check_limits_and_presence({ioc, store});
    BOOST_TEST(store.online() == 1u);
}

BOOST_AUTO_TEST_CASE(its_time_is_the_lobbys_clock)
{
    boost::asio::io_context ioc;
    manual_clock clock;
    memory_room_store store(clock);
    clock.advance(42s);
    auto snap = corio_game_test::run(ioc, store.load("NONE"));
    BOOST_TEST_REQUIRE(snap.has_value());
    BOOST_TEST(!snap->found.has_value());
    BOOST_TEST(snap->now.count() == 42'000);
    auto swept = corio_game_test::run(ioc, store.sweep());
    BOOST_TEST_REQUIRE(swept.has_value());
    BOOST_TEST(swept->gone.empty());
    BOOST_TEST(swept->due.empty());
}

BOOST_AUTO_TEST_CASE(meets_the_quick_match_queue_contract)
{
    boost::asio::io_context ioc;
    manual_clock clock;
    memory_room_store store(clock);
    corio_game_test::check_quick_match_queue({ioc, store});
}

BOOST_AUTO_TEST_SUITE_END()
