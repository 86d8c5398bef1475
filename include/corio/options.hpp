#pragma once
// Options of a corio::server: the Engine.IO endpoint's, plus the Socket.IO layer's.

#include <corio/adapter.hpp>
#include <corio/engine/options.hpp>
#include <corio/log.hpp>
#include <corio/protocol/socket_packet.hpp>
#include <corio/state_recovery.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace corio {

/// A token bucket: it holds up to `burst` tokens, gains `per_second` tokens
/// a second, and each event a client sends takes one. An event that finds
/// the bucket empty is dropped (see socket_limits::events).
struct event_rate {
    /// Tokens gained per second; 0 (or less): no limit.
    double per_second = 0;
    /// The most tokens the bucket holds, which it starts with: how many
    /// events may come at once. Below 1, one.
    double burst = 1;
};

/// What one client may make the server hold: per connection and per socket.
/// Each bound, when crossed, has its own error or disconnect reason and its
/// own counter in server_stats. Every default is far above what the official
/// clients and Node's or Python's socket.io servers let through in normal
/// use, so a well-behaved application never meets them; lower them for a
/// server that faces the internet.
struct socket_limits {
    /// How long the binary attachments of one packet may take to arrive,
    /// from its text message to its last attachment. A client that withholds
    /// one would otherwise keep the others (up to
    /// engine.limits.max_attachment_bytes) for as long as it answers pings.
    /// Over it, the connection is closed (disconnect_reason::attachment_timeout,
    /// server_stats::attachment_timeouts). The official clients send the
    /// attachments right after the text; 60 s leaves room for a slow link
    /// to carry max_attachment_bytes over several polling requests.
    std::chrono::milliseconds attachment_timeout{60'000};
    /// Most namespaces one connection may be connected or connecting to at
    /// once. A CONNECT over it is refused with CONNECT_ERROR
    /// `{"message":"too many namespaces"}` (the connection stays open;
    /// server_stats::namespace_limit_refusals). Node and Python have no such
    /// bound; an application multiplexes a handful of namespaces.
    std::size_t max_namespaces_per_connection = 100;
    /// Most rooms a socket may be in besides its own id room. socket_ref::join
    /// (and context::join) over it does not join and returns
    /// error::too_many_rooms (server_stats::room_limit_refusals); a join to a
    /// room the socket is already in always succeeds. Joins from two threads
    /// at once may pass it by one each. Cluster-wide joins
    /// (broadcast_operator::sockets_join) are the application's own
    /// decision and are not bounded.
    std::size_t max_rooms_per_socket = 1'000;
    /// Most emit_with_ack requests a socket may have awaiting the client's
    /// answer (its own and broadcasts' with acks). One over it is not sent
    /// and completes at once with error::too_many_pending_acks
    /// (server_stats::ack_limit_refusals); a broadcast with acks just gets no
    /// answer from that socket. Each waits at most its timeout, so this
    /// bounds what a client that never answers makes the server keep.
    std::size_t max_pending_acks = 1'000;
    /// Most handlers of one socket running at once in a namespace with
    /// concurrent_handlers (a sequential namespace runs one). Further events
    /// wait, in order, for a handler to end (max_queued_events bounds them).
    /// Below 1, one.
    std::size_t max_concurrent_handlers = 64;
    /// Most events of one socket waiting for a handler (received before the
    /// socket finished connecting, or while its handlers are busy). One more
    /// closes the connection (disconnect_reason::event_queue_full,
    /// server_stats::event_queue_full): the client sends faster than its
    /// handlers run, as the server's send queue limit does the other way.
    /// The default is decode_limits' max_packets_per_payload, since a
    /// polling client may send that many events in one request.
    std::size_t max_queued_events = 100'000;
    /// The token bucket of each socket's events (one bucket per socket).
    /// An event over it is dropped before its handler (and any catch-all)
    /// runs, and counted in server_stats::events_rate_limited; if the
    /// connected socket asked for an ack, the ack answers
    /// `{"error":"rate limited","event":<name>}` (as an argument error
    /// does), so that its callback need not time out. No limit by default:
    /// neither Node nor Python has one, and a client that reconnects flushes
    /// every event it buffered meanwhile at once.
    event_rate events;
    /// Per-event buckets that replace `events` for the events they name:
    /// each socket gets its own bucket per name listed here, and those
    /// events do not take from the `events` bucket. E.g. `{"chat", {1, 5}}`:
    /// five chat messages at once, then one a second.
    std::map<std::string, event_rate, std::less<>> event_rates;
};

struct server_options {
    server_options() { engine.path = "/socket.io/"; }

    /// Transports, heartbeat, limits, CORS. Its path defaults to "/socket.io/".
    engine::options engine;
    /// A client that has not connected to any namespace this long after its
    /// Engine.IO handshake is closed.
    std::chrono::milliseconds connect_timeout{45'000};
    /// Default timeout of emit_with_ack when none is given.
    std::chrono::milliseconds ack_timeout{10'000};
    /// Event sent to a client whose event arguments did not convert to the
    /// handler's types, when the client asked for no ack (with an ack the
    /// error goes in the ack). Empty: send nothing.
    std::string argument_error_event = "error";
    /// How packets are written into Engine.IO messages, as socket.io's
    /// `parser` option: the default text parser, or socket.io-msgpack-parser's
    /// MessagePack (smaller for binary and numbers; the clients must be
    /// configured with the same parser). See docs/guide.md "The msgpack
    /// parser".
    protocol::socket_parser parser = protocol::socket_parser::json;
    /// Where the server's records go, and from which level (see logger).
    /// Default: warnings and errors to stderr. At info: connects,
    /// disconnects, refused connects; at debug also every event received.
    logger log;
    /// Makes each namespace's adapter (rooms, broadcasts, cluster
    /// operations). Default: make_memory_adapter (this server alone).
    adapter_factory make_adapter;
    /// How long a request to the cluster (fetch_sockets, server-side emit
    /// with ack) waits for every server's reply before it fails with
    /// error::cluster_timeout. socket.io's requestsTimeout.
    std::chrono::milliseconds cluster_timeout{5'000};
    /// Per-connection and per-socket bounds (see socket_limits).
    socket_limits limits;
    /// Removes a namespace made by server::of_dynamic once no socket is
    /// connected or connecting to it, as Node's
    /// `cleanupEmptyChildNamespaces` (counted in
    /// server_stats::dynamic_namespaces_removed). A later CONNECT to that name
    /// creates it afresh and runs its setup again. On by default: without it,
    /// every name a client made up stays, with its adapter, for good.
    bool cleanup_empty_dynamic_namespaces = true;
    /// Connection state recovery in every namespace, as socket.io's
    /// `connectionStateRecovery` (nsp::state_recovery sets it for one
    /// namespace instead); off by default (see state_recovery_options). On, a CONNECT answer carries a `pid` too,
    /// and every event without ack that is not volatile carries an offset
    /// as its last argument.
    state_recovery_options recovery;
};

} // namespace corio
