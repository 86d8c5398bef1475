#include "wire.hpp"

#include "wire_msgpack.hpp"

#include <boost/json/parse.hpp>

#include <charconv>
#include <iterator>

namespace loadgen::wire {

namespace {

constexpr std::size_t max_id_digits = 18;
constexpr std::string_view bcast_delivery_prefix = R"(42["bcast",")";
constexpr std::string_view bcast_argument_prefix = R"(["bcast",")";
// The data of a msgpack bcast: a 2-array starting with the str "bcast".
constexpr std::string_view msgpack_bcast_prefix = "\x92\xa5\x62\x63\x61\x73\x74"; // 92 a5 "bcast"

constexpr std::uint8_t connect_type = 0;
constexpr std::uint8_t event_type = 2;
constexpr std::uint8_t ack_type = 3;
constexpr std::uint8_t connect_error_type = 4;

template <class Int> void append_number(std::string& out, Int n)
{
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
    out.append(digits, end);
}

// Records as an application's JSON would hold them (ids, names, flags,
// scores), minus the quotes, until `out` is `size` bytes long.
void append_json_like(std::string& out, std::size_t size, std::uint64_t seed)
{
    static constexpr std::string_view names[] = {"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"};
    std::uint64_t x = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    for (std::uint64_t i = 0; out.size() < size; ++i) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        out += "{id:";
        append_number(out, 1000 + i);
        out += ",name:";
        out += names[(x >> 33) % std::size(names)];
        out += ",online:";
        out += (x >> 40) & 1 ? "true" : "false";
        out += ",score:";
        append_number(out, (x >> 20) % 100000);
        out += "},";
    }
    out.resize(size);
}

// `<seq>:<sent_ns>:` padded to `payload_bytes` with 'x', or with JSON-like
// records when `json_like`.
std::string stamp_text(bcast_stamp stamp, std::size_t payload_bytes, bool json_like)
{
    std::string out;
    out.reserve(payload_bytes);
    append_number(out, stamp.sequence);
    out += ':';
    append_number(out, stamp.sent_ns);
    out += ':';
    if (out.size() < payload_bytes && json_like)
        append_json_like(out, payload_bytes, stamp.sequence);
    else if (out.size() < payload_bytes)
        out.append(payload_bytes - out.size(), 'x');
    return out;
}

// Reads `<seq>:<sent_ns>:` at the start of `text`.
std::optional<bcast_stamp> read_stamp(std::string_view text)
{
    const char* p = text.data();
    const char* end = text.data() + text.size();
    bcast_stamp stamp;
    auto seq = std::from_chars(p, end, stamp.sequence);
    if (seq.ec != std::errc{} || seq.ptr == end || *seq.ptr != ':')
        return std::nullopt;
    auto sent = std::from_chars(seq.ptr + 1, end, stamp.sent_ns);
    if (sent.ec != std::errc{} || sent.ptr == end || *sent.ptr != ':')
        return std::nullopt;
    return stamp;
}

// `<digits>` then `next` at the start of `text`: the number, and where
// `next` is; nullopt for no digits, too many, or another character.
std::optional<std::pair<std::uint64_t, std::size_t>> read_id(std::string_view text, char next)
{
    auto length = text.find_first_not_of("0123456789");
    if (length == 0 || length == std::string_view::npos || length > max_id_digits || text[length] != next)
        return std::nullopt;
    std::uint64_t id = 0;
    std::from_chars(text.data(), text.data() + length, id);
    return std::pair{id, length};
}

bool has_type(std::string_view message, std::uint8_t type)
{
    auto p = msgpack::read_packet(message);
    return p && p->type == type;
}

} // namespace

bool is_open(std::string_view message)
{
    return message.starts_with("0{");
}

bool is_close(std::string_view message)
{
    return message == close_packet;
}

std::optional<std::string> open_sid(std::string_view message)
{
    if (!is_open(message))
        return std::nullopt;
    boost::system::error_code ec;
    auto value = boost::json::parse(message.substr(1), ec);
    const auto* object = ec ? nullptr : value.if_object();
    const auto* sid = object ? object->if_contains("sid") : nullptr;
    if (!sid || !sid->is_string() || sid->as_string().empty() || sid->as_string().size() > 64)
        return std::nullopt;
    std::string_view text = sid->as_string();
    if (text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") !=
        std::string_view::npos)
        return std::nullopt;
    return std::string(text);
}

std::string connect_root(format f)
{
    if (f == format::msgpack)
        return msgpack::packet_head(connect_type, 2);
    return "40";
}

bool is_connect_ok(format f, std::string_view message)
{
    if (f == format::msgpack)
        return has_type(message, connect_type);
    return message.starts_with("40{");
}

bool is_connect_error(format f, std::string_view message)
{
    if (f == format::msgpack)
        return has_type(message, connect_error_type);
    return message.starts_with("44");
}

std::string string_arguments(format f, std::string_view event, std::string_view text)
{
    if (f == format::msgpack) {
        std::string out = "\x92";
        msgpack::append_str(out, event);
        msgpack::append_str(out, text);
        return out;
    }
    std::string out = "[\"";
    out += event;
    out += "\",\"";
    out += text;
    out += "\"]";
    return out;
}

std::string event_with_ack(format f, std::uint64_t id, std::string_view arguments)
{
    if (f == format::msgpack) {
        std::string out = msgpack::packet_head(event_type, 4);
        msgpack::append_str(out, "data");
        out += arguments;
        msgpack::append_entry(out, "id", id);
        return out;
    }
    std::string out;
    out.reserve(2 + 20 + arguments.size());
    out += "42";
    append_number(out, id);
    out += arguments;
    return out;
}

std::optional<std::uint64_t> ack_id(format f, std::string_view message)
{
    if (f == format::msgpack) {
        auto p = msgpack::read_packet(message);
        if (!p || p->type != ack_type)
            return std::nullopt;
        return p->id;
    }
    if (!message.starts_with("43"))
        return std::nullopt;
    auto id = read_id(message.substr(2), '[');
    if (!id)
        return std::nullopt;
    return id->first;
}

bool is_true_ack(format f, std::string_view message)
{
    if (f == format::msgpack) {
        auto p = msgpack::read_packet(message);
        return p && p->type == ack_type && p->data == "\x91\xc3";
    }
    return message.starts_with("43") && message.ends_with("[true]");
}

std::string binary_event_with_ack(std::uint64_t id, std::string_view event)
{
    std::string out = "451-";
    append_number(out, id);
    out += "[\"";
    out += event;
    out += R"(",{"_placeholder":true,"num":0}])";
    return out;
}

std::optional<std::uint64_t> binary_ack_id(std::string_view message)
{
    // Once per ack of a large attachment, so parsing the arguments costs
    // nothing next to the attachment itself.
    if (!message.starts_with("461-"))
        return std::nullopt;
    auto id = read_id(message.substr(4), '[');
    if (!id)
        return std::nullopt;
    boost::system::error_code ec;
    auto value = boost::json::parse(message.substr(4 + id->second), ec);
    const auto* args = ec ? nullptr : value.if_array();
    const auto* placeholder = args && args->size() == 1 ? args->front().if_object() : nullptr;
    if (!placeholder || placeholder->size() != 2)
        return std::nullopt;
    const auto* flag = placeholder->if_contains("_placeholder");
    const auto* num = placeholder->if_contains("num");
    if (!flag || !flag->is_bool() || !flag->get_bool() || !num || !num->is_number() || num->to_number<double>() != 0)
        return std::nullopt;
    return id->first;
}

std::string bcast_event(format f, std::uint64_t id, bcast_stamp stamp, std::size_t payload_bytes, bool json_like)
{
    // The string holds no quote, backslash or control character, which JSON
    // would escape: building the message by hand is exact and keeps the
    // emitter cheap.
    const auto text = stamp_text(stamp, payload_bytes, json_like);
    if (f == format::msgpack)
        return event_with_ack(f, id, string_arguments(f, "bcast", text));
    std::string out = "42";
    append_number(out, id);
    out += bcast_argument_prefix;
    out += text;
    out += "\"]";
    return out;
}

std::optional<bcast_stamp> parse_bcast(format f, std::string_view message)
{
    if (f == format::msgpack) {
        auto p = msgpack::read_packet(message);
        if (!p || p->type != event_type || !p->data.starts_with(msgpack_bcast_prefix))
            return std::nullopt;
        auto text = msgpack::read_str(p->data.substr(msgpack_bcast_prefix.size()));
        if (!text)
            return std::nullopt;
        return read_stamp(*text);
    }
    if (!message.starts_with(bcast_delivery_prefix))
        return std::nullopt;
    return read_stamp(message.substr(bcast_delivery_prefix.size()));
}

} // namespace loadgen::wire
