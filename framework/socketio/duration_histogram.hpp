#pragma once
// A histogram of durations with fixed buckets, cheap enough to observe on
// every event: one relaxed fetch_add for the bucket and one for the sum, on
// the calling thread's own cache lines (per_thread).

#include <corio/engine/stats.hpp>

#include "socketio/per_thread.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace corio::detail {

/// @par Thread safety
/// Any thread. Relaxed: a snapshot taken while observations run may count
/// one in its bucket but not yet in the sum; both only grow. Each thread
/// slot has its buckets and sum; a snapshot adds them up.
class duration_histogram {
public:
    /// The upper bounds, from 100 µs to 10 s: handlers and acknowledgements
    /// on a LAN answer in well under a millisecond, a slow handler or a
    /// client on a mobile network in seconds.
    static constexpr std::array<std::chrono::nanoseconds, 16> bounds{
        std::chrono::microseconds(100), std::chrono::microseconds(250),  std::chrono::microseconds(500),
        std::chrono::milliseconds(1),   std::chrono::microseconds(2500), std::chrono::milliseconds(5),
        std::chrono::milliseconds(10),  std::chrono::milliseconds(25),   std::chrono::milliseconds(50),
        std::chrono::milliseconds(100), std::chrono::milliseconds(250),  std::chrono::milliseconds(500),
        std::chrono::seconds(1),        std::chrono::milliseconds(2500), std::chrono::seconds(5),
        std::chrono::seconds(10)};

    void observe(std::chrono::steady_clock::duration d) noexcept
    {
        auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d);
        if (ns.count() < 0)
            ns = {};
        std::size_t i = 0;
        while (i < bounds.size() && ns > bounds[i])
            ++i;
        auto& shard = shards_.local();
        shard.counts[i].fetch_add(1, std::memory_order_relaxed);
        shard.sum_ns.fetch_add(static_cast<std::uint64_t>(ns.count()), std::memory_order_relaxed);
    }

    engine::histogram_snapshot snapshot() const
    {
        engine::histogram_snapshot s;
        s.bounds.reserve(bounds.size());
        for (auto b : bounds)
            s.bounds.push_back(std::chrono::duration<double>(b).count());
        s.counts.assign(bounds.size() + 1, 0);
        std::uint64_t sum_ns = 0;
        shards_.for_each([&](const shard& sh) {
            for (std::size_t i = 0; i < sh.counts.size(); ++i)
                s.counts[i] += sh.counts[i].load(std::memory_order_relaxed);
            sum_ns += sh.sum_ns.load(std::memory_order_relaxed);
        });
        s.sum = static_cast<double>(sum_ns) / 1e9;
        return s;
    }

private:
    struct shard {
        std::array<std::atomic<std::uint64_t>, bounds.size() + 1> counts{};
        std::atomic<std::uint64_t> sum_ns = 0;
    };
    per_thread<shard> shards_;
};

} // namespace corio::detail
