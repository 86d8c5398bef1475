#include "upgrade.hpp"

#include <boost/beast/websocket/detail/hybi13.hpp>

namespace ceiling::upgrade {

namespace {

constexpr std::string_view crlf = "\r\n";
constexpr std::string_view end_of_headers = "\r\n\r\n";
constexpr std::string_view path = "/socket.io/";
constexpr std::size_t key_size = 24; // base64 of 16 bytes

char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view lower_b)
{
    if (a.size() != lower_b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower_b[i])
            return false;
    return true;
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

// Whether the query (after '?', before any '#') holds exactly `name=value` among its
// '&'-separated parameters.
bool has_parameter(std::string_view query, std::string_view parameter)
{
    while (!query.empty()) {
        auto end = query.find('&');
        if (query.substr(0, end) == parameter)
            return true;
        if (end == std::string_view::npos)
            break;
        query.remove_prefix(end + 1);
    }
    return false;
}

// The request line: `GET <target> HTTP/1.1`.
status read_request_line(std::string_view line)
{
    constexpr std::string_view method = "GET ";
    constexpr std::string_view version = " HTTP/1.1";
    if (!line.starts_with(method) || !line.ends_with(version))
        return status::bad_request;
    auto target = line.substr(method.size(), line.size() - method.size() - version.size());
    auto query_at = target.find('?');
    if (target.substr(0, query_at) != path)
        return status::not_found;
    if (query_at == std::string_view::npos)
        return status::bad_request;
    auto query = target.substr(query_at + 1);
    query = query.substr(0, query.find('#'));
    if (!has_parameter(query, "EIO=4") || !has_parameter(query, "transport=websocket"))
        return status::bad_request;
    return status::upgrade;
}

} // namespace

request read(std::string_view data, std::size_t max_header_size)
{
    request r;
    auto end = data.find(end_of_headers);
    if (end == std::string_view::npos || end + end_of_headers.size() > max_header_size) {
        r.result = data.size() >= max_header_size ? status::header_too_large : status::incomplete;
        return r;
    }
    r.size = end + end_of_headers.size();
    auto block = data.substr(0, end + crlf.size());

    auto line_end = block.find(crlf);
    r.result = read_request_line(block.substr(0, line_end));
    if (r.result != status::upgrade)
        return r;
    block.remove_prefix(line_end + crlf.size());

    bool upgrade_websocket = false;
    bool version_13 = false;
    bool version_seen = false;
    while (!block.empty()) {
        line_end = block.find(crlf);
        auto line = block.substr(0, line_end);
        block.remove_prefix(line_end + crlf.size());
        auto colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) {
            r.result = status::bad_request;
            return r;
        }
        auto name = line.substr(0, colon);
        auto value = trim(line.substr(colon + 1));
        if (iequals(name, "upgrade"))
            upgrade_websocket = iequals(value, "websocket");
        else if (iequals(name, "sec-websocket-version")) {
            version_seen = true;
            version_13 = value == "13";
        } else if (iequals(name, "sec-websocket-key"))
            r.key = value;
    }
    if (version_seen && !version_13)
        r.result = status::bad_version;
    else if (!upgrade_websocket || !version_13 || r.key.size() != key_size)
        r.result = status::bad_request;
    return r;
}

void append_accept(std::string& out, std::string_view key)
{
    // Beast's SHA-1 and base64 of the key and the RFC's GUID: the same code Beast's own
    // websocket::stream answers with.
    boost::beast::websocket::detail::sec_ws_accept_type accept;
    boost::beast::websocket::detail::make_sec_ws_accept(accept, key);
    out += "HTTP/1.1 101 Switching Protocols\r\n"
           "Upgrade: websocket\r\n"
           "Connection: Upgrade\r\n"
           "Sec-WebSocket-Accept: ";
    out.append(accept.data(), accept.size());
    out += "\r\n\r\n";
}

void append_refusal(std::string& out, status s)
{
    switch (s) {
    case status::not_found:
        out += "HTTP/1.1 404 Not Found\r\n";
        break;
    case status::bad_version:
        out += "HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n";
        break;
    case status::header_too_large:
        out += "HTTP/1.1 431 Request Header Fields Too Large\r\n";
        break;
    default:
        out += "HTTP/1.1 400 Bad Request\r\n";
        break;
    }
    out += "Connection: close\r\nContent-Length: 0\r\n\r\n";
}

} // namespace ceiling::upgrade
