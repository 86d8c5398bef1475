// The `connect` scenario: how fast and how cheaply the server takes many
// concurrent connections.
#pragma once

#include "scenario.hpp"

#include <memory>

namespace loadgen {

/// Opens --connections at --rate (or --concurrency handshakes in flight),
/// then holds them all --hold seconds answering pings, then closes them.
/// Metrics: requested, connected, failed (+ by reason), duration_s and
/// rate_per_s (first start → last `40{`), handshake latency, the server's
/// RSS before and at the end of the hold, kib_per_connection, and drops.
std::unique_ptr<scenario> make_connect_scenario(run_context& ctx);

} // namespace loadgen
