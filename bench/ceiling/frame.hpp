// WebSocket framing (RFC 6455) as a server needs it: reading the header of a client's frame,
// unmasking its payload in place, and writing unmasked frames. Sans I/O: bytes in, values out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace ceiling::frame {

enum class opcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xa,
};

/// A client frame's header.
struct header {
    bool fin = false;
    opcode op = opcode::continuation;
    std::size_t size = 0;         ///< of the header itself: 6 to 14 bytes
    std::uint64_t payload = 0;    ///< payload length
    unsigned char mask[4] = {};   ///< the client's masking key
};

enum class read_status {
    ok,
    incomplete, ///< more bytes are needed to read the header
    bad,        ///< not a frame a client may send: close with 1002
    too_big,    ///< payload over the limit: close with 1009
};

/// Reads the header at the start of `data`. A client frame must be masked and may not set
/// the reserved bits (no extension is negotiated); a control frame must be final and carry at
/// most 125 bytes; an unknown opcode is bad. `max_payload` bounds the payload length.
read_status read_header(const char* data, std::size_t size, std::uint64_t max_payload, header& out);

/// XORs `data` with the masking key, in place.
void unmask(char* data, std::size_t size, const unsigned char (&mask)[4]);

/// Appends one final, unmasked server frame whose payload is `parts`, concatenated.
void append(std::string& out, opcode op, std::initializer_list<std::string_view> parts);

} // namespace ceiling::frame
