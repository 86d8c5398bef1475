#include <corio/engine/error.hpp>

#include <string>

namespace corio::engine {

namespace {

class engine_error_category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "corio.engine"; }

    // The texts are Engine.IO's own: clients may show them.
    std::string message(int ev) const override
    {
        switch (static_cast<error>(ev)) {
        case error::unknown_transport: return "Transport unknown";
        case error::unknown_sid: return "Session ID unknown";
        case error::bad_handshake_method: return "Bad handshake method";
        case error::bad_request: return "Bad request";
        case error::forbidden: return "Forbidden";
        case error::unsupported_protocol_version: return "Unsupported protocol version";
        }
        return "Unknown error";
    }
};

} // namespace

const boost::system::error_category& engine_category() noexcept
{
    static const engine_error_category category;
    return category;
}

boost::system::error_code make_error_code(error e) noexcept
{
    return {static_cast<int>(e), engine_category()};
}

std::string_view to_string(close_reason r) noexcept
{
    switch (r) {
    case close_reason::client_close: return "client close";
    case close_reason::transport_close: return "transport close";
    case close_reason::transport_error: return "transport error";
    case close_reason::parse_error: return "parse error";
    case close_reason::payload_too_large: return "payload too large";
    case close_reason::ping_timeout: return "ping timeout";
    case close_reason::server_close: return "forced close";
    case close_reason::server_shutdown: return "server shutting down";
    case close_reason::send_queue_full: return "send queue full";
    }
    return "unknown";
}

} // namespace corio::engine
