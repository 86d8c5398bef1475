// The `fanout` scenario: one sender, a room of receivers.
#pragma once

#include "scenario.hpp"

#include <memory>

namespace loadgen {

/// --clients receivers join room "bench"; one more client (not a member)
/// emits `bcast` with a stamped --payload byte string, the next when the ack
/// arrives (or every --interval-ms), for --duration or --max-broadcasts.
/// Receivers time every delivery and count it per sequence number.
/// Metrics: broadcasts, expected_deliveries, deliveries, lost (after a
/// --drain), deliveries_per_s, end-to-end latency.
std::unique_ptr<scenario> make_fanout_scenario(run_context& ctx);

} // namespace loadgen
