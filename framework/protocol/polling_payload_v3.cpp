#include <corio/protocol/polling_payload_v3.hpp>

#include <corio/protocol/base64.hpp>
#include <corio/protocol/websocket_frame.hpp>

#include "ascii.hpp"

#include <charconv>

namespace corio::protocol::v3 {

namespace {

// A length has at most this many digits: more would exceed any max_payload.
constexpr std::size_t max_length_digits = 10;

constexpr char binary_type_byte = static_cast<char>(packet_type::message);

/// Bytes of the UTF-8 sequence `lead` starts, for text already checked to
/// be UTF-8.
std::size_t sequence_length(unsigned char lead) noexcept
{
    if (lead < 0x80)
        return 1;
    if (lead < 0xE0)
        return 2;
    if (lead < 0xF0)
        return 3;
    return 4;
}

void append_binary_header(bool binary, std::size_t length, std::string& out)
{
    out.push_back(binary ? '\x01' : '\x00');
    char digits[24];
    auto [end, ec] = std::to_chars(std::begin(digits), std::end(digits), length);
    for (const char* d = digits; d != end; ++d)
        out.push_back(static_cast<char>(*d - '0'));
    out.push_back('\xff');
}

result<std::vector<packet>> decode_text_payload(std::string_view body, const decode_limits& limits)
{
    // Checked once for the whole body: lengths are then counted by lead bytes.
    if (!websocket::valid_utf8(body))
        return error::invalid_utf8;
    std::vector<packet> packets;
    std::size_t pos = 0;
    while (pos < body.size()) {
        const std::size_t colon = body.find(':', pos);
        if (colon == std::string_view::npos || colon == pos || colon - pos > max_length_digits)
            return error::invalid_payload_length;
        std::size_t units = 0;
        for (std::size_t i = pos; i < colon; ++i) {
            if (!is_digit(body[i]))
                return error::invalid_payload_length;
            units = units * 10 + static_cast<std::size_t>(body[i] - '0');
        }
        // Walk `units` UTF-16 code units; a pair may not be split.
        std::size_t end = colon + 1;
        for (std::size_t counted = 0; counted < units;) {
            if (end >= body.size())
                return error::invalid_payload_length;
            const std::size_t bytes = sequence_length(static_cast<unsigned char>(body[end]));
            counted += bytes == 4 ? 2 : 1;
            if (counted > units)
                return error::invalid_payload_length;
            end += bytes;
        }
        const std::string_view message = body.substr(colon + 1, end - colon - 1);
        pos = end;
        if (message.empty())
            continue;
        if (packets.size() == limits.max_packets_per_payload)
            return error::too_many_packets;
        auto p = decode_text_packet(message);
        if (!p)
            return p.error();
        packets.push_back(std::move(*p));
    }
    return packets;
}

result<std::vector<packet>> decode_binary_payload(std::string_view body, const decode_limits& limits)
{
    std::vector<packet> packets;
    std::size_t pos = 0;
    while (pos < body.size()) {
        const char kind = body[pos++];
        if (kind != '\x00' && kind != '\x01')
            return error::invalid_payload_length;
        std::size_t length = 0;
        std::size_t digits = 0;
        for (; pos < body.size() && body[pos] != '\xff'; ++pos, ++digits) {
            const auto digit = static_cast<unsigned char>(body[pos]);
            if (digit > 9 || digits == max_length_digits)
                return error::invalid_payload_length;
            length = length * 10 + digit;
        }
        if (pos == body.size() || digits == 0 || length > body.size() - pos - 1)
            return error::invalid_payload_length;
        const std::string_view message = body.substr(pos + 1, length);
        pos += 1 + length;
        if (packets.size() == limits.max_packets_per_payload)
            return error::too_many_packets;
        if (kind == '\x00' && !websocket::valid_utf8(message))
            return error::invalid_utf8;
        auto p = kind == '\x00' ? decode_text_packet(message) : decode_binary_packet(message);
        if (!p)
            return p.error();
        packets.push_back(std::move(*p));
    }
    return packets;
}

} // namespace

std::size_t utf16_length(std::string_view text) noexcept
{
    std::size_t units = 0;
    for (const char c : text) {
        const auto b = static_cast<unsigned char>(c);
        // Continuation bytes add nothing; a four-byte sequence is a pair.
        if ((b & 0xC0) != 0x80)
            units += b >= 0xF0 ? 2 : 1;
    }
    return units;
}

void append_to_payload(const packet& p, payload_form form, std::string& out)
{
    if (form == payload_form::binary) {
        append_binary_header(p.binary, 1 + p.data.size(), out);
        if (p.binary)
            out.push_back(binary_type_byte);
        else
            out.push_back(static_cast<char>('0' + static_cast<int>(p.type)));
        out.append(p.data);
        return;
    }
    if (p.binary) {
        std::string encoded = "b4";
        base64_encode(p.data, encoded);
        out.append(std::to_string(encoded.size()));
        out.push_back(':');
        out.append(encoded);
        return;
    }
    out.append(std::to_string(1 + utf16_length(p.data)));
    out.push_back(':');
    encode_text_packet(p, out);
}

result<std::vector<packet>> decode_payload(std::string_view body, const decode_limits& limits)
{
    if (body.size() > limits.max_payload)
        return error::payload_too_large;
    if (body.empty())
        return error::empty_packet;
    if (body.front() == '\x00' || body.front() == '\x01')
        return decode_binary_payload(body, limits);
    return decode_text_payload(body, limits);
}

result<packet> decode_text_packet(std::string_view text)
{
    if (text.empty() || text.front() != 'b')
        return protocol::decode_text_packet(text);
    // Only messages carry binary.
    if (text.size() < 2 || text[1] != '4')
        return error::unknown_packet_type;
    auto bytes = base64_decode(text.substr(2));
    if (!bytes)
        return bytes.error();
    return binary_message(std::move(*bytes));
}

result<packet> decode_binary_packet(std::string_view bytes)
{
    if (bytes.empty())
        return error::empty_packet;
    if (bytes.front() != binary_type_byte)
        return error::unknown_packet_type;
    return binary_message(std::string(bytes.substr(1)));
}

} // namespace corio::protocol::v3
