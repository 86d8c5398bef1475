// WebSocket framing (RFC 6455) for the client's side of a plain ws://
// connection without extensions: the frames we send are masked, the
// server's are not. The Beast stream (connection.cpp) stays the client for
// TLS and permessage-deflate; this is the one for everything else, cheap
// enough that the load generator measures the server rather than itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace loadgen::client_frames {

enum class opcode : std::uint8_t { continuation = 0x0, text = 0x1, binary = 0x2, close = 0x8, ping = 0x9, pong = 0xa };

/// Appends one final frame of `op` carrying `payload`, masked with `mask_key`.
void append_masked(std::string& out, opcode op, std::string_view payload, std::uint32_t mask_key);

/// A server frame parsed in place: its payload is a view into the bytes.
struct frame {
    opcode op = opcode::continuation;
    bool fin = false;
    std::string_view payload;
    std::size_t size = 0; ///< header and payload: the bytes the frame took
};

/// What parse() finds at the front of the bytes: a frame, too few bytes for
/// one yet, or a frame no server may send us (the reason).
struct incomplete {};
using parse_result = std::variant<frame, incomplete, std::string_view>;

/// Parses the frame at the front of `bytes`. A frame is refused when it is
/// masked, sets a reserved bit (no extension was negotiated), has an
/// unknown opcode, or carries more than `max_payload` bytes.
parse_result parse(std::string_view bytes, std::size_t max_payload);

} // namespace loadgen::client_frames
