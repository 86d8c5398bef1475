// The `fanout` and `cluster-fanout` scenarios: one sender, a room of
// receivers, on one server or split over several.
#pragma once

#include "scenario.hpp"

#include <memory>

namespace loadgen {

/// --clients receivers join room "bench"; one more client (not a member)
/// emits `bcast` with a stamped --payload byte string, the next when the ack
/// arrives (or every --interval-ms), for --duration or --max-broadcasts.
/// Receivers time every delivery and count it per sequence number.
/// Metrics: broadcasts, expected_deliveries, deliveries, lost (after a
/// --drain), deliveries_per_s, end-to-end latency; with --server-pid, the
/// servers' CPU time from the first broadcast to the end of the drain,
/// deliveries per server CPU-second, and RSS.
///
/// cluster-fanout (several --url): receiver i connects to server i % n, the
/// emitter to the first server, so each broadcast reaches the other servers'
/// receivers through the cluster's adapter (Redis). Adds per-server
/// deliveries, loss and latency ("nodes"); the CPU time is the servers' sum.
std::unique_ptr<scenario> make_fanout_scenario(run_context& ctx);

} // namespace loadgen
