#pragma once
// Every limit and timeout of the Engine.IO layer, in one place.

#include <corio/log.hpp>
#include <corio/protocol/limits.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace corio::engine {

/// Cross-origin access for browsers on other origins (HTTP long-polling and
/// the WebSocket handshake).
struct cors_options {
    /// Origins allowed, e.g. "https://example.com"; "*" allows any origin.
    /// Empty: no CORS headers are sent, and cross-origin WebSocket handshakes
    /// are not checked (same as a server without CORS).
    std::vector<std::string> allowed_origins;
    /// Sends `Access-Control-Allow-Credentials: true` (cookies, auth headers)
    /// to the origins listed by name. Never to an origin that only "*"
    /// admits: browsers then make its requests without cookies (or refuse
    /// them), as they do for `Access-Control-Allow-Origin: *`. The WebSocket
    /// handshake has no such browser rule: with "*" any page may open one,
    /// cookies included unless their SameSite keeps them back.
    bool credentials = false;
    /// How long browsers may cache a preflight answer.
    std::chrono::seconds preflight_max_age{600};
};

/// WebSocket permessage-deflate (RFC 7692): messages compressed with zlib
/// on the wire, for clients that offer it (browsers and Node's `ws` do).
/// Corio negotiates `server_no_context_takeover` and
/// `client_no_context_takeover`: each message is compressed on its own, so a
/// broadcast is compressed once and every recipient gets the same bytes, and
/// no connection keeps a compression window between messages. A compressed
/// message from a client inflates to at most `limits.max_payload` bytes (a
/// larger one closes that connection with 1009, invalid compressed data with
/// 1007). Long-polling is not compressed.
struct compression_options {
    /// Off by default: with it off, the handshake and every frame are as
    /// without this option.
    bool enabled = false;
    /// Packets smaller than this (Engine.IO payload bytes, the type digit
    /// included) go out uncompressed: below about 1 KiB zlib saves little
    /// and costs as much. Node's `perMessageDeflate.threshold` is 1024 too.
    std::size_t threshold = 1024;
};

/// Options of one Engine.IO endpoint (one path on a listener).
struct options {
    /// Request path the endpoint answers, with its trailing slash
    /// ("/engine.io/" also answers "/engine.io").
    std::string path = "/engine.io/";

    /// The server sends a ping after this much time without one...
    std::chrono::milliseconds ping_interval{25'000};
    /// ...and closes the session when no pong came back within this.
    std::chrono::milliseconds ping_timeout{20'000};
    /// Longest a polling session may take from WebSocket probe to upgrade.
    std::chrono::milliseconds upgrade_timeout{10'000};

    /// Transports clients may use. At least one must be enabled.
    bool allow_polling = true;
    bool allow_websocket = true;
    /// Lets a polling session move to WebSocket (advertised in `upgrades`).
    bool allow_upgrades = true;

    /// Accepts Engine.IO v3 clients (`EIO=3`: socket.io-client 2.x), as
    /// Node's `allowEIO3`. Off: only `EIO=4` is accepted, anything else is
    /// answered 400 `{"code":5,"message":"Unsupported protocol version"}`.
    /// On: a v3 session pings the other way (the client sends pings, the
    /// server answers and closes after ping_interval + ping_timeout without
    /// one), and frames its polling payloads and binary WebSocket frames the
    /// v3 way; session::protocol_version() is 3. JSONP polling is not
    /// supported.
    bool allow_eio3 = false;

    /// Decoder limits. `limits.max_payload` is Engine.IO's `maxPayload` (socket.io's
    /// `maxHttpBufferSize`): a larger POST body gets HTTP 413 and a larger
    /// WebSocket message close code 1009; either way only that session ends.
    protocol::decode_limits limits;

    /// Backpressure: how much may wait to go out to one client. Counted are
    /// the packets queued and not yet handed to the transport, plus the write
    /// in flight: the WebSocket frames taken for writing and not yet written,
    /// or the last long-polling response until the client's next GET. Sizes
    /// are payload bytes; packets are Engine.IO packets (a Socket.IO packet
    /// with binary attachments is one plus one per attachment).
    ///
    /// A packet (or a unit sent together) that would take a session over
    /// either bound closes that session at once with
    /// close_reason::send_queue_full, and its queue is dropped; other
    /// sessions carry on. A volatile packet never closes a session: it is
    /// dropped when the transport is not writable (session::send_volatile).
    ///
    /// There is no grace period: a session is closed the moment it would go
    /// over, so a burst larger than the bounds (one handler emitting tens of
    /// thousands of packets before it yields) closes even a fast reader.
    ///
    /// Node's socket.io has no such bound (ws buffers without limit). The
    /// default is four times the default `limits.max_payload`: a client that
    /// reads keeps far below it, and one that stops reading pins at most this
    /// much. Raise it if you send single messages larger than this.
    std::size_t max_queued_bytes = 4 * 1024 * 1024;
    /// See max_queued_bytes. A queued packet costs roughly 128 bytes besides
    /// its payload, so the default bounds that overhead near
    /// max_queued_bytes too, while leaving room for long-polling, where
    /// everything sent between two GETs queues (10 000 acks to a burst of
    /// events is ordinary).
    std::size_t max_queued_packets = 32 * 1024;

    cors_options cors;

    /// WebSocket permessage-deflate; off by default.
    compression_options compression;

    /// Handshakes (new sessions, either transport) allowed per client
    /// address, as a token bucket: `burst` at once, refilled at
    /// `per_second`. A handshake over it is answered `429 Too Many
    /// Requests` with an Engine.IO error body, code 4 as Node answers a
    /// handshake its allowRequest refuses:
    /// `{"code":4,"message":"Too many handshakes"}` (a WebSocket handshake
    /// gets the same 429 instead of 101), and counted (endpoint_stats::handshakes_refused_rate).
    /// The client's address is the one handlers see (after
    /// listener_options::trusted_proxies). Clients reconnect with backoff, so
    /// a refused one comes back later. `per_second` 0: no limit.
    struct rate {
        double per_second = 0;
        double burst = 0;
    };
    /// 50 per second, bursts of 500: the official test suites and e2e tests
    /// (hundreds of sessions from 127.0.0.1 within seconds) stay under it, and
    /// so does a NAT'd office of hundreds reconnecting at once after a
    /// restart (Socket.IO clients spread their reconnections over seconds);
    /// one host cannot open sessions faster than that for long.
    rate handshake_rate{50, 500};
};

/// Serving HTTPS and WSS directly (listener_options::tls): every connection
/// the listener accepts must open with a TLS handshake; polling, WebSocket and
/// the upgrade between them then run inside it.
struct tls_options {
    /// PEM file: the server's certificate first, then the intermediate
    /// certificates up to (not necessarily including) the root, as clients
    /// need the chain to verify it.
    std::string certificate_chain_file;
    /// PEM file: the private key of that certificate (RSA, ECDSA or Ed25519),
    /// not encrypted.
    std::string private_key_file;
    /// A connection that has not completed its TLS handshake within this is
    /// closed: a plaintext client, garbage, or a handshake cut short costs
    /// only its own connection, and only this long.
    std::chrono::seconds handshake_timeout{10};
};

/// Options of the HTTP listener that carries one or more endpoints.
struct listener_options {
    /// Pending connections the kernel queues before accept.
    int backlog = 1024;

    /// An HTTP connection on which no byte of a request arrives for this
    /// long is closed (listener_stats::idle_timeouts): before its first
    /// request, and between keep-alive requests. It does not bound a request
    /// once begun (header_timeout), nor a long-poll waiting for packets (the
    /// session's heartbeat does). 60 s, as Node's keep-alive sockets are
    /// kept about that long by browsers and proxies.
    std::chrono::milliseconds http_idle_timeout{60'000};
    /// A request's whole header block must arrive within this from its first
    /// byte, or the connection is closed (listener_stats::header_timeouts):
    /// a slow-loris client that trickles header bytes holds a connection this
    /// long at most, however often it sends. 10 s: a header block is at most
    /// max_header_size, seconds even on a poor mobile link (Node allows 60 s;
    /// nginx's client_header_timeout is 60 s; both were set before
    /// slow-loris).
    std::chrono::milliseconds header_timeout{10'000};
    /// Largest request header block, in bytes. A larger one is answered
    /// `431 Request Header Fields Too Large` and the connection closed
    /// (listener_stats::headers_too_large). 16 KiB: browsers send well under
    /// 8 KiB (cookies included); nginx's default buffers are 8 KiB, Node's
    /// limit is 16 KiB.
    std::size_t max_header_size = 16 * 1024;
    /// Requests served on one connection; the last one's response says
    /// `Connection: close`, and the connection is closed after it
    /// (listener_stats::keep_alive_limit_reached). It bounds what one
    /// connection can make the server do before it must connect again (and
    /// pass the connection limits). 0: no limit. 1000, as nginx's
    /// keepalive_requests: a long-polling client makes about two requests per
    /// ping interval, so it reconnects every few hours at the defaults.
    std::size_t max_requests_per_connection = 1000;
    /// Time allowed to write one HTTP response, long-polling answers
    /// included; a response not written by then (a client that does not
    /// read) has its connection closed, and what it held (the response, a
    /// session's last packets) freed (listener_stats::write_timeouts). The
    /// session of a long-poll cut this way hears no more from its client and
    /// ends at its ping timeout (close_reason::ping_timeout). 60 s: the
    /// largest long-polling answer at the defaults (options::max_queued_bytes,
    /// 4 MiB) takes about 35 s at 1 Mbit/s. 0: no limit.
    std::chrono::milliseconds write_timeout{60'000};

    /// Connections open at once, WebSocket connections included. One more
    /// is accepted, answered `503 Service Unavailable` (`Retry-After: 1`)
    /// and closed at once (listener_stats::refused_at_capacity), rather than
    /// left waiting in the backlog. 0: no limit. 10 000: far above what the
    /// test suites and a small deployment use, and a bound on memory
    /// (some tens of KiB per connection). Keep it below the process's
    /// descriptor limit (`ulimit -n`) when you can; past that limit the
    /// listener sheds connections as accept fails (see listener_stats).
    std::size_t max_connections = 10'000;
    /// Connections open at once from one client address. One more is
    /// answered `429 Too Many Requests` and closed at once
    /// (listener_stats::refused_per_address). Counted on the TCP peer's
    /// address; a peer in trusted_proxies is not counted (its connections
    /// carry many clients': options::handshake_rate then limits each client,
    /// by its forwarded address). 0: no limit. 1000, a tenth of
    /// max_connections: a NAT'd office or campus of some hundreds of users,
    /// each with a few tabs, stays under it, while one host cannot take all
    /// the capacity.
    std::size_t max_connections_per_address = 1000;
    /// When accept fails (out of file descriptors, say), the listener waits
    /// before trying again, from 10 ms doubling up to this, and counts the
    /// failures (listener_stats::accept_failures); it never spins nor stops
    /// for good. Out of descriptors, it also answers the pending clients 503
    /// using a spare descriptor it keeps, so they do not wait in the backlog
    /// (listener_stats::shed_out_of_descriptors). 1 s: a client that connects
    /// meanwhile waits at most that long once descriptors are free again.
    std::chrono::milliseconds accept_retry_max_delay{1'000};

    /// Time allowed to write the 101 that accepts a WebSocket upgrading a
    /// polling session. A new session's 101 goes out with its open packet,
    /// a write the heartbeat bounds like any other.
    std::chrono::seconds websocket_handshake_timeout{30};
    /// Reverse proxies (addresses, CIDR ranges) whose X-Forwarded-For or
    /// Forwarded headers name the client: handlers, logs and rate limits
    /// then see the client's address instead of the proxy's (see
    /// trusted_proxies::client_address). Empty: nobody's are believed.
    /// The listener's constructor throws std::invalid_argument on a bad
    /// entry.
    std::vector<std::string> trusted_proxies;
    /// Set: the listener serves HTTPS and WSS only (TLS 1.2 and 1.3), with
    /// this certificate (listener::reload_tls reads the files again). Unset:
    /// plain HTTP and WS.
    std::optional<tls_options> tls;
    /// Where the listener's records go: an accept that fails (warning, once
    /// until one succeeds again), a fallback handler that threw (error), a
    /// certificate reloaded (info), a TLS handshake that failed (debug: port
    /// scanners make many). Default: warnings and errors to stderr.
    logger log;
};

} // namespace corio::engine
