// The `churn` scenario: connections that come and go, to find leaks.
#pragma once

#include "scenario.hpp"

#include <memory>

namespace loadgen {

/// --concurrency loops of connect → `40` → `40{` → WebSocket close, for
/// --duration or --max-cycles attempts. Metrics: cycles, cycles_per_s,
/// failed, handshake latency, the server's RSS at the start and after a
/// --settle wait at the end, rss_growth_pct.
std::unique_ptr<scenario> make_churn_scenario(run_context& ctx);

} // namespace loadgen
