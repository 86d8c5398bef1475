#include <corio/protocol/polling_payload.hpp>

#include <corio/protocol/base64.hpp>
#include <corio/protocol/websocket_frame.hpp>

#include <algorithm>

namespace corio::protocol {

void append_to_payload(const packet& p, std::string& out)
{
    if (!out.empty())
        out.push_back(record_separator);
    if (p.binary) {
        // Polling carries only text, so binary messages travel as base64; `b`
        // cannot be confused with a type digit.
        out.push_back('b');
        base64_encode(p.data, out);
    } else {
        encode_text_packet(p, out);
    }
}

std::string encode_payload(std::span<const packet> packets)
{
    std::string out;
    for (const auto& p : packets)
        append_to_payload(p, out);
    return out;
}

result<std::vector<packet>> decode_payload(std::string_view body, const decode_limits& limits)
{
    if (body.size() > limits.max_payload)
        return error::payload_too_large;
    if (body.empty())
        return error::empty_packet;

    // Count before decoding, so an oversized batch costs no allocation.
    const auto count = static_cast<std::size_t>(std::count(body.begin(), body.end(), record_separator)) + 1;
    if (count > limits.max_packets_per_payload)
        return error::too_many_packets;

    std::vector<packet> packets;
    packets.reserve(count);
    std::size_t pos = 0;
    for (;;) {
        const std::size_t end = std::min(body.find(record_separator, pos), body.size());
        const std::string_view segment = body.substr(pos, end - pos);
        if (segment.empty())
            return error::empty_packet;
        if (segment.front() == 'b') {
            auto bytes = base64_decode(segment.substr(1));
            if (!bytes)
                return bytes.error();
            packets.push_back(binary_message(std::move(*bytes)));
        } else {
            // WebSocket text frames are checked by the frame reader; polling
            // text must be UTF-8 too, or it could not be sent on after an
            // upgrade (a namespace name, an echo) as a valid text frame.
            if (!websocket::valid_utf8(segment))
                return error::invalid_utf8;
            auto p = decode_text_packet(segment);
            if (!p)
                return p.error();
            packets.push_back(std::move(*p));
        }
        if (end == body.size())
            break;
        pos = end + 1;
    }
    return packets;
}

} // namespace corio::protocol
