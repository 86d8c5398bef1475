#include <corio/protocol/socket_packet.hpp>

#include <corio/protocol/attachments.hpp>
#include <corio/protocol/json_reader.hpp>
#include <corio/protocol/json_writer.hpp>

#include "ascii.hpp"
#include "socket_packet_checks.hpp"
#include "socket_packet_msgpack.hpp"

#include <boost/json/array.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

namespace corio::protocol {

namespace {

namespace json = boost::json;

constexpr bool is_binary(socket_packet_type t) noexcept
{
    return t == socket_packet_type::binary_event || t == socket_packet_type::binary_ack;
}

constexpr bool carries_arguments(socket_packet_type t) noexcept
{
    return t == socket_packet_type::event || t == socket_packet_type::binary_event || t == socket_packet_type::ack
           || t == socket_packet_type::binary_ack;
}

/// Room for a packet's text, so that writing it grows the string rarely:
/// the strings of a top-level array (the usual arguments) are counted at
/// their size, other values at a guess.
std::size_t encoded_size_hint(const socket_packet& p)
{
    std::size_t n = 32 + p.nsp.size();
    if (p.args_text)
        n += p.args_text->size() + (p.data && p.data->is_string() ? p.data->get_string().size() + 8 : 0);
    if (!p.data || p.args_text)
        return n;
    const auto* args = p.data->if_array();
    if (args == nullptr)
        return n + 64;
    for (const auto& v : *args)
        n += v.is_string() ? v.get_string().size() + 8 : 24;
    return n;
}

template <class Int>
void append_integer(Int v, std::string& out)
{
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

// Reads decimal digits from `text` at `i` into `value`, stopping at the first
// non-digit. Fails on more than `max_digits` digits or on overflow, so wire
// numbers are never passed to an unchecked conversion.
template <class Int>
bool read_number(std::string_view text, std::size_t& i, std::size_t max_digits, Int& value) noexcept
{
    value = 0;
    std::size_t digits = 0;
    for (; i < text.size() && is_digit(text[i]); ++i) {
        if (++digits > max_digits)
            return false;
        const auto d = static_cast<Int>(text[i] - '0');
        if (value > (std::numeric_limits<Int>::max() - d) / 10)
            return false;
        value = static_cast<Int>(value * 10 + d);
    }
    return digits > 0;
}

// A basic_parser handler that builds nothing. Run with the options
// parse_json uses, it accepts exactly the texts parse_json accepts (the same
// parser checks syntax, UTF-8 and depth; the handler refuses nothing); it
// notes what the text path needs of an EVENT's or ACK's data: that it is an
// array, its size, and whether its first element is a string, and which.
class argument_scan {
public:
    static constexpr std::size_t max_object_size = json::object::max_size();
    static constexpr std::size_t max_array_size = json::array::max_size();
    static constexpr std::size_t max_key_size = json::string::max_size();
    static constexpr std::size_t max_string_size = json::string::max_size();

    enum class first_element : std::uint8_t { none, string, other };

    bool outer_array = false;
    std::size_t size = 0; // of the outer array
    first_element first = first_element::none;
    std::string name; // the first element, when a string

    bool on_document_begin(json::error_code&) { return true; }
    bool on_document_end(json::error_code&) { return true; }
    bool on_object_begin(json::error_code&)
    {
        note_value();
        ++depth_;
        return true;
    }
    bool on_object_end(std::size_t, json::error_code&)
    {
        --depth_;
        return true;
    }
    bool on_array_begin(json::error_code&)
    {
        if (depth_ == 0)
            outer_array = true;
        else
            note_value();
        ++depth_;
        return true;
    }
    bool on_array_end(std::size_t n, json::error_code&)
    {
        if (--depth_ == 0)
            size = n;
        return true;
    }
    bool on_key_part(json::string_view, std::size_t, json::error_code&) { return true; }
    bool on_key(json::string_view, std::size_t, json::error_code&) { return true; }
    bool on_string_part(json::string_view s, std::size_t, json::error_code&)
    {
        name_part(s);
        return true;
    }
    bool on_string(json::string_view s, std::size_t, json::error_code&)
    {
        name_part(s);
        name_open_ = false;
        return true;
    }
    bool on_number_part(json::string_view, json::error_code&)
    {
        note_value();
        return true;
    }
    bool on_int64(std::int64_t, json::string_view, json::error_code&)
    {
        note_value();
        return true;
    }
    bool on_uint64(std::uint64_t, json::string_view, json::error_code&)
    {
        note_value();
        return true;
    }
    bool on_double(double, json::string_view, json::error_code&)
    {
        note_value();
        return true;
    }
    bool on_bool(bool, json::error_code&)
    {
        note_value();
        return true;
    }
    bool on_null(json::error_code&)
    {
        note_value();
        return true;
    }
    bool on_comment_part(json::string_view, json::error_code&) { return true; }
    bool on_comment(json::string_view, json::error_code&) { return true; }

private:
    // The first callback inside the outer array tells the first element.
    void note_value() noexcept
    {
        if (depth_ == 1 && first == first_element::none)
            first = first_element::other;
    }
    void name_part(json::string_view s)
    {
        if (depth_ == 1 && first == first_element::none) {
            first = first_element::string;
            name_open_ = true;
        }
        if (name_open_)
            name.append(s.data(), s.size());
    }

    std::size_t depth_ = 0;
    bool name_open_ = false;
};

constexpr bool is_json_space(char c) noexcept
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::size_t skip_json_space(std::string_view text, std::size_t i) noexcept
{
    while (i < text.size() && is_json_space(text[i]))
        ++i;
    return i;
}

// Where an EVENT's or ACK's arguments lie in the packet's text, as kept
// for socket_packet::args_text: the bytes from `from` to `to`, the one at
// `from` replaced by '[' (for an EVENT it is the comma or space after the
// name, for an ACK the '[' itself).
struct argument_text_range {
    std::size_t from = 0;
    std::size_t to = 0;
};

// Finds the arguments in `data_text`, the JSON data of a plain EVENT or ACK,
// when it is valid and what check_payload accepts without changing it: an
// array, for an EVENT a non-empty one whose first element is a string that
// is not reserved; for an EVENT it sets `p`'s event name (in `data`).
// Returns nothing, `p` unchanged, for anything else; the tree path then
// decodes it, or refuses it with the error it always gave.
std::optional<argument_text_range> find_argument_text(std::string_view data_text, std::size_t max_depth,
                                                      socket_packet& p)
{
    json::parse_options options;
    options.max_depth = max_depth;
    json::basic_parser<argument_scan> parser(options);
    json::error_code ec;
    const std::size_t used = parser.write_some(false, data_text.data(), data_text.size(), ec);
    if (ec || used != data_text.size())
        return std::nullopt;
    const auto& scan = parser.handler();
    if (!scan.outer_array)
        return std::nullopt;

    // The text is valid JSON: an array, from its first '[' to its last ']'.
    const std::size_t open = skip_json_space(data_text, 0);
    std::size_t close = data_text.size();
    while (is_json_space(data_text[close - 1]))
        --close;
    if (p.type == socket_packet_type::ack)
        return argument_text_range{open, close};

    if (scan.size == 0 || scan.first != argument_scan::first_element::string || is_reserved_event_name(scan.name))
        return std::nullopt;
    // Past the name's closing quote: an escaped quote never ends it.
    std::size_t i = skip_json_space(data_text, open + 1) + 1;
    while (data_text[i] != '"')
        i += data_text[i] == '\\' ? 2 : 1;
    i = skip_json_space(data_text, i + 1);
    // Now at the closing bracket (no other arguments), or at the comma
    // before them; either way the byte before the next one becomes '['.
    if (data_text[i] == ',')
        i = skip_json_space(data_text, i + 1);
    p.data.emplace(json::string(scan.name));
    return argument_text_range{i - 1, close};
}

// Parses `text` into `p`, a default packet: filled in place rather than
// returned, so that on_text moves a plain packet only into its result.
// With `argument_text` given, a plain EVENT's or ACK's arguments are not
// decoded but located there (relative to `text`) when they can be kept as
// text. Returns the number of attachments a binary packet announces (0 for
// others).
result<std::size_t> parse_text(std::string_view text, const decode_limits& limits,
                               std::optional<argument_text_range>* argument_text, socket_packet& p)
{
    if (text.empty())
        return error::empty_packet;
    if (text.front() < '0' || text.front() > '6')
        return error::unknown_socket_packet_type;

    std::size_t attachments = 0;
    p.type = static_cast<socket_packet_type>(text.front() - '0');
    std::size_t i = 1;

    if (is_binary(p.type)) {
        std::size_t count = 0;
        if (!read_number(text, i, std::numeric_limits<std::size_t>::digits10, count) || i == text.size()
            || text[i] != '-')
            return error::invalid_attachment_count;
        ++i;
        if (count > limits.max_attachments)
            return error::too_many_attachments;
        attachments = count;
    }

    if (i < text.size() && text[i] == '/') {
        // As socket.io does: the namespace runs to the first comma, or to the
        // end of a packet that carries nothing else.
        const std::size_t comma = text.find(',', i);
        if (comma == std::string_view::npos) {
            p.nsp.assign(text.substr(i));
            i = text.size();
        } else {
            p.nsp.assign(text.substr(i, comma - i));
            i = comma + 1;
        }
    }

    if (i < text.size() && is_digit(text[i])) {
        std::uint64_t id = 0;
        if (!read_number(text, i, limits.max_ack_id_digits, id))
            return error::invalid_ack_id;
        p.id = id;
    } else if (p.type == socket_packet_type::ack || p.type == socket_packet_type::binary_ack) {
        // An ACK answers one id; without it there is nothing to answer.
        return error::invalid_ack_id;
    }

    if (i < text.size()) {
        // An EVENT's or ACK's outer array holds the arguments, whose own
        // depth is what the limit counts.
        std::size_t max_depth = limits.max_json_depth;
        if (carries_arguments(p.type) && max_depth < std::numeric_limits<std::size_t>::max())
            ++max_depth;
        if (argument_text && (p.type == socket_packet_type::event || p.type == socket_packet_type::ack)) {
            if (auto range = find_argument_text(text.substr(i), max_depth, p)) {
                *argument_text = argument_text_range{i + range->from, i + range->to};
                return attachments;
            }
        }
        auto data = parse_json(text.substr(i), max_depth);
        if (!data)
            return data.error();
        p.data = std::move(*data);
    }

    if (auto r = check_payload(p); !r)
        return r.error();
    return attachments;
}

// The packet's type digit, attachment count, namespace and id: all that comes
// before its data.
void append_socket_packet_header(const socket_packet& p, std::string& out)
{
    // Only events and acks carry binary; attachments on other types are not
    // written, as socket.io never sends them.
    auto type = p.type;
    if (!p.attachments.empty()) {
        if (type == socket_packet_type::event)
            type = socket_packet_type::binary_event;
        else if (type == socket_packet_type::ack)
            type = socket_packet_type::binary_ack;
    }
    out.push_back(static_cast<char>('0' + static_cast<int>(type)));
    if (is_binary(type)) {
        append_integer(p.attachments.size(), out);
        out.push_back('-');
    }
    if (!p.nsp.empty() && p.nsp != "/") {
        out.append(p.nsp);
        out.push_back(',');
    }
    if (p.id)
        append_integer(*p.id, out);
}

} // namespace

std::string encode_socket_packet(const socket_packet& p)
{
    std::string out;
    out.reserve(encoded_size_hint(p));
    append_socket_packet_header(p, out);
    if (p.args_text && p.data && p.data->is_string()) {
        // `[name` then the arguments' text without its '[': `,a,b]` or `]`.
        out.push_back('[');
        const auto& name = p.data->get_string();
        write_json_string({name.data(), name.size()}, out);
        const std::string_view rest = std::string_view(*p.args_text).substr(1);
        const auto first = skip_json_space(rest, 0);
        if (first < rest.size() && rest[first] != ']')
            out.push_back(',');
        out.append(rest);
    } else if (p.args_text) {
        out.append(*p.args_text);
    } else if (p.data) {
        write_json(*p.data, out);
    }
    return out;
}

std::string encode_socket_packet(socket_packet&& p)
{
    if (!p.args_text || p.data)
        return encode_socket_packet(std::as_const(p));
    // The text is the whole data (an ACK's): the header goes in front of it,
    // in its own buffer. A decoded one has room for it (the message it came
    // from was longer), so an echo's ack allocates nothing here.
    std::string header;
    append_socket_packet_header(p, header);
    std::string out = std::move(*p.args_text);
    out.insert(0, header);
    return out;
}

std::string encode_connect_answer(std::string_view nsp, std::string_view sid, std::string_view pid)
{
    std::string out;
    out.reserve(nsp.size() + sid.size() + pid.size() + 24);
    out.push_back(static_cast<char>('0' + static_cast<int>(socket_packet_type::connect)));
    if (!nsp.empty() && nsp != "/") {
        out.append(nsp);
        out.push_back(',');
    }
    out.append("{\"sid\":");
    write_json_string(sid, out);
    if (!pid.empty()) {
        out.append(",\"pid\":");
        write_json_string(pid, out);
    }
    out.push_back('}');
    return out;
}

result<std::optional<socket_packet>> socket_packet_decoder::on_text(std::string_view text)
{
    return decode_text(text, nullptr);
}

result<std::optional<socket_packet>> socket_packet_decoder::on_text(std::string&& text)
{
    return decode_text(text, &text);
}

result<std::optional<socket_packet>> socket_packet_decoder::decode_text(std::string_view text, std::string* owned)
{
    if (parser_ == socket_parser::msgpack)
        return error::unexpected_text_for_msgpack;
    if (pending_) {
        reset();
        return error::unexpected_text;
    }
    if (text.size() > limits_.max_payload)
        return error::payload_too_large;

    socket_packet p;
    std::optional<argument_text_range> argument_text;
    auto attachments = parse_text(text, limits_, keep_argument_text_ ? &argument_text : nullptr, p);
    if (!attachments)
        return attachments.error();
    if (argument_text) {
        // Cut from the text, in place when it is ours: no allocation then.
        const auto [from, to] = *argument_text;
        if (owned) {
            owned->resize(to);
            owned->erase(0, from);
            p.args_text = std::move(*owned);
        } else {
            p.args_text.emplace(text.substr(from, to - from));
        }
        p.args_text->front() = '[';
    }
    // A plain packet is complete as parsed: returned at once, not parked in
    // pending_ and moved out again (complete() checks only binary packets).
    if (!is_binary(p.type))
        return std::optional<socket_packet>(std::move(p));

    pending_ = std::move(p);
    expected_attachments_ = *attachments;
    if (expected_attachments_ == 0)
        return complete();
    pending_->attachments.reserve(expected_attachments_);
    return std::optional<socket_packet>();
}

result<std::optional<socket_packet>> socket_packet_decoder::on_binary(std::string bytes)
{
    if (parser_ == socket_parser::msgpack) {
        if (bytes.size() > limits_.max_payload)
            return error::payload_too_large;
        auto p = decode_msgpack_socket_packet(bytes, limits_);
        if (!p)
            return p.error();
        return std::optional<socket_packet>(std::move(*p));
    }
    if (!pending_)
        return error::unexpected_binary;
    if (bytes.size() > limits_.max_payload) {
        reset();
        return error::payload_too_large;
    }
    // Bytes the pending packet holds; each attachment is at most max_payload,
    // so the sum cannot overflow before it crosses the bound.
    if (bytes.size() > limits_.max_attachment_bytes - std::min(attachment_bytes_, limits_.max_attachment_bytes)) {
        reset();
        return error::attachments_too_large;
    }
    attachment_bytes_ += bytes.size();
    pending_->attachments.push_back(std::move(bytes));
    if (pending_->attachments.size() < expected_attachments_)
        return std::optional<socket_packet>();
    return complete();
}

void socket_packet_decoder::reset() noexcept
{
    pending_.reset();
    expected_attachments_ = 0;
    attachment_bytes_ = 0;
}

result<std::optional<socket_packet>> socket_packet_decoder::complete()
{
    socket_packet p = std::move(*pending_);
    reset();
    // Only binary packets carry placeholders; in a plain packet an object that
    // looks like one is just JSON (socket.io passes it through, and a
    // corio::binary parameter then refuses it as not binary).
    bool binary = p.type == socket_packet_type::binary_event || p.type == socket_packet_type::binary_ack;
    if (binary && p.data) {
        if (auto r = reconstruct_check(*p.data, p.attachments.size()); !r)
            return r.error();
    }
    return std::optional<socket_packet>(std::move(p));
}

bool is_reserved_event_name(std::string_view name) noexcept
{
    static constexpr std::array<std::string_view, 6> reserved{
        "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"};
    for (const auto r : reserved)
        if (r == name)
            return true;
    return false;
}

std::vector<packet> encode_socket_packet_messages(const socket_packet& p, socket_parser parser)
{
    std::vector<packet> messages;
    if (parser == socket_parser::msgpack) {
        messages.push_back(binary_message(encode_msgpack_socket_packet(p)));
        return messages;
    }
    messages.reserve(1 + p.attachments.size());
    messages.push_back(text_message(encode_socket_packet(p)));
    for (const auto& a : p.attachments)
        messages.push_back(binary_message(a));
    return messages;
}

std::vector<packet> encode_socket_packet_messages(socket_packet&& p, socket_parser parser)
{
    if (parser == socket_parser::msgpack || p.attachments.empty())
        return encode_socket_packet_messages(std::as_const(p), parser);
    std::vector<packet> messages;
    messages.reserve(1 + p.attachments.size());
    messages.push_back(text_message(encode_socket_packet(p)));
    for (auto& a : p.attachments)
        messages.push_back(binary_message(std::move(a)));
    return messages;
}

namespace {

encoded_socket_packet shared_messages(std::vector<packet> messages, bool compress)
{
    for (auto& m : messages)
        m.compress = compress;
    return std::make_shared<const std::vector<packet>>(std::move(messages));
}

} // namespace

encoded_socket_packet encode_shared(const socket_packet& p, socket_parser parser, bool compress)
{
    return shared_messages(encode_socket_packet_messages(p, parser), compress);
}

encoded_socket_packet encode_shared(socket_packet&& p, socket_parser parser, bool compress)
{
    return shared_messages(encode_socket_packet_messages(std::move(p), parser), compress);
}

} // namespace corio::protocol
