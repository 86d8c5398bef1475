#include "socket_packet_checks.hpp"

#include <corio/protocol/json_writer.hpp>

#include <cmath>
#include <cstdint>
#include <string>

namespace corio::protocol {

namespace {

namespace json = boost::json;

// What socket.io's Decoder.isPayloadValid accepts, but stricter on one
// point: an ACK must carry an array (socket.io lets a data-less ACK through
// to be ignored). An event name may be a string that is not reserved, or a
// number (socket.io-parser accepts `typeof payload[0] === "number"`).
bool payload_valid(socket_packet_type type, const std::optional<json::value>& data) noexcept
{
    switch (type) {
    case socket_packet_type::connect:
        return !data || data->is_object();
    case socket_packet_type::disconnect:
        return !data;
    case socket_packet_type::event:
    case socket_packet_type::binary_event: {
        if (!data || !data->is_array())
            return false;
        const auto& a = data->get_array();
        if (a.empty())
            return false;
        if (a.front().is_number())
            return true;
        if (!a.front().is_string())
            return false;
        const auto& name = a.front().get_string();
        return !is_reserved_event_name({name.data(), name.size()});
    }
    case socket_packet_type::ack:
    case socket_packet_type::binary_ack:
        return data && data->is_array();
    case socket_packet_type::connect_error:
        return data && (data->is_object() || data->is_string());
    }
    return false;
}

// The property key JavaScript makes of the number `n` (String(n)), which is
// what an EventEmitter dispatches a numeric event name under: an integer
// beyond 2^53 is first rounded to a double, as JSON.parse would read it.
std::string js_number_key(const json::value& n)
{
    constexpr std::int64_t exact = std::int64_t{1} << 53;
    double d = 0;
    switch (n.kind()) {
    case json::kind::int64:
        if (n.get_int64() >= -exact && n.get_int64() <= exact)
            return std::to_string(n.get_int64());
        d = static_cast<double>(n.get_int64());
        break;
    case json::kind::uint64:
        if (n.get_uint64() <= static_cast<std::uint64_t>(exact))
            return std::to_string(n.get_uint64());
        d = static_cast<double>(n.get_uint64());
        break;
    default:
        d = n.get_double();
        break;
    }
    if (std::isinf(d))
        return d > 0 ? "Infinity" : "-Infinity";
    // JSON.stringify and String agree on every finite number (-0 is "0").
    return to_json(json::value(d));
}

} // namespace

result<void> check_payload(socket_packet& p)
{
    if (!payload_valid(p.type, p.data))
        return error::invalid_payload;
    if (p.type == socket_packet_type::event || p.type == socket_packet_type::binary_event) {
        // A numeric name becomes its text, so that every consumer sees a
        // string name and dispatch matches socket.io's (`42[1]` reaches the
        // listener of "1").
        auto& name = p.data->get_array().front();
        if (name.is_number())
            name = js_number_key(name);
    }
    return {};
}

} // namespace corio::protocol
