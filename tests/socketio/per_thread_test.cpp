// Counters kept per thread (per_thread, duration_histogram): what several
// threads add is all there when the shards are summed.

#include "socketio/per_thread.hpp"

#include "socketio/duration_histogram.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

BOOST_AUTO_TEST_SUITE(per_thread_counters)

BOOST_AUTO_TEST_CASE(the_sum_holds_every_threads_additions)
{
    struct shard {
        std::atomic<std::uint64_t> n = 0;
    };
    corio::detail::per_thread<shard> counts;
    // More threads than slots: some share one.
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < corio::detail::thread_slots + 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 1000; ++i)
                counts.local().n.fetch_add(1, std::memory_order_relaxed);
        });
    for (auto& t : threads)
        t.join();
    std::uint64_t sum = 0;
    counts.for_each([&](const shard& s) { sum += s.n.load(); });
    BOOST_TEST(sum == (corio::detail::thread_slots + 4) * 1000);
}

BOOST_AUTO_TEST_CASE(a_histogram_adds_the_buckets_and_sums_of_every_thread)
{
    corio::detail::duration_histogram h;
    std::thread a([&] {
        for (int i = 0; i < 100; ++i)
            h.observe(std::chrono::microseconds(50));
    });
    std::thread b([&] {
        for (int i = 0; i < 10; ++i)
            h.observe(std::chrono::milliseconds(20));
    });
    a.join();
    b.join();
    h.observe(std::chrono::seconds(20));
    auto s = h.snapshot();
    BOOST_TEST(s.counts.size() == corio::detail::duration_histogram::bounds.size() + 1);
    BOOST_TEST(s.counts.at(0) == 100u); // <= 100 µs
    BOOST_TEST(s.counts.at(7) == 10u);  // (10 ms, 25 ms]
    BOOST_TEST(s.counts.back() == 1u);  // above 10 s
    BOOST_TEST(s.sum == 0.005 + 0.2 + 20.0, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_SUITE_END()
