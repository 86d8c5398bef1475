#pragma once
// What both Socket.IO parsers (the default text one and msgpack) check of a
// decoded packet, so that a packet means the same whichever carried it.

#include <corio/protocol/error.hpp>
#include <corio/protocol/socket_packet.hpp>

namespace corio::protocol {

/// Checks `p.data` against `p.type` as socket.io's decoders do (CONNECT data
/// absent or an object, DISCONNECT none, EVENT a non-empty array starting with
/// a name that is a number or a string that is not reserved, ACK an array,
/// CONNECT_ERROR an object or a string), then replaces a numeric event name
/// with its JavaScript text. Fails with error::invalid_payload.
result<void> check_payload(socket_packet& p);

} // namespace corio::protocol
