#include <corio/engine/trusted_proxies.hpp>

#include <boost/algorithm/string/predicate.hpp>
#include <boost/asio/ip/address_v6.hpp>

#include <charconv>
#include <optional>
#include <stdexcept>

namespace corio::engine {

namespace ip = boost::asio::ip;

namespace {

/// `a` as IPv6 bytes, IPv4 as IPv4-mapped.
std::array<std::uint8_t, 16> v6_bytes(const ip::address& a)
{
    if (a.is_v4())
        return ip::make_address_v6(ip::v4_mapped, a.to_v4()).to_bytes();
    return a.to_v6().to_bytes();
}

/// `a` with an IPv4-mapped IPv6 address turned into IPv4.
ip::address unmapped(const ip::address& a)
{
    if (a.is_v6() && a.to_v6().is_v4_mapped())
        return ip::make_address_v4(ip::v4_mapped, a.to_v6());
    return a;
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

/// A hop as proxies write it: `1.2.3.4`, `1.2.3.4:80`, `::1`, `[::1]` or
/// `[::1]:80`; nullopt for anything else ("unknown", "_hidden").
std::optional<ip::address> parse_hop(std::string_view text)
{
    text = trim(text);
    if (text.size() >= 2 && text.front() == '"' && text.back() == '"')
        text = text.substr(1, text.size() - 2);
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos)
            return std::nullopt;
        text = text.substr(1, close - 1);
    } else if (text.find(':') == text.rfind(':') && text.find(':') != std::string_view::npos) {
        text = text.substr(0, text.find(':')); // IPv4 with a port
    }
    boost::system::error_code ec;
    auto a = ip::make_address(text, ec);
    if (ec)
        return std::nullopt;
    return a;
}

/// Appends the comma-separated list `value` to `out`.
void split_list(std::string_view value, std::vector<std::string_view>& out)
{
    while (true) {
        auto comma = value.find(',');
        out.push_back(trim(value.substr(0, comma)));
        if (comma == std::string_view::npos)
            return;
        value.remove_prefix(comma + 1);
    }
}

/// The `for=` value of one element of a Forwarded header (`for=x;proto=y`),
/// or an empty view when it has none.
std::string_view forwarded_for(std::string_view element)
{
    while (!element.empty()) {
        auto semi = element.find(';');
        auto pair = trim(element.substr(0, semi));
        if (pair.size() > 4 && boost::algorithm::istarts_with(pair, "for="))
            return pair.substr(4);
        if (semi == std::string_view::npos)
            break;
        element.remove_prefix(semi + 1);
    }
    return {};
}

/// Appends the values of every `name` line of `req`, in order.
void field_list(const http_request& req, std::string_view name, std::vector<std::string_view>& out)
{
    auto [first, last] = req.equal_range(name);
    for (auto it = first; it != last; ++it)
        split_list(it->value(), out);
}

/// The hops the proxies listed, farthest (the client) first.
std::vector<std::string_view> listed_hops(const http_request& req)
{
    std::vector<std::string_view> hops;
    field_list(req, "Forwarded", hops);
    if (!hops.empty()) {
        for (auto& h : hops)
            h = forwarded_for(h);
        return hops;
    }
    field_list(req, "X-Forwarded-For", hops);
    return hops;
}

} // namespace

trusted_proxies::trusted_proxies(const std::vector<std::string>& entries)
{
    for (const auto& entry : entries) {
        std::string_view text = entry;
        auto slash = text.find('/');
        boost::system::error_code ec;
        auto a = ip::make_address(text.substr(0, slash), ec);
        if (ec)
            throw std::invalid_argument("trusted proxy '" + entry + "' is neither an address nor a CIDR range");
        const unsigned width = a.is_v4() ? 32 : 128;
        unsigned prefix = width;
        if (slash != std::string_view::npos) {
            auto digits = text.substr(slash + 1);
            auto [end, err] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
            if (err != std::errc{} || end != digits.data() + digits.size() || digits.empty() || prefix > width)
                throw std::invalid_argument("trusted proxy '" + entry + "' has a bad prefix length");
        }
        ranges_.push_back({v6_bytes(a), a.is_v4() ? prefix + 96 : prefix});
    }
}

bool trusted_proxies::contains(const ip::address& a) const noexcept
{
    auto bytes = v6_bytes(a);
    for (const auto& r : ranges_) {
        unsigned bits = r.prefix;
        std::size_t i = 0;
        for (; bits >= 8; bits -= 8, ++i)
            if (bytes[i] != r.bytes[i])
                break;
        if (bits >= 8)
            continue; // a whole byte differed
        if (bits == 0 || ((bytes[i] ^ r.bytes[i]) & static_cast<std::uint8_t>(0xff << (8 - bits))) == 0)
            return true;
    }
    return false;
}

std::string trusted_proxies::client_address(const http_request& req, std::string_view peer) const
{
    boost::system::error_code ec;
    auto nearest = ip::make_address(peer, ec);
    if (ec)
        return std::string(peer);
    if (!contains(nearest))
        return unmapped(nearest).to_string();
    auto hops = listed_hops(req);
    for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
        auto hop = parse_hop(*it);
        if (!hop)
            break;
        nearest = *hop;
        if (!contains(nearest))
            break;
    }
    return unmapped(nearest).to_string();
}

} // namespace corio::engine
