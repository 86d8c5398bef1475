// Opening many connections at a bounded pace: either R per second, or as
// fast as C handshakes in flight allow.
#pragma once

#include "connection.hpp"
#include "run_context.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <memory>

namespace loadgen {

/// How to open a batch of connections.
struct open_plan {
    std::uint64_t count = 0;
    unsigned concurrency = 500;  ///< handshakes in flight when rate == 0
    double rate = 0;             ///< attempts started per second; 0 = by concurrency
    clock::time_point deadline;  ///< no attempt starts after it
    /// Attempt i goes to ctx.targets[i % n] (n servers, so each gets its
    /// share); otherwise every attempt goes to the first.
    bool spread_over_targets = false;
};

/// What open_many() did.
struct open_stats {
    std::uint64_t started = 0;
    std::uint64_t connected = 0;
    std::uint64_t failed = 0;
};

/// Called once per connection that opened, on its executor, before its
/// reader starts (so it may already send()). `index` is the attempt's number
/// in [0, count) (with open_plan::spread_over_targets, index % n is its
/// server's). Returns the observer for the connection, which must stay
/// valid until the io_context stops. Calls for different connections may run
/// concurrently when the io_context has several threads.
using on_open_fn = std::function<connection_observer&(std::uint64_t index, const std::shared_ptr<connection>& conn,
                                                      clock::duration latency)>;

/// Runs `plan`; returns once every started attempt has finished (each is
/// bounded by the handshake timeout). Failed attempts are counted by reason
/// into `failures` and are not retried. `ctx` and `on_open` must outlive
/// the io_context's run.
boost::asio::awaitable<open_stats> open_many(run_context& ctx, open_plan plan, on_open_fn on_open,
                                             failure_counts& failures);

} // namespace loadgen
