#pragma once
// Engine.IO errors: the HTTP error codes of the protocol, and why a session
// closed.

#include <boost/system/error_code.hpp>

#include <string_view>
#include <type_traits>

namespace corio::engine {

/// The codes an Engine.IO server puts in an HTTP error body
/// `{"code":<n>,"message":"..."}`; the values are the protocol's.
enum class error {
    unknown_transport = 0,
    unknown_sid = 1,
    bad_handshake_method = 2,
    bad_request = 3,
    forbidden = 4,
    unsupported_protocol_version = 5,
};

const boost::system::error_category& engine_category() noexcept;
boost::system::error_code make_error_code(error e) noexcept;

/// Why a session ended. The names follow Engine.IO's close reasons.
enum class close_reason {
    client_close,      ///< the client sent a close packet (socket.io reports "transport close")
    transport_close,   ///< the connection closed or a poll was aborted
    transport_error,   ///< the transport failed (I/O error, duplicate poll)
    parse_error,       ///< the client sent a packet that does not decode
    payload_too_large, ///< a message or POST body over `maxPayload`
    ping_timeout,      ///< no pong within `pingTimeout`
    server_close,      ///< the application closed the session
    server_shutdown,   ///< the server is stopping
    send_queue_full,   ///< Corio's own: the client did not read fast enough to keep the
                       ///< session within `max_queued_bytes`/`max_queued_packets`
};

std::string_view to_string(close_reason r) noexcept;

} // namespace corio::engine

template <>
struct boost::system::is_error_code_enum<corio::engine::error> : std::true_type {};
