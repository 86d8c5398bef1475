#pragma once
// socket.io-msgpack-parser's packets: decoding (encode_msgpack_socket_packet
// is public, in corio/protocol/socket_packet.hpp).

#include <corio/protocol/error.hpp>
#include <corio/protocol/limits.hpp>
#include <corio/protocol/socket_packet.hpp>

#include <string_view>

namespace corio::protocol {

/// One packet from the bytes of one binary Engine.IO message, checked as
/// socket_packet_decoder documents for the msgpack parser.
result<socket_packet> decode_msgpack_socket_packet(std::string_view bytes, const decode_limits& limits);

} // namespace corio::protocol
