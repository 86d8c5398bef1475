#pragma once
// Every limit and timeout of the Engine.IO layer, in one place.

#include <corio/protocol/limits.hpp>

#include <chrono>
#include <cstddef>
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
    /// Sends `Access-Control-Allow-Credentials: true` (cookies, auth headers).
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

    cors_options cors;
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
};

} // namespace corio::engine
