#include "frame.hpp"

#include <cstring>

namespace ceiling::frame {

namespace {

constexpr unsigned char fin_bit = 0x80;
constexpr unsigned char reserved_bits = 0x70;
constexpr unsigned char opcode_bits = 0x0f;
constexpr unsigned char mask_bit = 0x80;
constexpr unsigned char length_bits = 0x7f;
constexpr unsigned length_16 = 126; // the length follows in 2 bytes
constexpr unsigned length_64 = 127; // the length follows in 8 bytes
constexpr std::uint64_t max_control_payload = 125;

bool known(unsigned op)
{
    switch (static_cast<opcode>(op)) {
    case opcode::continuation:
    case opcode::text:
    case opcode::binary:
    case opcode::close:
    case opcode::ping:
    case opcode::pong:
        return true;
    }
    return false;
}

} // namespace

read_status read_header(const char* data, std::size_t size, std::uint64_t max_payload, header& out)
{
    if (size < 2)
        return read_status::incomplete;
    const auto* p = reinterpret_cast<const unsigned char*>(data);
    if ((p[0] & reserved_bits) != 0 || (p[1] & mask_bit) == 0 || !known(p[0] & opcode_bits))
        return read_status::bad;
    out.fin = (p[0] & fin_bit) != 0;
    out.op = static_cast<opcode>(p[0] & opcode_bits);
    std::uint64_t length = p[1] & length_bits;
    std::size_t at = 2;
    if (length == length_16) {
        if (size < at + 2)
            return read_status::incomplete;
        length = (std::uint64_t{p[2]} << 8) | p[3];
        at += 2;
    } else if (length == length_64) {
        if (size < at + 8)
            return read_status::incomplete;
        length = 0;
        for (int i = 0; i < 8; ++i)
            length = (length << 8) | p[at + i];
        at += 8;
    }
    const bool control = (p[0] & 0x08) != 0;
    if (control && (!out.fin || length > max_control_payload))
        return read_status::bad;
    if (length > max_payload)
        return read_status::too_big;
    if (size < at + 4)
        return read_status::incomplete;
    std::memcpy(out.mask, p + at, 4);
    out.size = at + 4;
    out.payload = length;
    return read_status::ok;
}

void unmask(char* data, std::size_t size, const unsigned char (&mask)[4])
{
    // Eight bytes at a time with the key repeated twice: the payload starts at an arbitrary
    // offset, so words go through memcpy, which compiles to plain loads and stores.
    std::uint32_t key32;
    std::memcpy(&key32, mask, 4);
    const std::uint64_t key64 = (std::uint64_t{key32} << 32) | key32;
    std::size_t i = 0;
    for (; i + 8 <= size; i += 8) {
        std::uint64_t word;
        std::memcpy(&word, data + i, 8);
        word ^= key64;
        std::memcpy(data + i, &word, 8);
    }
    for (; i < size; ++i)
        data[i] = static_cast<char>(data[i] ^ mask[i % 4]);
}

void append(std::string& out, opcode op, std::initializer_list<std::string_view> parts)
{
    std::size_t length = 0;
    for (auto part : parts)
        length += part.size();
    char head[10];
    std::size_t head_size = 2;
    head[0] = static_cast<char>(fin_bit | static_cast<unsigned char>(op));
    if (length < length_16) {
        head[1] = static_cast<char>(length);
    } else if (length <= 0xffff) {
        head[1] = static_cast<char>(length_16);
        head[2] = static_cast<char>(length >> 8);
        head[3] = static_cast<char>(length);
        head_size = 4;
    } else {
        head[1] = static_cast<char>(length_64);
        for (int i = 0; i < 8; ++i)
            head[2 + i] = static_cast<char>(static_cast<std::uint64_t>(length) >> (8 * (7 - i)));
        head_size = 10;
    }
    out.reserve(out.size() + head_size + length);
    out.append(head, head_size);
    for (auto part : parts)
        out.append(part);
}

} // namespace ceiling::frame
