#pragma once
// Engine.IO v4 polling payloads: packets joined by the record separator 0x1e;
// a binary message is written as `b` followed by its base64 form.

#include <corio/protocol/engine_packet.hpp>
#include <corio/protocol/error.hpp>
#include <corio/protocol/limits.hpp>

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace corio::protocol {

inline constexpr char record_separator = '\x1e';

/// Appends `p` to the payload being built in `out`, with a separator when
/// `out` is not empty.
void append_to_payload(const packet& p, std::string& out);

std::string encode_payload(std::span<const packet> packets);

/// Decodes a POST body. An empty body, an empty segment, a bad packet, bad
/// base64, a text packet that is not UTF-8 (error::invalid_utf8: a text
/// message must be, as in a WebSocket text frame), or a body over the limits
/// gives an error and no packet.
result<std::vector<packet>> decode_payload(std::string_view body, const decode_limits& limits);

} // namespace corio::protocol
