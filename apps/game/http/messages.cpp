#include "http/messages.hpp"
#include "store/accounts.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace corio_game::detail {

namespace {

namespace http = boost::beast::http;
namespace ip = boost::asio::ip;
using corio::engine::http_request;
using corio::engine::http_response;

std::string_view trim(std::string_view s) noexcept
{
    auto is_space = [](char c) { return c == ' ' || c == '\t'; };
    while (!s.empty() && is_space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_space(s.back()))
        s.remove_suffix(1);
    return s;
}

} // namespace

http_response make_response(const http_request& req, http::status status)
{
    http_response res{status, req.version()};
    res.keep_alive(req.keep_alive());
    res.set("X-Content-Type-Options", "nosniff");
    res.set("Referrer-Policy", "no-referrer");
    return res;
}

http_response json_response(const http_request& req, http::status status, const boost::json::value& body)
{
    auto res = make_response(req, status);
    res.set(http::field::content_type, "application/json");
    res.set(http::field::cache_control, "no-store");
    res.body() = boost::json::serialize(body);
    res.prepare_payload();
    return res;
}

http_response error_response(const http_request& req, http::status status, std::string_view message)
{
    return json_response(req, status, boost::json::object{{"error", message}});
}

http_response too_many_attempts(const http_request& req, std::chrono::seconds wait)
{
    auto minutes = std::chrono::ceil<std::chrono::minutes>(wait).count();
    auto res = error_response(req, http::status::too_many_requests,
                              "Too many attempts; try again in " + std::to_string(minutes) +
                                  (minutes == 1 ? " minute." : " minutes."));
    res.set(http::field::retry_after, std::to_string(wait.count()));
    return res;
}

bool has_json_content_type(const http_request& req)
{
    auto value = std::string_view(req[http::field::content_type]);
    return boost::beast::iequals(trim(value.substr(0, value.find(';'))), "application/json");
}

bool forwarded_https(const http_request& req)
{
    auto value = std::string_view(req["X-Forwarded-Proto"]);
    return boost::beast::iequals(trim(value.substr(0, value.find(','))), "https");
}

std::optional<std::string> cookie_value(const http_request& req, std::string_view name)
{
    // Cookie: a=1; b=2 (RFC 6265 section 4.2), possibly in several headers.
    auto [first, last] = req.equal_range(http::field::cookie);
    for (auto field = first; field != last; ++field) {
        std::string_view rest = field->value();
        while (!rest.empty()) {
            auto end = std::min(rest.find(';'), rest.size());
            auto pair = trim(rest.substr(0, end));
            rest.remove_prefix(std::min(end + 1, rest.size()));
            auto eq = pair.find('=');
            if (eq == std::string_view::npos || trim(pair.substr(0, eq)) != name)
                continue;
            auto value = trim(pair.substr(eq + 1));
            if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
                value = value.substr(1, value.size() - 2);
            return std::string(value);
        }
    }
    return std::nullopt;
}

std::string session_cookie(std::string_view token, std::chrono::seconds max_age, bool secure)
{
    std::string cookie(session_cookie_name);
    cookie += '=';
    cookie.append(token);
    cookie += "; Path=/; HttpOnly; SameSite=Strict; Max-Age=";
    cookie += std::to_string(max_age.count());
    if (secure)
        cookie += "; Secure";
    return cookie;
}

std::string address_key(std::string_view remote_address)
{
    boost::system::error_code ec;
    auto address = ip::make_address(remote_address, ec);
    if (ec)
        return std::string(remote_address);
    if (address.is_v4())
        return address.to_string();
    auto v6 = address.to_v6();
    if (v6.is_v4_mapped())
        return ip::make_address_v4(ip::v4_mapped, v6).to_string();
    auto bytes = v6.to_bytes();
    std::fill(bytes.begin() + 8, bytes.end(), 0);
    return ip::address_v6(bytes).to_string() + "/64";
}

} // namespace corio_game::detail
