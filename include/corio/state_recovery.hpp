#pragma once
// Connection state recovery (socket.io >= 4.6's connectionStateRecovery):
// its options, and what an adapter keeps and gives back for it.

#include <corio/protocol/socket_packet.hpp>

#include <boost/json/value.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace corio {

/// Connection state recovery, off by default. On, a socket that lost its
/// connection (transport close or error, ping timeout, server shutting
/// down) is kept for `max_disconnection_duration`: a client that comes back
/// within it gets its id, rooms and shared data back, and the events sent
/// meanwhile to its rooms. The namespace's adapter keeps the sessions and
/// the events (adapter::persist_session, adapter::restore_session);
/// memory_adapter does, within the bounds below. See docs/guide.md
/// "Connection state recovery".
struct state_recovery_options {
    bool enabled = false;
    /// How long a disconnected session, and each event sent, is kept.
    std::chrono::milliseconds max_disconnection_duration{120'000};
    /// A recovered socket skips the connect middlewares (not the connect
    /// handler), as socket.io's skipMiddlewares.
    bool skip_middlewares = true;
    /// Most events kept per namespace; the oldest go first (counted in
    /// server_stats::recovery_packets_dropped). A client whose last event
    /// is gone is not recovered.
    std::size_t max_packets = 10'000;
    /// Most bytes of events kept per namespace, as encoded for the wire.
    std::size_t max_bytes = 16 * 1024 * 1024;
};

/// A socket that left with a recoverable reason, as the adapter keeps it.
struct persisted_session {
    std::string sid;
    /// The private id the client proves the session is its own with.
    std::string pid;
    /// Its rooms when it left, its id room included.
    std::vector<std::string> rooms;
    /// Its shared data (socket_ref::shared_data).
    boost::json::value data;
};

/// A session given back: as persisted, plus the events the socket missed,
/// in the order they were sent, each with its offset as its last argument.
struct restored_session {
    persisted_session session;
    std::vector<protocol::socket_packet> missed;
};

/// What a session store let go of in one step, for server_stats.
struct recovery_drops {
    /// Events dropped to stay within max_packets or max_bytes.
    std::size_t packets_over_limit = 0;
    /// Events older than max_disconnection_duration.
    std::size_t packets_expired = 0;
    /// Sessions not restored within max_disconnection_duration.
    std::size_t sessions_expired = 0;

    bool empty() const noexcept { return packets_over_limit + packets_expired + sessions_expired == 0; }
};

} // namespace corio
