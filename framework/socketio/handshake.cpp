#include <corio/handshake.hpp>

#include "protocol/utf8_replacement.hpp"

#include <boost/json/string.hpp>

#include <chrono>
#include <ctime>
#include <vector>

namespace corio {

std::optional<std::string_view> handshake::cookie(std::string_view name) const noexcept
{
    auto header = shared_request->header("cookie");
    if (!header)
        return std::nullopt;
    // "a=1; b=2": split on ';', trim spaces, match the name exactly.
    std::string_view rest = *header;
    while (!rest.empty()) {
        auto end = rest.find(';');
        auto pair = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
        while (!pair.empty() && pair.front() == ' ')
            pair.remove_prefix(1);
        auto eq = pair.find('=');
        if (eq != std::string_view::npos && pair.substr(0, eq) == name)
            return pair.substr(eq + 1);
    }
    return std::nullopt;
}

namespace {

// JavaScript's Date.prototype.toString() in UTC, e.g.
// "Wed Dec 02 2026 16:48:21 GMT+0000 (Coordinated Universal Time)".
std::string js_date_string(std::chrono::system_clock::time_point t)
{
    const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char buf[80];
    const auto n = std::strftime(buf, sizeof buf, "%a %b %d %Y %H:%M:%S GMT+0000 (Coordinated Universal Time)", &utc);
    return std::string(buf, n);
}

// The request's bytes as JSON strings. A header value or a decoded query
// may hold any bytes, and JSON text must be UTF-8: ill-formed sequences
// become U+FFFD, as a JavaScript peer decoding the bytes would see them.
boost::json::string text(std::string_view bytes)
{
    return boost::json::string(protocol::replace_invalid_utf8(bytes));
}

boost::json::object fields_object(const engine::field_list& fields)
{
    boost::json::object out;
    for (const auto& [name, value] : fields)
        out.emplace(text(name), text(value)); // the first of repeated names wins, as header() does
    return out;
}

} // namespace

boost::json::object handshake::describe() const
{
    const auto& r = *shared_request;
    const auto issued =
        std::chrono::duration_cast<std::chrono::milliseconds>(r.time.time_since_epoch()).count();
    return {
        {"headers", fields_object(r.headers)},
        {"time", js_date_string(r.time)},
        {"address", text(r.remote_address)},
        {"xdomain", r.header("origin").has_value()},
        {"secure", false},
        {"issued", issued},
        {"url", text(r.url)},
        {"query", fields_object(r.query)},
        {"auth", auth},
    };
}

} // namespace corio
