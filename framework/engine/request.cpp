#include "engine/request.hpp"

#include <corio/protocol/json_writer.hpp>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <boost/json/value.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <span>
#include <utility>

namespace corio::engine::detail {

namespace http = boost::beast::http;

namespace {

/// `s` in ASCII lower case, into `small` when it fits, else into `large`.
/// Header names are tokens (Beast's parser takes nothing else), so ASCII is
/// all there is to fold, and std::tolower's call per character is not needed.
std::string_view lowered(std::string_view s, std::span<char> small, std::string& large)
{
    char* out = small.data();
    if (s.size() > small.size()) {
        large.resize(s.size());
        out = large.data();
    }
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        out[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    }
    return {out, s.size()};
}

boost::system::result<engine_query, error> engine_query_of(std::optional<std::string_view> eio,
                                                          std::optional<std::string_view> transport,
                                                          std::optional<std::string_view> sid, bool allow_eio3)
{
    engine_query q{};
    if (allow_eio3 && eio == "3")
        q.protocol = 3;
    else if (eio != "4")
        return error::unsupported_protocol_version;
    if (transport == "polling")
        q.transport = transport_kind::polling;
    else if (transport == "websocket")
        q.transport = transport_kind::websocket;
    else
        return error::unknown_transport;
    if (sid)
        q.sid.emplace(*sid);
    return q;
}

/// plain_target_char's answer for each byte: a table, as the check runs
/// over every byte of each polling request's target.
constexpr std::array<bool, 256> plain_target_table = [] {
    std::array<bool, 256> table{};
    for (char c = 'a'; c <= 'z'; ++c)
        table[static_cast<unsigned char>(c)] = true;
    for (char c = 'A'; c <= 'Z'; ++c)
        table[static_cast<unsigned char>(c)] = true;
    for (char c = '0'; c <= '9'; ++c)
        table[static_cast<unsigned char>(c)] = true;
    for (char c : std::string_view("-._~!$&'()*,;=:@/?"))
        table[static_cast<unsigned char>(c)] = true;
    return table;
}();

/// Whether `c` may stand in an origin-form target and reads as itself in
/// its query: RFC 3986 pchar, '/' and '?', without '%' escapes and without
/// '+' (a space once decoded).
bool plain_target_char(char c) noexcept
{
    return plain_target_table[static_cast<unsigned char>(c)];
}

/// Whether `target` is a valid origin-form target with nothing to decode
/// (no '%', no '+'), whose parameters then read as Boost.URL would decode
/// them; and if so its query, none without a '?'.
struct plain_query {
    bool plain = false;
    std::optional<std::string_view> query;
};

plain_query plain_query_of(std::string_view target) noexcept
{
    if (!target.starts_with('/') || !std::all_of(target.begin(), target.end(), plain_target_char))
        return {};
    const auto q = target.find('?');
    if (q == std::string_view::npos)
        return {true, std::nullopt};
    return {true, target.substr(q + 1)};
}

/// Calls `f(key, value)` for each parameter of a plain query, as Boost.URL's
/// params() gives them: one per '&'-separated piece, empty ones included
/// (so "" is one empty parameter and "a=1&" two), the key up to the first
/// '=', the value after it (empty without one).
template <class F>
void for_each_param(std::string_view query, F&& f)
{
    for (;;) {
        const auto amp = query.find('&');
        const auto param = query.substr(0, amp);
        const auto eq = param.find('=');
        f(param.substr(0, eq), eq == std::string_view::npos ? std::string_view{} : param.substr(eq + 1));
        if (amp == std::string_view::npos)
            return;
        query.remove_prefix(amp + 1);
    }
}

} // namespace

boost::system::result<engine_query, error> parse_engine_query(const request_info& info, bool allow_eio3)
{
    return engine_query_of(info.query_param("EIO"), info.query_param("transport"), info.query_param("sid"),
                           allow_eio3);
}

boost::system::result<engine_query, error> parse_engine_query(const http_request& req, bool allow_eio3)
{
    // Read straight from the target when it is a valid origin-form target
    // with nothing to decode (no '%', no '+'): the same first values
    // make_request_info's query would hold, without building it. Any other
    // target goes the long way.
    const auto plain = plain_query_of(req.target());
    if (!plain.plain)
        return parse_engine_query(make_request_info(req, {}), allow_eio3);
    std::optional<std::string_view> eio, transport, sid;
    // The first value of each key, as request_info::query_param gives.
    if (plain.query)
        for_each_param(*plain.query, [&](std::string_view key, std::string_view value) {
            auto* slot = key == "EIO" ? &eio : key == "transport" ? &transport : key == "sid" ? &sid : nullptr;
            if (slot && !*slot)
                *slot = value;
        });
    return engine_query_of(eio, transport, sid, allow_eio3);
}

request_info make_request_info(const http_request& req, std::string remote_address)
{
    request_info info;
    info.url = std::string(req.target());
    info.remote_address = std::move(remote_address);
    info.time = std::chrono::system_clock::now();
    // One allocation per list, of about its size: a session keeps these
    // for its whole life.
    std::size_t count = 0;
    std::size_t bytes = 0;
    for (const auto& f : req) {
        ++count;
        bytes += f.name_string().size() + f.value().size();
    }
    info.headers.reserve(count, bytes);
    std::array<char, 64> small;
    std::string large;
    for (const auto& f : req)
        info.headers.add(lowered(f.name_string(), small, large), f.value());
    // A plain target's parameters are read as they stand (what Boost.URL
    // would give, at a fraction of its cost: request_test compares them);
    // only a target with something to decode goes through Boost.URL.
    if (const auto plain = plain_query_of(req.target()); plain.plain) {
        if (plain.query) {
            const auto n = static_cast<std::size_t>(std::count(plain.query->begin(), plain.query->end(), '&')) + 1;
            info.query.reserve(n, plain.query->size());
            for_each_param(*plain.query,
                           [&](std::string_view key, std::string_view value) { info.query.add(key, value); });
        }
    } else if (auto url = boost::urls::parse_origin_form(req.target())) {
        // A target that is not a valid origin-form URL simply has no query.
        // Decoded: each value as long as its encoded form at most.
        const auto params = url->encoded_params();
        std::size_t encoded = 0;
        for (auto param : params)
            encoded += param.key.size() + param.value.size();
        info.query.reserve(params.size(), encoded);
        for (auto param : url->params())
            info.query.add(param.key, param.value);
    }
    return info;
}

upgrade_fields upgrade_fields_of(const http_request& req) noexcept
{
    upgrade_fields out;
    bool connection = false, upgrade = false, key = false, version = false;
    auto take = [](bool& seen, std::string_view& slot, std::string_view value) {
        if (!std::exchange(seen, true))
            slot = value;
    };
    for (const auto& f : req) {
        switch (f.name()) {
        case http::field::connection:
            take(connection, out.connection, f.value());
            break;
        case http::field::upgrade:
            take(upgrade, out.upgrade, f.value());
            break;
        case http::field::sec_websocket_key:
            take(key, out.key, f.value());
            break;
        case http::field::sec_websocket_version:
            take(version, out.version, f.value());
            break;
        case http::field::host:
            out.has_host = true;
            break;
        default:
            break;
        }
    }
    return out;
}

bool is_upgrade(const http_request& req, const upgrade_fields& fields)
{
    return req.version() >= 11 && req.method() == http::verb::get &&
           http::token_list{fields.connection}.exists("upgrade") && http::token_list{fields.upgrade}.exists("websocket");
}

std::string_view target_path(std::string_view target) noexcept
{
    return target.substr(0, target.find('?'));
}

bool path_matches(std::string_view path, std::string_view endpoint_path) noexcept
{
    if (path == endpoint_path)
        return true;
    return endpoint_path.size() > 1 && endpoint_path.back() == '/' &&
           path == endpoint_path.substr(0, endpoint_path.size() - 1);
}

http_response text_response(const http_request& req, http::status status, std::string body,
                            std::string_view content_type)
{
    http_response res{status, req.version()};
    res.set(http::field::content_type, content_type);
    res.keep_alive(req.keep_alive());
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

http_response error_response(const http_request& req, error e)
{
    boost::json::value body = {{"code", static_cast<int>(e)},
                               {"message", make_error_code(e).message()}};
    auto status = e == error::forbidden ? http::status::forbidden : http::status::bad_request;
    return text_response(req, status, protocol::to_json(body), "application/json");
}

} // namespace corio::engine::detail

namespace corio::engine {

std::optional<std::string_view> request_info::header(std::string_view lower_name) const noexcept
{
    return headers.find(lower_name);
}

std::optional<std::string_view> request_info::query_param(std::string_view name) const noexcept
{
    return query.find(name);
}

} // namespace corio::engine
