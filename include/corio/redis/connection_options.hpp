#pragma once
// Options shared by the command connection and the subscriber.

#include <corio/log.hpp>
#include <corio/redis/endpoint.hpp>

#include <chrono>
#include <cstddef>

namespace corio::redis {

struct connection_options {
    endpoint where;
    /// Reconnect delays: the first retry after `reconnect_min`, each next
    /// one doubling up to `reconnect_max`, each with up to 50% random jitter
    /// so that many nodes do not reconnect in step.
    std::chrono::milliseconds reconnect_min{100};
    std::chrono::milliseconds reconnect_max{2'000};
    /// Bounds connecting, AUTH and SELECT together.
    std::chrono::milliseconds connect_timeout{2'000};
    /// Bytes of commands kept while disconnected, sent on reconnect. A
    /// command that does not fit fails at once with error::not_connected.
    std::size_t max_queued_bytes = 8 * 1024 * 1024;
    /// Where the link's records go (remote: the Redis address): a connect
    /// that failed, a connection lost, a subscription refused (warnings,
    /// one per attempt: at most one per reconnect_max while Redis is away),
    /// the link up again (info). Called on the connection's strand.
    /// Default: warnings and errors to stderr; logger::off() for silence.
    logger log;
};

} // namespace corio::redis
