// The `echo` scenario: request/response throughput and latency.
#pragma once

#include "scenario.hpp"

#include <memory>

namespace loadgen {

/// --clients connections each emit `echo` with a --payload byte string and
/// an ack request, the next one when the ack arrives (one in flight per
/// client), for --duration or until --max-acks emits. Metrics: acks,
/// acks_per_s, emit → ack latency, errors.
std::unique_ptr<scenario> make_echo_scenario(run_context& ctx);

} // namespace loadgen
