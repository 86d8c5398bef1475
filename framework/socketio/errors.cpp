#include <corio/disconnect_reason.hpp>
#include <corio/error.hpp>
#include <corio/handlers.hpp>

#include <boost/json/object.hpp>

#include <string>

namespace corio {

namespace {

class socketio_error_category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "corio.socketio"; }
    std::string message(int ev) const override
    {
        switch (static_cast<error>(ev)) {
        case error::ack_timeout: return "no acknowledgement within the timeout";
        case error::socket_disconnected: return "the socket disconnected before acknowledging";
        case error::invalid_arguments: return "the event's arguments do not match the handler";
        case error::cluster_timeout: return "not every server replied in time";
        case error::cluster_unavailable: return "the other servers cannot be reached";
        case error::too_many_rooms: return "the socket is in too many rooms";
        case error::too_many_pending_acks: return "the socket has too many acknowledgements pending";
        }
        return "unknown error";
    }
};

} // namespace

const boost::system::error_category& socketio_category() noexcept
{
    static const socketio_error_category category;
    return category;
}

boost::system::error_code make_error_code(error e) noexcept
{
    return {static_cast<int>(e), socketio_category()};
}

std::string_view to_string(disconnect_reason r) noexcept
{
    switch (r) {
    case disconnect_reason::server_disconnect: return "io server disconnect";
    case disconnect_reason::client_disconnect: return "io client disconnect";
    case disconnect_reason::ping_timeout: return "ping timeout";
    case disconnect_reason::transport_close: return "transport close";
    case disconnect_reason::transport_error: return "transport error";
    case disconnect_reason::parse_error: return "parse error";
    case disconnect_reason::payload_too_large: return "payload too large";
    case disconnect_reason::server_shutting_down: return "server shutting down";
    case disconnect_reason::send_queue_full: return "send queue full";
    case disconnect_reason::attachments_too_large: return "attachments too large";
    case disconnect_reason::attachment_timeout: return "attachment timeout";
    case disconnect_reason::event_queue_full: return "event queue full";
    }
    return "unknown";
}

disconnect_reason to_disconnect_reason(engine::close_reason r) noexcept
{
    using engine::close_reason;
    switch (r) {
    case close_reason::client_close: return disconnect_reason::transport_close;
    case close_reason::transport_close: return disconnect_reason::transport_close;
    case close_reason::transport_error: return disconnect_reason::transport_error;
    case close_reason::parse_error: return disconnect_reason::parse_error;
    case close_reason::payload_too_large: return disconnect_reason::payload_too_large;
    case close_reason::ping_timeout: return disconnect_reason::ping_timeout;
    case close_reason::server_close: return disconnect_reason::server_disconnect;
    case close_reason::server_shutdown: return disconnect_reason::server_shutting_down;
    case close_reason::send_queue_full: return disconnect_reason::send_queue_full;
    }
    return disconnect_reason::transport_error;
}

connect_verdict refuse(std::string_view message)
{
    return {boost::json::value(boost::json::object{{"message", message}})};
}

connect_verdict refuse_with(boost::json::value data)
{
    return {std::move(data)};
}

} // namespace corio
