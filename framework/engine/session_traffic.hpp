#pragma once
// What each session of an endpoint received and sent (endpoint_stats'
// packets_in, packets_out, bytes_in, bytes_out).

#include <corio/engine/stats.hpp>

#include <atomic>
#include <cstdint>
#include <mutex>

namespace corio::engine::detail {

class traffic_registry;

/// One session's traffic. Only the session's strand counts (add_in,
/// add_out): a relaxed load and store, no read-modify-write and no cache
/// line shared with other sessions, which keeps the per-packet cost to a
/// few plain instructions. Scrapes read it from any thread. Registered
/// with its endpoint's traffic_registry from construction to destruction,
/// when its counts are folded into the endpoint's totals.
class session_traffic {
public:
    explicit session_traffic(traffic_registry& r);
    ~session_traffic();
    session_traffic(const session_traffic&) = delete;
    session_traffic& operator=(const session_traffic&) = delete;

    /// On the session's strand only.
    void add_in(std::uint64_t packets, std::uint64_t bytes) noexcept
    {
        bump(packets_in_, packets);
        bump(bytes_in_, bytes);
    }
    /// On the session's strand only.
    void add_out(std::uint64_t packets, std::uint64_t bytes) noexcept
    {
        bump(packets_out_, packets);
        bump(bytes_out_, bytes);
    }

private:
    friend class traffic_registry;

    static void bump(std::atomic<std::uint64_t>& c, std::uint64_t n) noexcept
    {
        c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    void add_to(endpoint_stats& s) const noexcept;

    traffic_registry& registry_;
    std::atomic<std::uint64_t> packets_in_ = 0;
    std::atomic<std::uint64_t> packets_out_ = 0;
    std::atomic<std::uint64_t> bytes_in_ = 0;
    std::atomic<std::uint64_t> bytes_out_ = 0;
    // The registry's list of live sessions, under its mutex.
    session_traffic* prev_ = nullptr;
    session_traffic* next_ = nullptr;
};

/// An endpoint's traffic: the totals of its finished sessions plus the
/// counts of the live ones. A session's counts move from the live list to
/// the totals under the same lock a reader takes, so every read sees each
/// packet exactly once and the sums never go down (a Prometheus counter
/// that dropped would read as a restart).
///
/// @par Thread safety
/// Any thread. Locked once per session open and close, and per read: never
/// per packet.
class traffic_registry {
public:
    traffic_registry() = default;
    traffic_registry(const traffic_registry&) = delete;
    traffic_registry& operator=(const traffic_registry&) = delete;

    /// Adds the traffic so far to `s`'s packets_in ... bytes_out.
    void add_to(endpoint_stats& s) const;

private:
    friend class session_traffic;
    void attach(session_traffic& t);
    void detach(session_traffic& t);

    mutable std::mutex mutex_;
    session_traffic* live_ = nullptr;
    endpoint_stats finished_; // only the traffic fields
};

} // namespace corio::engine::detail
