#include <corio/protocol/error.hpp>

#include <string>

namespace corio::protocol {

namespace {

class category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "corio.protocol"; }

    std::string message(int ev) const override
    {
        switch (static_cast<error>(ev)) {
        case error::empty_packet:
            return "empty packet";
        case error::unknown_packet_type:
            return "unknown Engine.IO packet type";
        case error::invalid_base64:
            return "invalid base64 in binary packet";
        case error::payload_too_large:
            return "payload too large";
        case error::too_many_packets:
            return "too many packets in polling payload";
        case error::unknown_socket_packet_type:
            return "unknown Socket.IO packet type";
        case error::invalid_attachment_count:
            return "invalid attachment count";
        case error::too_many_attachments:
            return "too many binary attachments";
        case error::invalid_namespace:
            return "invalid namespace";
        case error::invalid_ack_id:
            return "invalid ack id";
        case error::invalid_json:
            return "invalid JSON data";
        case error::json_too_deep:
            return "JSON data nested too deeply";
        case error::invalid_payload:
            return "invalid payload for packet type";
        case error::invalid_placeholder:
            return "invalid binary attachment placeholder";
        case error::unexpected_binary:
            return "unexpected binary attachment";
        case error::unexpected_text:
            return "unexpected text packet while awaiting attachments";
        case error::unexpected_text_for_msgpack:
            return "unexpected text packet (the msgpack parser sends binary packets)";
        case error::invalid_payload_length:
            return "malformed or mismatched length in an Engine.IO v3 payload";
        case error::invalid_msgpack:
            return "invalid MessagePack data";
        case error::invalid_utf8:
            return "text packet is not valid UTF-8";
        case error::attachments_too_large:
            return "binary attachments of one packet too large";
        }
        return "unknown corio.protocol error";
    }
};

} // namespace

const boost::system::error_category& protocol_category() noexcept
{
    static const category instance;
    return instance;
}

boost::system::error_code make_error_code(error e) noexcept
{
    return {static_cast<int>(e), protocol_category()};
}

} // namespace corio::protocol
