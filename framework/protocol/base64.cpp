#include <corio/protocol/base64.hpp>

#include <array>
#include <cstdint>

namespace corio::protocol {

namespace {

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::uint8_t invalid = 0xff;

constexpr std::array<std::uint8_t, 256> make_decode_table()
{
    std::array<std::uint8_t, 256> table{};
    for (auto& v : table)
        v = invalid;
    for (std::uint8_t i = 0; i < 64; ++i)
        table[static_cast<unsigned char>(alphabet[i])] = i;
    return table;
}

constexpr auto decode_table = make_decode_table();

} // namespace

void base64_encode(std::string_view bytes, std::string& out)
{
    const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
    const std::size_t n = bytes.size();
    const std::size_t start = out.size();
    out.resize(start + (n + 2) / 3 * 4);
    char* o = out.data() + start;

    std::size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        const std::uint32_t v = (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8) | in[i + 2];
        *o++ = alphabet[(v >> 18) & 0x3f];
        *o++ = alphabet[(v >> 12) & 0x3f];
        *o++ = alphabet[(v >> 6) & 0x3f];
        *o++ = alphabet[v & 0x3f];
    }
    if (const std::size_t rest = n - i; rest == 1) {
        const std::uint32_t v = std::uint32_t{in[i]} << 16;
        *o++ = alphabet[(v >> 18) & 0x3f];
        *o++ = alphabet[(v >> 12) & 0x3f];
        *o++ = '=';
        *o++ = '=';
    } else if (rest == 2) {
        const std::uint32_t v = (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8);
        *o++ = alphabet[(v >> 18) & 0x3f];
        *o++ = alphabet[(v >> 12) & 0x3f];
        *o++ = alphabet[(v >> 6) & 0x3f];
        *o++ = '=';
    }
}

std::string base64_encode(std::string_view bytes)
{
    std::string out;
    base64_encode(bytes, out);
    return out;
}

result<std::string> base64_decode(std::string_view text)
{
    std::size_t n = text.size();
    std::size_t padding = 0;
    while (padding < n && text[n - 1 - padding] == '=')
        ++padding;
    if (padding > 2)
        return error::invalid_base64;
    // Padding only ever completes the last group of four.
    if (padding > 0 && n % 4 != 0)
        return error::invalid_base64;
    n -= padding;
    // One character carries only 6 bits, never a whole byte.
    if (n % 4 == 1)
        return error::invalid_base64;
    // Padding must stand for exactly the characters the last group lacks.
    if (padding > 0 && (4 - n % 4) % 4 != padding)
        return error::invalid_base64;

    const auto* in = reinterpret_cast<const unsigned char*>(text.data());
    std::string out;
    out.resize(n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1));
    char* o = out.data();

    std::size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const std::uint8_t a = decode_table[in[i]];
        const std::uint8_t b = decode_table[in[i + 1]];
        const std::uint8_t c = decode_table[in[i + 2]];
        const std::uint8_t d = decode_table[in[i + 3]];
        // Valid sextets are below 64, so any invalid one sets a high bit.
        if (((a | b | c | d) & 0xc0) != 0)
            return error::invalid_base64;
        const std::uint32_t v = (std::uint32_t{a} << 18) | (std::uint32_t{b} << 12) | (std::uint32_t{c} << 6) | d;
        *o++ = static_cast<char>((v >> 16) & 0xff);
        *o++ = static_cast<char>((v >> 8) & 0xff);
        *o++ = static_cast<char>(v & 0xff);
    }
    if (const std::size_t rest = n - i; rest >= 2) {
        const std::uint8_t a = decode_table[in[i]];
        const std::uint8_t b = decode_table[in[i + 1]];
        const std::uint8_t c = rest == 3 ? decode_table[in[i + 2]] : std::uint8_t{0};
        if (((a | b | c) & 0xc0) != 0)
            return error::invalid_base64;
        const std::uint32_t v = (std::uint32_t{a} << 18) | (std::uint32_t{b} << 12) | (std::uint32_t{c} << 6);
        *o++ = static_cast<char>((v >> 16) & 0xff);
        if (rest == 3)
            *o++ = static_cast<char>((v >> 8) & 0xff);
    }
    return out;
}

} // namespace corio::protocol
