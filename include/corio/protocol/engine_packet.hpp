#pragma once
// Engine.IO v4 packets: one type digit followed by the data, or raw bytes for a
// binary message.

#include <corio/protocol/error.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace corio::protocol {

enum class packet_type : std::uint8_t {
    open = 0,
    close = 1,
    ping = 2,
    pong = 3,
    message = 4,
    upgrade = 5,
    noop = 6,
};

struct packet {
    packet_type type = packet_type::message;
    /// True for a binary message: `data` holds raw bytes, sent as a binary
    /// WebSocket frame or as `b<base64>` in a polling payload.
    bool binary = false;
    std::string data;

    friend bool operator==(const packet&, const packet&) = default;
};

inline packet text_message(std::string text)
{
    return {packet_type::message, false, std::move(text)};
}

inline packet binary_message(std::string bytes)
{
    return {packet_type::message, true, std::move(bytes)};
}

/// Appends the text form (`<digit><data>`) of a non-binary packet to `out`.
/// Precondition: `!p.binary`.
void encode_text_packet(const packet& p, std::string& out);

std::string encode_text_packet(const packet& p);

/// Decodes a text packet: a WebSocket text frame, or one segment of a polling
/// payload that does not start with `b`.
result<packet> decode_text_packet(std::string_view text);

} // namespace corio::protocol
