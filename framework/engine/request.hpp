#pragma once
// Reading Engine.IO requests: query validation, request_info, error replies.

#include <corio/engine/error.hpp>
#include <corio/engine/http_endpoint.hpp>
#include <corio/engine/request_info.hpp>
#include <corio/engine/transport.hpp>

#include <boost/beast/http/status.hpp>
#include <boost/system/result.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace corio::engine::detail {

/// The Engine.IO parameters of a request's query.
struct engine_query {
    transport_kind transport;
    std::optional<std::string> sid;
    /// 4, or 3 for `EIO=3` when allowed.
    int protocol = 4;
};

/// `EIO` must be "4", or "3" with `allow_eio3` (else
/// unsupported_protocol_version), and `transport` "polling" or "websocket"
/// (else unknown_transport).
boost::system::result<engine_query, error> parse_engine_query(const request_info& info, bool allow_eio3);

/// The same answer as parse_engine_query(make_request_info(req, {}), ...),
/// at less cost: what a request of a live session needs.
boost::system::result<engine_query, error> parse_engine_query(const http_request& req, bool allow_eio3);

request_info make_request_info(const http_request& req, std::string remote_address);

/// The header fields a WebSocket opening handshake reads, found in one pass
/// over the request (each of Beast's lookups by name is a tree search with
/// case-insensitive compares, about 500 instructions): the first of each,
/// empty when absent.
struct upgrade_fields {
    std::string_view connection;
    std::string_view upgrade;
    std::string_view key;
    std::string_view version;
    bool has_host = false;
};

upgrade_fields upgrade_fields_of(const http_request& req) noexcept;

/// Beast's websocket::is_upgrade(req), from `fields` (upgrade_fields_of(req)).
bool is_upgrade(const http_request& req, const upgrade_fields& fields);

/// The path part of a request target (before '?').
std::string_view target_path(std::string_view target) noexcept;

/// Whether `path` is the endpoint's path, with or without its trailing slash.
bool path_matches(std::string_view path, std::string_view endpoint_path) noexcept;

/// An Engine.IO error reply: `{"code":<n>,"message":"..."}`, HTTP 400 (403
/// for forbidden).
http_response error_response(const http_request& req, error e);

/// A reply with a text body and the given status.
http_response text_response(const http_request& req, boost::beast::http::status status,
                            std::string body, std::string_view content_type);

} // namespace corio::engine::detail
