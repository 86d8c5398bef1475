#include "base64.hpp"

#include <array>
#include <cstdint>

namespace loadgen::base64 {

namespace {

constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::uint8_t invalid = 0xff;

constexpr std::array<std::uint8_t, 256> make_values()
{
    std::array<std::uint8_t, 256> values{};
    values.fill(invalid);
    for (std::size_t i = 0; i < alphabet.size(); ++i)
        values[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
    return values;
}

constexpr auto values = make_values();

} // namespace

void append_encoded(std::string& out, std::string_view bytes)
{
    out.reserve(out.size() + (bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    auto byte = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[k])); };
    for (; i + 3 <= bytes.size(); i += 3) {
        auto v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    if (auto rest = bytes.size() - i; rest > 0) {
        auto v = byte(i) << 16;
        if (rest == 2)
            v |= byte(i + 1) << 8;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += rest == 2 ? alphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
}

std::optional<std::string> decode(std::string_view text)
{
    if (text.size() % 4 != 0)
        return std::nullopt;
    std::size_t padding = 0;
    if (!text.empty() && text.back() == '=')
        padding = text[text.size() - 2] == '=' ? 2 : 1;
    std::string out;
    out.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        const bool last = i + 4 == text.size();
        std::uint32_t v = 0;
        for (std::size_t k = 0; k < 4; ++k) {
            // Padding only in the last group's last one or two places.
            bool pad = last && k >= 4 - padding;
            auto d = pad ? std::uint8_t{0} : values[static_cast<unsigned char>(text[i + k])];
            if (d == invalid)
                return std::nullopt;
            v = (v << 6) | d;
        }
        out += static_cast<char>((v >> 16) & 0xff);
        if (!last || padding < 2)
            out += static_cast<char>((v >> 8) & 0xff);
        if (!last || padding < 1)
            out += static_cast<char>(v & 0xff);
    }
    return out;
}

} // namespace loadgen::base64
