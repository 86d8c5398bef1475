#pragma once
// Counters of the Engine.IO layer: what the listener refused or cut, how
// the sessions of an endpoint ended and what they carried. Snapshots, for
// metrics and tests.

#include <corio/engine/error.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace corio::engine {

/// A snapshot of an engine::listener's counters (listener::stats). Every
/// counter but `connections_open` only grows, from the listener's
/// construction. Each limit of listener_options counts its refusals or
/// closes in a field of its own.
struct listener_stats {
    /// Connections accepted and kept (refused ones are not counted here).
    std::uint64_t connections_accepted = 0;
    /// Connections open now: HTTP connections, and the WebSocket connections
    /// upgraded from them (listener_options::max_connections counts these).
    std::uint64_t connections_open = 0;

    /// Refused with 503 because `max_connections` were open.
    std::uint64_t refused_at_capacity = 0;
    /// Refused with 429 because `max_connections_per_address` were open from
    /// the same address.
    std::uint64_t refused_per_address = 0;

    /// `accept` failures of any kind (each one is followed by a backoff).
    std::uint64_t accept_failures = 0;
    /// ...of which for lack of file descriptors (EMFILE, ENFILE) or kernel
    /// memory (ENOBUFS, ENOMEM).
    std::uint64_t accept_out_of_descriptors = 0;
    /// Connections accepted with the listener's spare descriptor while out
    /// of descriptors, answered 503 and closed at once.
    std::uint64_t shed_out_of_descriptors = 0;

    /// Closed after `http_idle_timeout` without the first byte of a request.
    std::uint64_t idle_timeouts = 0;
    /// Closed because a request header block took over `header_timeout`.
    std::uint64_t header_timeouts = 0;
    /// Answered 431: a header block over `max_header_size`.
    std::uint64_t headers_too_large = 0;
    /// Answered 413: a request body over its endpoint's limit.
    std::uint64_t bodies_too_large = 0;
    /// Closed because a response took over `write_timeout` to write.
    std::uint64_t write_timeouts = 0;
    /// Closed (`Connection: close`) after `max_requests_per_connection`.
    std::uint64_t keep_alive_limit_reached = 0;
};

/// Sessions open now, by the transport they use (an upgraded session counts
/// as websocket).
struct session_counts {
    std::size_t polling = 0;
    std::size_t websocket = 0;
};

/// How many close_reason values there are.
inline constexpr std::size_t close_reason_count = static_cast<std::size_t>(close_reason::send_queue_full) + 1;

/// A snapshot of an engine::server's counters (server::stats). They only
/// grow, from the server's construction.
struct endpoint_stats {
    /// Sessions opened (handshakes answered), either transport.
    std::uint64_t sessions_opened = 0;
    /// Handshakes refused with 429: over options::handshake_rate from the
    /// same address.
    std::uint64_t handshakes_refused_rate = 0;
    /// Sessions closed, by close_reason (index: the enumerator's value).
    std::array<std::uint64_t, close_reason_count> closed{};

    /// Sessions closed with `r`.
    std::uint64_t closed_with(close_reason r) const noexcept { return closed[static_cast<std::size_t>(r)]; }

    // Traffic of every session, open or closed, counted by the session as it
    // reads and writes (see docs/operations.md, "Metrics").
    /// Engine.IO packets received: each WebSocket message is one (upgrade
    /// probes included), each packet decoded from a long-polling POST one.
    std::uint64_t packets_in = 0;
    /// Engine.IO packets sent: handed to the WebSocket writer (the probe's
    /// answer included), or answered to a long-polling GET.
    std::uint64_t packets_out = 0;
    /// Bytes of those packets as their transport carries them: WebSocket
    /// message payloads (a text packet's type digit and data, a binary one's
    /// data), long-polling POST and GET bodies (the packets with their
    /// separators, binary ones in base64). No HTTP headers, WebSocket frame
    /// headers or TLS.
    std::uint64_t bytes_in = 0;
    std::uint64_t bytes_out = 0;
};

/// A snapshot of a histogram of durations, in seconds: how many
/// observations fell in each bucket. Prometheus' buckets are cumulative;
/// these are not (metrics_writer::histogram adds them up).
struct histogram_snapshot {
    /// The buckets' upper bounds (inclusive), ascending.
    std::vector<double> bounds;
    /// Observations per bucket: counts[i] are those in (bounds[i-1],
    /// bounds[i]]; counts.back() (one more than bounds) those above every
    /// bound.
    std::vector<std::uint64_t> counts;
    /// The sum of the observations, in seconds.
    double sum = 0;

    /// Every observation.
    std::uint64_t count() const noexcept
    {
        std::uint64_t n = 0;
        for (auto c : counts)
            n += c;
        return n;
    }
};

} // namespace corio::engine
