// The WebSocket opening handshake of Engine.IO's websocket transport, and nothing else: reads
// `GET /socket.io/?EIO=4&transport=websocket` with its upgrade headers and writes the answer.
// Sans I/O: bytes in, values out. No polling, no other path, no keep-alive: any other request is
// refused and its connection closed.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ceiling::upgrade {

enum class status {
    upgrade,          ///< a valid upgrade request: answer 101
    incomplete,       ///< the header block has not ended yet
    bad_request,      ///< 400: not a WebSocket upgrade of Engine.IO v4's websocket transport
    not_found,        ///< 404: another path
    bad_version,      ///< 426: a WebSocket version other than 13
    header_too_large, ///< 431: no end of the header block within the limit
};

struct request {
    status result = status::incomplete;
    std::size_t size = 0;       ///< bytes of the header block, final CRLF CRLF included
    std::string_view key;       ///< Sec-WebSocket-Key (status::upgrade only); views `data`
};

/// Reads the request at the start of `data`. Wants `GET /socket.io/?…` (HTTP/1.1) whose query
/// has `EIO=4` and `transport=websocket`, `Upgrade: websocket`, `Sec-WebSocket-Version: 13` and a
/// 24-character `Sec-WebSocket-Key`. Header names are matched without regard to case.
request read(std::string_view data, std::size_t max_header_size);

/// Appends `101 Switching Protocols` with the Sec-WebSocket-Accept derived from `key`.
void append_accept(std::string& out, std::string_view key);

/// Appends the refusal for `s` (anything but upgrade and incomplete), which closes the
/// connection.
void append_refusal(std::string& out, status s);

} // namespace ceiling::upgrade
