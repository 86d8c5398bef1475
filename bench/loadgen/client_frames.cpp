#include "client_frames.hpp"

#include <cstring>

namespace loadgen::client_frames {

void append_masked(std::string& out, opcode op, std::string_view payload, std::uint32_t mask_key)
{
    const auto size = payload.size();
    out.push_back(static_cast<char>(0x80 | static_cast<std::uint8_t>(op)));
    if (size < 126) {
        out.push_back(static_cast<char>(0x80 | size));
    } else if (size <= 0xffff) {
        out.push_back(static_cast<char>(0x80 | 126));
        out.push_back(static_cast<char>(size >> 8));
        out.push_back(static_cast<char>(size));
    } else {
        out.push_back(static_cast<char>(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            out.push_back(static_cast<char>(static_cast<std::uint64_t>(size) >> shift));
    }
    const unsigned char key[4] = {static_cast<unsigned char>(mask_key >> 24), static_cast<unsigned char>(mask_key >> 16),
                                  static_cast<unsigned char>(mask_key >> 8), static_cast<unsigned char>(mask_key)};
    out.append(reinterpret_cast<const char*>(key), 4);
    const auto at = out.size();
    out.append(payload);
    auto* p = reinterpret_cast<unsigned char*>(out.data() + at);
    std::size_t i = 0;
    // Eight bytes at a time: large binary messages are masked too.
    if (size >= 8) {
        std::uint64_t wide;
        unsigned char pattern[8];
        for (int k = 0; k < 8; ++k)
            pattern[k] = key[k % 4];
        std::memcpy(&wide, pattern, 8);
        for (; i + 8 <= size; i += 8) {
            std::uint64_t word;
            std::memcpy(&word, p + i, 8);
            word ^= wide;
            std::memcpy(p + i, &word, 8);
        }
    }
    for (; i < size; ++i)
        p[i] ^= key[i % 4];
}

parse_result parse(std::string_view bytes, std::size_t max_payload)
{
    if (bytes.size() < 2)
        return incomplete{};
    const auto b0 = static_cast<unsigned char>(bytes[0]);
    const auto b1 = static_cast<unsigned char>(bytes[1]);
    if ((b0 & 0x70) != 0)
        return std::string_view("reserved bit set");
    if ((b1 & 0x80) != 0)
        return std::string_view("masked frame from the server");
    const auto op = static_cast<opcode>(b0 & 0x0f);
    switch (op) {
    case opcode::continuation:
    case opcode::text:
    case opcode::binary:
    case opcode::close:
    case opcode::ping:
    case opcode::pong:
        break;
    default:
        return std::string_view("unknown opcode");
    }
    std::size_t header = 2;
    std::uint64_t length = b1 & 0x7f;
    if (length == 126) {
        header = 4;
        if (bytes.size() < header)
            return incomplete{};
        length = (static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[2])) << 8) |
                 static_cast<unsigned char>(bytes[3]);
    } else if (length == 127) {
        header = 10;
        if (bytes.size() < header)
            return incomplete{};
        length = 0;
        for (std::size_t k = 2; k < 10; ++k)
            length = (length << 8) | static_cast<unsigned char>(bytes[k]);
    }
    if (length > max_payload)
        return std::string_view("message too big");
    if (bytes.size() - header < length)
        return incomplete{};
    return frame{op, (b0 & 0x80) != 0, bytes.substr(header, static_cast<std::size_t>(length)),
                 header + static_cast<std::size_t>(length)};
}

} // namespace loadgen::client_frames
