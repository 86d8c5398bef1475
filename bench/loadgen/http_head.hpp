// The head of an HTTP/1.1 response, parsed in place: what the long-polling
// client (http_channel.cpp) and the WebSocket upgrade (raw_connection.cpp)
// need of it, and nothing more.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <variant>

namespace loadgen::http_head {

struct head {
    unsigned status = 0;
    /// Content-Length, when the answer has one.
    std::optional<std::size_t> content_length;
    /// Transfer-Encoding was given (Node sends chunked bodies only for
    /// answers it writes piecemeal: errors, compressed bodies we never ask
    /// for); the body's length is then unknown to us.
    bool transfer_encoding = false;
    /// HTTP/1.1 without `Connection: close` (HTTP/1.0 never).
    bool keep_alive = false;
    std::size_t size = 0; ///< the head's bytes, through the blank line
};

/// Too few bytes for a whole head yet.
struct incomplete {};
using parse_result = std::variant<head, incomplete, std::string_view>;

/// Parses the response head at the front of `bytes`. Refused (the reason):
/// a head longer than `max_size`, a malformed status line, a Content-Length
/// that is not a number or is given twice with different values.
parse_result parse(std::string_view bytes, std::size_t max_size);

} // namespace loadgen::http_head
