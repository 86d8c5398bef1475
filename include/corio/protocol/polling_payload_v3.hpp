#pragma once
// Engine.IO v3 polling payloads (socket.io-client 2.x), in their two forms:
//
// - text: each packet as `<length>:<packet>`, the length in UTF-16 code
//   units as JavaScript counts them (`€` is 1, `😀` is 2); a binary message
//   is `b4<base64>`. An empty payload is `0:`.
// - binary (XHR2, `application/octet-stream`): each packet as a 0 (text)
//   or 1 (binary) byte, the decimal digits of its byte length as bytes 0-9,
//   0xFF, then the packet: a text packet's UTF-8 (`4hi`), or a binary
//   packet's type byte (4) and bytes.
//
// A server answers in binary form only when a binary message is among the
// packets and the client did not ask for base64 (`b64` in its query).

#include <corio/protocol/engine_packet.hpp>
#include <corio/protocol/error.hpp>
#include <corio/protocol/limits.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace corio::protocol::v3 {

enum class payload_form : std::uint8_t { text, binary };

/// Appends `p` to a payload of the given form being built in `out`.
void append_to_payload(const packet& p, payload_form form, std::string& out);

/// The payload of no packets in text form.
inline constexpr std::string_view empty_payload = "0:";

/// The length of UTF-8 `text` in UTF-16 code units (each four-byte sequence
/// counts 2, every other sequence 1).
std::size_t utf16_length(std::string_view text) noexcept;

/// Decodes a POST body in either form: one that starts with byte 0 or 1 is
/// binary, anything else text. A malformed length (error::invalid_payload_length),
/// a bad packet, text that is not UTF-8, an empty body, or a body over the
/// limits gives an error and no packet. Empty packets (`0:`) are skipped.
result<std::vector<packet>> decode_payload(std::string_view body, const decode_limits& limits);

/// A v3 text packet: a WebSocket text frame or a payload's text packet,
/// where `b4<base64>` is a binary message.
result<packet> decode_text_packet(std::string_view text);

/// A v3 binary packet (a WebSocket binary frame, a payload's binary packet):
/// the type byte, which must be 4 (message), then the bytes.
result<packet> decode_binary_packet(std::string_view bytes);

} // namespace corio::protocol::v3
