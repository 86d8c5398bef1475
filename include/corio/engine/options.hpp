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
    /// An HTTP connection with no request for this long is closed.
    std::chrono::seconds http_idle_timeout{60};
    /// Largest request header block, in bytes.
    std::size_t max_header_size = 16 * 1024;
    /// Time allowed to complete a WebSocket opening handshake.
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
