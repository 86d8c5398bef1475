// What every scenario shares: the io_context, the options, the target and
// the failure counts, plus the small waiting helpers phases are built from.
#pragma once

#include "failure_counts.hpp"
#include "options.hpp"
#include "target.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <exception>
#include <functional>
#include <vector>

namespace loadgen {

using clock = std::chrono::steady_clock;

/// Lives on main's stack until the io_context's threads have returned.
///
/// @par Thread Safety
/// `opts` and `targets` are read-only; `failures` is thread safe.
struct run_context {
    boost::asio::io_context& ioc;
    const options& opts;
    /// One per --url, in order; never empty.
    const std::vector<target> targets;
    failure_counts failures;

    /// The first (for every scenario but cluster-fanout, the only) server.
    const target& tgt() const { return targets.front(); }

    /// The executor for a new connection (or for the coroutine that opens
    /// several in turn): a strand when the io_context runs on several
    /// threads, so one connection's handlers never overlap; the io_context's
    /// own executor with one thread, where a strand would only cost.
    boost::asio::any_io_executor make_executor();
};

/// Completion handler for detached coroutines: an escaped exception is
/// counted as an "internal: …" failure instead of vanishing or aborting.
struct count_exceptions {
    failure_counts* failures;
    void operator()(std::exception_ptr e) const;
};

/// Steady-clock nanoseconds, the unit fanout stamps carry on the wire.
std::int64_t now_ns();

/// Sleeps until `done()` holds or `deadline` passes, checking every `period`;
/// returns done(). Phase changes need no per-event notification on the hot
/// path: a 10 ms poll is precise enough for them and costs nothing.
boost::asio::awaitable<bool> wait_until(std::function<bool()> done, clock::time_point deadline,
                                        std::chrono::milliseconds period = std::chrono::milliseconds(10));

/// Sleeps for `d` on the calling coroutine's executor.
boost::asio::awaitable<void> sleep_for(clock::duration d);

} // namespace loadgen
