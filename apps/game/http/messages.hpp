#pragma once
// Pieces of the game's HTTP messages, private to http/: responses with the
// headers every answer carries, JSON errors, the session cookie, and the key
// a client address is rate-limited under.

#include <corio/engine/listener.hpp>

#include <boost/beast/http/status.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace corio_game::detail {

/// The Content-Security-Policy of the front end's HTML: its own scripts,
/// styles and Socket.IO connection only, and no framing.
inline constexpr std::string_view html_content_security_policy =
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'";

/// An empty answer to `req` (same version and keep-alive) with the headers
/// every response carries: X-Content-Type-Options and Referrer-Policy.
corio::engine::http_response make_response(const corio::engine::http_request& req, boost::beast::http::status status);

/// `body` as JSON, not to be cached.
corio::engine::http_response json_response(const corio::engine::http_request& req, boost::beast::http::status status,
                                           const boost::json::value& body);

/// `{"error": message}`.
corio::engine::http_response error_response(const corio::engine::http_request& req, boost::beast::http::status status,
                                            std::string_view message);

/// 429 with Retry-After and a sentence saying how many minutes to wait.
corio::engine::http_response too_many_attempts(const corio::engine::http_request& req, std::chrono::seconds wait);

/// Whether the request's Content-Type is application/json (parameters such
/// as charset allowed).
bool has_json_content_type(const corio::engine::http_request& req);

/// Whether a proxy says the client's request came over HTTPS: the first
/// (client-side) value of `X-Forwarded-Proto` is "https", ignoring case.
bool forwarded_https(const corio::engine::http_request& req);

/// The value of the cookie called `name`, from any of the request's Cookie
/// headers; std::nullopt if there is none.
std::optional<std::string> cookie_value(const corio::engine::http_request& req, std::string_view name);

/// A Set-Cookie value for the session cookie: HttpOnly, SameSite=Strict,
/// Path=/, and Secure if `secure`. An empty token with max_age 0 clears it.
std::string session_cookie(std::string_view token, std::chrono::seconds max_age, bool secure);

/// The key a client address is rate-limited under: an IPv4 address as it is
/// (IPv4-mapped IPv6 ones too), an IPv6 address by its /64 network, since one
/// host usually has a whole /64.
std::string address_key(std::string_view remote_address);

} // namespace corio_game::detail
