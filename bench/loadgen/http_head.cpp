#include "http_head.hpp"

#include <algorithm>

namespace loadgen::http_head {

namespace {

/// Whether `name` is `lower` in any case. `lower` is lower case, letters
/// and '-' only, so setting bit 5 of `name`'s bytes lowers them without
/// the locale's tolower (a header name holds no byte that would collide).
bool equals_ignoring_case(std::string_view name, std::string_view lower)
{
    if (name.size() != lower.size())
        return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        if ((name[i] | 0x20) != lower[i])
            return false;
    }
    return true;
}

std::string_view trimmed(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

/// Whether the comma-separated `list` holds `token` (any case).
bool has_token(std::string_view list, std::string_view token)
{
    for (;;) {
        auto comma = list.find(',');
        if (equals_ignoring_case(trimmed(list.substr(0, comma)), token))
            return true;
        if (comma == std::string_view::npos)
            return false;
        list.remove_prefix(comma + 1);
    }
}

/// A decimal length of at most 18 digits, or nullopt.
std::optional<std::size_t> parse_length(std::string_view digits)
{
    if (digits.empty() || digits.size() > 18)
        return std::nullopt;
    std::size_t value = 0;
    for (char c : digits) {
        if (c < '0' || c > '9')
            return std::nullopt;
        value = value * 10 + static_cast<std::size_t>(c - '0');
    }
    return value;
}

} // namespace

parse_result parse(std::string_view bytes, std::size_t max_size)
{
    // One pass over the lines; the head ends at the first empty one.
    head h;
    std::size_t pos = 0;
    for (bool status_line = true;; status_line = false) {
        const auto newline = bytes.find('\n', pos);
        if (newline == std::string_view::npos || newline + 1 > max_size) {
            if (bytes.size() > max_size || (newline != std::string_view::npos))
                return "response head too long";
            return incomplete{};
        }
        if (newline == pos || bytes[newline - 1] != '\r')
            return "malformed head line";
        const auto line = bytes.substr(pos, newline - 1 - pos);
        pos = newline + 1;
        if (status_line) {
            // "HTTP/1.1 200 OK"
            const bool http11 = line.starts_with("HTTP/1.1 ");
            if (!http11 && !line.starts_with("HTTP/1.0 "))
                return "not an HTTP/1.x response";
            const auto code = line.substr(9, 3);
            if (code.size() != 3 ||
                !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
                (line.size() > 12 && line[12] != ' '))
                return "malformed status line";
            h.status = static_cast<unsigned>((code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0'));
            h.keep_alive = http11;
            continue;
        }
        if (line.empty())
            break;
        // Only Connection, Content-Length and Transfer-Encoding matter.
        const char first = static_cast<char>(line.front() | 0x20);
        if (first != 'c' && first != 't')
            continue;
        const auto colon = line.find(':');
        if (colon == std::string_view::npos)
            return "malformed header line";
        const auto name = line.substr(0, colon);
        const auto value = line.substr(colon + 1);
        if (equals_ignoring_case(name, "content-length")) {
            const auto length = parse_length(trimmed(value));
            if (!length || (h.content_length && *h.content_length != *length))
                return "bad Content-Length";
            h.content_length = length;
        } else if (equals_ignoring_case(name, "transfer-encoding")) {
            h.transfer_encoding = true;
        } else if (equals_ignoring_case(name, "connection") && has_token(value, "close")) {
            h.keep_alive = false;
        }
    }
    h.size = pos;
    return h;
}

} // namespace loadgen::http_head
