#pragma once
// The measuring phase that echo and binary-echo share once their clients are
// connected: start the clients, wait for the end of the window (the duration,
// --max-acks spent, or every client gone), then for the acks still in flight.

#include "options.hpp"
#include "process_stats.hpp"
#include "run_context.hpp"
#include "report_values.hpp"

#include <boost/asio/awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>

namespace loadgen {

struct ack_window {
    double seconds = 0;             ///< the measured window
    std::uint64_t missing_acks = 0; ///< acks still in flight after the drain
};

/// `Totals` has the atomics stop, emit_budget, in_flight, closed, last_ack_ns
/// and window_end_ns. `running` is true while the window is open. Every
/// reference outlives the call (members of the calling scenario).
template <class Totals>
boost::asio::awaitable<ack_window> measure_ack_window(Totals& totals, std::uint64_t connected, cpu_meter& cpu,
                                                      std::atomic<bool>& running, const options& o,
                                                      std::function<void()> start_clients)
{
    const auto start = clock::now();
    const auto deadline = start + o.duration;
    totals.window_end_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline.time_since_epoch()).count();
    cpu.start();
    running = true;
    start_clients();

    bool ended_early = co_await wait_until(
        [&totals, connected] {
            return (totals.emit_budget.load() <= 0 && totals.in_flight.load() <= 0) ||
                   totals.closed.load() >= connected;
        },
        deadline);
    totals.stop = true;
    cpu.stop();
    ack_window window;
    // Ended by --max-acks (or by losing every client): the window closes at the last ack.
    if (ended_early && totals.last_ack_ns.load() > 0)
        window.seconds = static_cast<double>(totals.last_ack_ns.load() -
                                             std::chrono::duration_cast<std::chrono::nanoseconds>(start.time_since_epoch()).count()) /
                         1e9;
    else
        window.seconds = seconds(clock::now() - start);
    running = false;

    co_await wait_until([&totals] { return totals.in_flight.load() <= 0; }, clock::now() + o.drain);
    window.missing_acks = static_cast<std::uint64_t>(std::max<std::int64_t>(0, totals.in_flight.load()));
    co_return window;
}

} // namespace loadgen
