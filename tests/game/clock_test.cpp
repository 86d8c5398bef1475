// The game's clocks: the manual one the handler tests drive, and the real one.
#include "play/clock.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace std::chrono_literals;
using corio_game::manual_clock;

BOOST_AUTO_TEST_SUITE(game_clock)

BOOST_AUTO_TEST_CASE(manual_clock_runs_due_callbacks_in_time_order)
{
    manual_clock clock;
    std::vector<std::string> ran;
    auto late = clock.after(300ms, [&] { ran.push_back("late"); });
    auto early = clock.after(100ms, [&] { ran.push_back("early"); });
    auto also_early = clock.after(100ms, [&] { ran.push_back("also early"); });

    clock.advance(99ms);
    BOOST_TEST(ran.empty());
    clock.advance(1ms);
    BOOST_TEST((ran == std::vector<std::string>{"early", "also early"}));
    BOOST_TEST(clock.now().count() == 100);
    clock.advance(1s);
    BOOST_TEST(ran.size() == 3u);
    clock.advance(1s);
    BOOST_TEST(ran.size() == 3u); // each runs once
}

BOOST_AUTO_TEST_CASE(manual_clock_cancelled_or_dropped_timers_never_run)
{
    manual_clock clock;
    int ran = 0;
    auto cancelled = clock.after(10ms, [&] { ++ran; });
    cancelled->cancel();
    clock.after(10ms, [&] { ++ran; }).reset();
    clock.advance(1s);
    BOOST_TEST(ran == 0);
}

BOOST_AUTO_TEST_CASE(manual_clock_callbacks_may_schedule_more)
{
    manual_clock clock;
    std::vector<long> fired_at;
    std::unique_ptr<corio_game::clock::timer> second;
    auto first = clock.after(10ms, [&] {
        fired_at.push_back(clock.now().count());
        second = clock.after(10ms, [&] { fired_at.push_back(clock.now().count()); });
    });
    clock.advance(100ms);
    BOOST_TEST((fired_at == std::vector<long>{10, 20}));
}

BOOST_AUTO_TEST_CASE(steady_clock_fires_on_its_executor_unless_cancelled)
{
    boost::asio::io_context ioc;
    auto clock = corio_game::make_steady_clock(ioc.get_executor());
    bool fired = false, cancelled_fired = false;
    auto timer = clock->after(1ms, [&] { fired = true; });
    auto cancelled = clock->after(1ms, [&] { cancelled_fired = true; });
    cancelled.reset();
    ioc.run();
    BOOST_TEST(fired);
    BOOST_TEST(!cancelled_fired);
}

BOOST_AUTO_TEST_SUITE_END()
