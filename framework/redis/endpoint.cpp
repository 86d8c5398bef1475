#include <corio/redis/endpoint.hpp>
#include <corio/redis/error.hpp>

#include <boost/url/grammar/ci_string.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <charconv>
#include <limits>
#include <optional>

namespace corio::redis {

namespace {

namespace urls = boost::urls;

// Digits only (no sign, no spaces), within [0, max].
std::optional<int> parse_number(std::string_view s, int max)
{
    if (s.empty() || s.size() > 10)
        return std::nullopt;
    for (char c : s)
        if (c < '0' || c > '9')
            return std::nullopt;
    long long v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || v > max)
        return std::nullopt;
    return static_cast<int>(v);
}

// `[[user]:password@]`: a user alone (no colon) is refused rather than
// guessed to be a password.
bool parse_userinfo(const urls::url_view& u, endpoint& out)
{
    if (!u.has_userinfo())
        return true;
    if (!u.has_password())
        return false;
    out.user = u.user();
    out.password = u.password();
    return true;
}

boost::system::result<endpoint> parse_tcp(const urls::url_view& u)
{
    endpoint out;
    if (!u.has_authority() || u.has_query() || u.has_fragment() || !parse_userinfo(u, out))
        return error::invalid_url;
    switch (u.host_type()) {
    case urls::host_type::name:
    case urls::host_type::ipv4:
    case urls::host_type::ipv6:
        // host_address() is decoded and without the brackets of an IPv6
        // literal: what the resolver takes.
        out.host = u.host_address();
        break;
    default: return error::invalid_url;
    }
    if (out.host.empty())
        return error::invalid_url;
    if (u.has_port()) {
        auto port = parse_number(u.port(), 65535);
        if (!port || *port == 0)
            return error::invalid_url;
        out.port = std::to_string(*port);
    }
    std::string_view path = u.encoded_path();
    if (!path.empty() && path != "/") {
        auto db = parse_number(path.substr(1), std::numeric_limits<int>::max());
        if (!db)
            return error::invalid_url;
        out.db = *db;
    }
    return out;
}

boost::system::result<endpoint> parse_unix(const urls::url_view& u)
{
    endpoint out;
    // unix://[[user]:password@]/path: an authority with no host and no port.
    if (!u.has_authority() || !u.encoded_host().empty() || u.has_port() || u.has_fragment() ||
        !parse_userinfo(u, out))
        return error::invalid_url;
    out.unix_path = u.path();
    if (out.unix_path.size() < 2 || out.unix_path.front() != '/')
        return error::invalid_url;
    if (u.has_query()) {
        bool seen_db = false;
        for (auto param : u.params()) {
            if (param.key != "db" || !param.has_value || seen_db)
                return error::invalid_url;
            auto db = parse_number(param.value, std::numeric_limits<int>::max());
            if (!db)
                return error::invalid_url;
            out.db = *db;
            seen_db = true;
        }
        if (!seen_db)
            return error::invalid_url;
    }
    return out;
}

} // namespace

boost::system::result<endpoint> parse_url(std::string_view url)
{
    auto parsed = urls::parse_uri(url);
    if (!parsed)
        return error::invalid_url;
    const urls::url_view& u = *parsed;
    // Schemes are case-insensitive. rediss:// (TLS) is not supported yet: it
    // is refused, not silently downgraded to plain TCP.
    if (urls::grammar::ci_is_equal(u.scheme(), "redis"))
        return parse_tcp(u);
    if (urls::grammar::ci_is_equal(u.scheme(), "unix"))
        return parse_unix(u);
    return error::invalid_url;
}

} // namespace corio::redis
