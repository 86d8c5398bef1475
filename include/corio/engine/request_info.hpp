#pragma once
// What the server knows of the HTTP request that opened a session.

#include <corio/engine/field_list.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace corio::engine {

/// A session keeps this for its whole life (session::request), and a
/// server holds thousands of sessions: the fields are kept compactly, each
/// list in one buffer (field_list).
struct request_info {
    using field = field_list::value_type;

    /// The request target, e.g. "/socket.io/?EIO=4&transport=polling".
    std::string url;
    /// Header fields in arrival order; names in lower case.
    field_list headers;
    /// Decoded query parameters in arrival order.
    field_list query;
    /// The peer's IP address, e.g. "127.0.0.1" or "::1".
    std::string remote_address;
    std::chrono::system_clock::time_point time;

    /// The first header with this (lower-case) name.
    std::optional<std::string_view> header(std::string_view lower_name) const noexcept;
    /// The first query parameter with this name.
    std::optional<std::string_view> query_param(std::string_view name) const noexcept;
};

} // namespace corio::engine
