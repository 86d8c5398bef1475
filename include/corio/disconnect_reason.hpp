#pragma once

#include <corio/engine/error.hpp>

#include <cstddef>
#include <string_view>

namespace corio {

/// Why a socket left its namespace. `to_string` gives the names socket.io
/// clients know.
enum class disconnect_reason {
    server_disconnect,    ///< "io server disconnect": the server called disconnect
    client_disconnect,    ///< "io client disconnect": the client left the namespace
    ping_timeout,         ///< "ping timeout"
    transport_close,      ///< "transport close": the connection closed
    transport_error,      ///< "transport error"
    parse_error,          ///< "parse error": the client sent a malformed packet
    payload_too_large,    ///< "payload too large": a message over maxHttpBufferSize
    server_shutting_down, ///< "server shutting down"
    send_queue_full,      ///< "send queue full": Corio's own, not a socket.io reason. The client
                          ///< did not read fast enough: the session went over
                          ///< engine::options::max_queued_bytes or max_queued_packets
    // Corio's own, for the limits of server_options::limits and engine.limits:
    attachments_too_large, ///< "attachments too large": one packet's binary attachments went
                           ///< over decode_limits::max_attachment_bytes
    attachment_timeout,    ///< "attachment timeout": one packet's attachments took longer than
                           ///< socket_limits::attachment_timeout
    event_queue_full,      ///< "event queue full": more events waited for a handler than
                           ///< socket_limits::max_queued_events
};

/// How many disconnect_reason values there are.
inline constexpr std::size_t disconnect_reason_count =
    static_cast<std::size_t>(disconnect_reason::event_queue_full) + 1;

std::string_view to_string(disconnect_reason r) noexcept;

/// The socket-level reason for an Engine.IO close.
disconnect_reason to_disconnect_reason(engine::close_reason r) noexcept;

} // namespace corio
