#include "utf8_replacement.hpp"

namespace corio::protocol {

std::string replace_invalid_utf8(std::string_view bytes)
{
    constexpr std::string_view replacement = "\xEF\xBF\xBD";
    std::string out;
    // Each byte becomes at most one replacement (3 bytes).
    out.reserve(bytes.size() + bytes.size() / 2);
    const auto* const data = reinterpret_cast<const unsigned char*>(bytes.data());
    const std::size_t size = bytes.size();
    std::size_t i = 0;
    while (i < size) {
        const unsigned lead = data[i];
        if (lead < 0x80) {
            out.push_back(static_cast<char>(lead));
            ++i;
            continue;
        }
        // The lead byte fixes the sequence length and the range of the first
        // continuation byte (Unicode table 3-7), which is what rules out
        // overlong forms, surrogates and code points above U+10FFFF.
        std::size_t length = 0;
        unsigned lo = 0x80;
        unsigned hi = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            if (lead == 0xE0)
                lo = 0xA0;
            else if (lead == 0xED)
                hi = 0x9F;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            if (lead == 0xF0)
                lo = 0x90;
            else if (lead == 0xF4)
                hi = 0x8F;
        } else {
            out.append(replacement);
            ++i;
            continue;
        }
        // Consume continuation bytes while they fit; the first that does not
        // ends the ill-formed subsequence and is not consumed.
        std::size_t taken = 1;
        while (taken < length && i + taken < size) {
            const unsigned c = data[i + taken];
            if (c < lo || c > hi)
                break;
            lo = 0x80;
            hi = 0xBF;
            ++taken;
        }
        if (taken == length)
            out.append(bytes.substr(i, length));
        else
            out.append(replacement);
        i += taken;
    }
    return out;
}

} // namespace corio::protocol
