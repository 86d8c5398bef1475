#include "wire.hpp"

#include <charconv>

namespace loadgen::wire {

namespace {

constexpr std::size_t max_id_digits = 18;
constexpr std::string_view bcast_delivery_prefix = R"(42["bcast",")";
constexpr std::string_view bcast_argument_prefix = R"(["bcast",")";

void append_number(std::string& out, std::uint64_t n)
{
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
    out.append(digits, end);
}

void append_number(std::string& out, std::int64_t n)
{
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
    out.append(digits, end);
}

} // namespace

bool is_open(std::string_view message)
{
    return message.starts_with("0{");
}

bool is_connect_ok(std::string_view message)
{
    return message.starts_with("40{");
}

bool is_connect_error(std::string_view message)
{
    return message.starts_with("44");
}

bool is_close(std::string_view message)
{
    return message == "1";
}

std::string event_with_ack(std::uint64_t id, std::string_view arguments_json)
{
    std::string out;
    out.reserve(2 + 20 + arguments_json.size());
    out += "42";
    append_number(out, id);
    out += arguments_json;
    return out;
}

std::optional<std::uint64_t> ack_id(std::string_view message)
{
    if (!message.starts_with("43"))
        return std::nullopt;
    auto digits = message.substr(2);
    auto length = digits.find_first_not_of("0123456789");
    if (length == 0 || length == std::string_view::npos || length > max_id_digits || digits[length] != '[')
        return std::nullopt;
    std::uint64_t id = 0;
    std::from_chars(digits.data(), digits.data() + length, id);
    return id;
}

std::string bcast_event(std::uint64_t id, bcast_stamp stamp, std::size_t payload_bytes)
{
    // The string holds only digits, ':' and 'x', which JSON needs no escape
    // for: building the frame by hand is exact and keeps the emitter cheap.
    std::string out = "42";
    append_number(out, id);
    out += bcast_argument_prefix;
    auto string_start = out.size();
    append_number(out, stamp.sequence);
    out += ':';
    append_number(out, stamp.sent_ns);
    out += ':';
    auto written = out.size() - string_start;
    if (written < payload_bytes)
        out.append(payload_bytes - written, 'x');
    out += "\"]";
    return out;
}

std::optional<bcast_stamp> parse_bcast(std::string_view message)
{
    if (!message.starts_with(bcast_delivery_prefix))
        return std::nullopt;
    auto rest = message.substr(bcast_delivery_prefix.size());
    const char* p = rest.data();
    const char* end = rest.data() + rest.size();
    bcast_stamp stamp;
    auto seq = std::from_chars(p, end, stamp.sequence);
    if (seq.ec != std::errc{} || seq.ptr == end || *seq.ptr != ':')
        return std::nullopt;
    auto sent = std::from_chars(seq.ptr + 1, end, stamp.sent_ns);
    if (sent.ec != std::errc{} || sent.ptr == end || *sent.ptr != ':')
        return std::nullopt;
    return stamp;
}

} // namespace loadgen::wire
