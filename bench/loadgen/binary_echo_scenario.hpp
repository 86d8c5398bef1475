// The `binary-echo` scenario: large binary messages echoed, throughput in
// bytes as well as in acks.
#pragma once

#include "scenario.hpp"

#include <memory>

namespace loadgen {

/// --clients connections each keep --in-flight `echo` emits awaiting their
/// ack, each with one binary attachment of --payload bytes (the Socket.IO
/// binary event `451-<id>["echo",{"_placeholder":true,"num":0}]` followed
/// by the attachment), for --duration or until --max-acks emits. The ack
/// must come back as `461-<id>[{"_placeholder":true,"num":0}]` followed by
/// the same bytes: every echoed attachment is checked whole (its length, a
/// stamp of the client and ack id in its first 16 bytes, then every other
/// byte against what was sent), and one that differs counts as a bad echo.
/// Metrics: acks, acks_per_s, mb_per_s (attachment bytes echoed intact per
/// second, one direction, 1 MB = 10^6 bytes), emit → ack latency,
/// bad_echoes, missing_acks, errors.
std::unique_ptr<scenario> make_binary_echo_scenario(run_context& ctx);

} // namespace loadgen
