#pragma once
// Counters that every thread adds to and that are read rarely (server_stats,
// a Prometheus scrape): each thread writes a cache line of its own, so a
// delivery or an event on one core does not take the line from another; a
// read sums the lines.

#include <array>
#include <atomic>
#include <cstddef>

namespace corio::detail {

/// How many threads get a line of their own; threads past it share one
/// (still correct: the shards' members are atomics).
inline constexpr std::size_t thread_slots = 16;

/// The calling thread's slot in [0, thread_slots): the order in which
/// threads first asked, modulo thread_slots. Fixed for the thread's life.
inline std::size_t thread_slot() noexcept
{
    static std::atomic<std::size_t> next{0};
    thread_local const std::size_t slot = next.fetch_add(1, std::memory_order_relaxed) % thread_slots;
    return slot;
}

/// One `Shard` per thread slot, each on cache lines of its own. `Shard`
/// holds atomics, added to with relaxed order by the thread of its slot
/// (and by any thread sharing that slot).
///
/// @par Thread safety
/// Any thread: local() for writing, for_each() for summing. A sum taken while
/// threads add is a moment's value of each shard, not of the whole.
template <class Shard>
class per_thread {
public:
    Shard& local() noexcept { return shards_[thread_slot()].value; }

    template <class F>
    void for_each(F f) const
    {
        for (const auto& s : shards_)
            f(s.value);
    }

private:
    // 64: the cache line of the x86-64 and AArch64 cores this runs on
    // (std::hardware_destructive_interference_size warns in a header).
    struct alignas(64) padded {
        Shard value{};
    };
    std::array<padded, thread_slots> shards_{};
};

} // namespace corio::detail
