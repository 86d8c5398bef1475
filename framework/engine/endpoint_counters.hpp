#pragma once
// The live counters behind engine::endpoint_stats.

#include <corio/engine/stats.hpp>

#include "engine/session_traffic.hpp"

#include <array>
#include <atomic>
#include <cstdint>

namespace corio::engine::detail {

/// Updated from any strand (relaxed: they are statistics, ordered with
/// nothing else).
struct endpoint_counters {
    std::atomic<std::uint64_t> sessions_opened = 0;
    std::atomic<std::uint64_t> handshakes_refused_rate = 0;
    std::array<std::atomic<std::uint64_t>, close_reason_count> closed{};
    /// Packets and bytes, each session counting its own.
    traffic_registry traffic;

    void count_close(close_reason r) noexcept
    {
        auto i = static_cast<std::size_t>(r);
        if (i < closed.size())
            closed[i].fetch_add(1, std::memory_order_relaxed);
    }

    endpoint_stats snapshot() const
    {
        endpoint_stats s;
        s.sessions_opened = sessions_opened.load(std::memory_order_relaxed);
        s.handshakes_refused_rate = handshakes_refused_rate.load(std::memory_order_relaxed);
        for (std::size_t i = 0; i < closed.size(); ++i)
            s.closed[i] = closed[i].load(std::memory_order_relaxed);
        traffic.add_to(s);
        return s;
    }
};

} // namespace corio::engine::detail
