#pragma once
// Engine.IO v4 packets: one type digit followed by the data, or raw bytes for a
// binary message.

#include <corio/protocol/error.hpp>
#include <corio/protocol/permessage_deflate.hpp>

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
    /// On a WebSocket with permessage-deflate, the packet may be compressed
    /// (when at least the threshold, engine::compression_options). False:
    /// it goes out as it is (socket.io's `compress(false)`).
    bool compress = true;
    /// The compressed frame payload, made by the first WebSocket that sends
    /// the packet compressed and shared by the others (a broadcast's
    /// recipients). Empty in copies.
    websocket::deflate_cache deflated;

    friend bool operator==(const packet&, const packet&) = default;
};

// Member by member: an aggregate initializer that leaves out the later
// members warns under -Wextra in code that includes this header.
inline packet text_message(std::string text)
{
    packet p;
    p.data = std::move(text);
    return p;
}

inline packet binary_message(std::string bytes)
{
    packet p;
    p.binary = true;
    p.data = std::move(bytes);
    return p;
}

/// Appends the text form (`<digit><data>`) of a non-binary packet to `out`.
/// Precondition: `!p.binary`.
void encode_text_packet(const packet& p, std::string& out);

std::string encode_text_packet(const packet& p);

/// Decodes a text packet: a WebSocket text frame, or one segment of a polling
/// payload that does not start with `b`.
result<packet> decode_text_packet(std::string_view text);

} // namespace corio::protocol
