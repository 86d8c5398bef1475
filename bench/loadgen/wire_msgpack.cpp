#include "wire_msgpack.hpp"

#include <cstddef>

namespace loadgen::wire::msgpack {

namespace {

constexpr unsigned max_depth = 64;

// A big-endian unsigned of `width` bytes at `p`.
std::uint64_t big_endian(const unsigned char* p, unsigned width)
{
    std::uint64_t v = 0;
    for (unsigned i = 0; i < width; ++i)
        v = v << 8 | p[i];
    return v;
}

void append_big_endian(std::string& out, std::uint64_t v, unsigned width)
{
    for (unsigned i = width; i-- > 0;)
        out.push_back(static_cast<char>(v >> (8 * i) & 0xff));
}

/// Reads one value at `bytes[at]`: moves `at` past it. False when the bytes
/// end first, nest deeper than max_depth, or hold a reserved tag (0xc1).
class reader {
public:
    explicit reader(std::string_view bytes) : p_(reinterpret_cast<const unsigned char*>(bytes.data())), n_(bytes.size())
    {
    }

    std::size_t at = 0;

    bool skip(unsigned depth = 0)
    {
        if (depth > max_depth || at >= n_)
            return false;
        const unsigned tag = p_[at++];
        if (tag <= 0x7f || tag >= 0xe0 || tag == 0xc0 || tag == 0xc2 || tag == 0xc3)
            return true;
        if (tag >= 0x80 && tag <= 0x8f)
            return skip_items(2 * (tag & 0x0f), depth);
        if (tag >= 0x90 && tag <= 0x9f)
            return skip_items(tag & 0x0f, depth);
        if (tag >= 0xa0 && tag <= 0xbf)
            return skip_bytes(tag & 0x1f);
        switch (tag) {
        case 0xc4:
        case 0xd9:
            return skip_sized(1);
        case 0xc5:
        case 0xda:
            return skip_sized(2);
        case 0xc6:
        case 0xdb:
            return skip_sized(4);
        case 0xc7:
            return skip_sized(1, 1); // ext: size, type, data
        case 0xc8:
            return skip_sized(2, 1);
        case 0xc9:
            return skip_sized(4, 1);
        case 0xca:
            return skip_bytes(4);
        case 0xcb:
            return skip_bytes(8);
        case 0xcc:
        case 0xd0:
            return skip_bytes(1);
        case 0xcd:
        case 0xd1:
            return skip_bytes(2);
        case 0xce:
        case 0xd2:
            return skip_bytes(4);
        case 0xcf:
        case 0xd3:
            return skip_bytes(8);
        case 0xd4:
            return skip_bytes(2); // fixext: type, data
        case 0xd5:
            return skip_bytes(3);
        case 0xd6:
            return skip_bytes(5);
        case 0xd7:
            return skip_bytes(9);
        case 0xd8:
            return skip_bytes(17);
        case 0xdc:
            return skip_counted(2, 1, depth);
        case 0xdd:
            return skip_counted(4, 1, depth);
        case 0xde:
            return skip_counted(2, 2, depth);
        case 0xdf:
            return skip_counted(4, 2, depth);
        default:
            return false; // 0xc1
        }
    }

    /// The unsigned integer at `at`, moving past it.
    std::optional<std::uint64_t> read_uint()
    {
        if (at >= n_)
            return std::nullopt;
        const unsigned tag = p_[at];
        if (tag <= 0x7f) {
            ++at;
            return tag;
        }
        const unsigned width = tag == 0xcc ? 1 : tag == 0xcd ? 2 : tag == 0xce ? 4 : tag == 0xcf ? 8 : 0;
        if (width == 0 || n_ - at - 1 < width)
            return std::nullopt;
        const auto v = big_endian(p_ + at + 1, width);
        at += 1 + width;
        return v;
    }

    /// The str at `at`, moving past it.
    std::optional<std::string_view> read_str()
    {
        if (at >= n_)
            return std::nullopt;
        const unsigned tag = p_[at];
        std::size_t size = 0;
        unsigned header = 1;
        if (tag >= 0xa0 && tag <= 0xbf) {
            size = tag & 0x1f;
        } else {
            header += tag == 0xd9 ? 1 : tag == 0xda ? 2 : tag == 0xdb ? 4 : 0;
            if (header == 1 || n_ - at < header)
                return std::nullopt;
            size = big_endian(p_ + at + 1, header - 1);
        }
        if (n_ - at - header < size)
            return std::nullopt;
        std::string_view s(reinterpret_cast<const char*>(p_ + at + header), size);
        at += header + size;
        return s;
    }

    /// Reads a map header; its entry count.
    std::optional<std::size_t> read_map_header()
    {
        if (at >= n_)
            return std::nullopt;
        const unsigned tag = p_[at];
        if (tag >= 0x80 && tag <= 0x8f) {
            ++at;
            return tag & 0x0f;
        }
        const unsigned width = tag == 0xde ? 2 : tag == 0xdf ? 4 : 0;
        if (width == 0 || n_ - at - 1 < width)
            return std::nullopt;
        const auto count = big_endian(p_ + at + 1, width);
        at += 1 + width;
        return count;
    }

    std::string_view view(std::size_t from, std::size_t to) const
    {
        return {reinterpret_cast<const char*>(p_ + from), to - from};
    }

    std::size_t size() const noexcept { return n_; }

private:
    bool skip_bytes(std::size_t count)
    {
        if (n_ - at < count)
            return false;
        at += count;
        return true;
    }

    // A size of `width` bytes, then `extra` bytes (an ext's type), then the data.
    bool skip_sized(unsigned width, unsigned extra = 0)
    {
        if (n_ - at < width)
            return false;
        const auto size = big_endian(p_ + at, width);
        at += width;
        return skip_bytes(extra) && skip_bytes(size);
    }

    bool skip_items(std::uint64_t items, unsigned depth)
    {
        for (std::uint64_t i = 0; i < items; ++i)
            if (!skip(depth + 1))
                return false;
        return true;
    }

    // A count of `width` bytes, then count * per_item values.
    bool skip_counted(unsigned width, unsigned per_item, unsigned depth)
    {
        if (n_ - at < width)
            return false;
        const auto count = big_endian(p_ + at, width);
        at += width;
        return skip_items(count * per_item, depth);
    }

    const unsigned char* p_;
    std::size_t n_;
};

} // namespace

void append_uint(std::string& out, std::uint64_t v)
{
    if (v <= 0x7f) {
        out.push_back(static_cast<char>(v));
    } else if (v <= 0xff) {
        out.push_back('\xcc');
        append_big_endian(out, v, 1);
    } else if (v <= 0xffff) {
        out.push_back('\xcd');
        append_big_endian(out, v, 2);
    } else if (v <= 0xffffffff) {
        out.push_back('\xce');
        append_big_endian(out, v, 4);
    } else {
        out.push_back('\xcf');
        append_big_endian(out, v, 8);
    }
}

void append_str_header(std::string& out, std::size_t size)
{
    if (size <= 31) {
        out.push_back(static_cast<char>(0xa0 | size));
    } else if (size <= 0xff) {
        out.push_back('\xd9');
        append_big_endian(out, size, 1);
    } else if (size <= 0xffff) {
        out.push_back('\xda');
        append_big_endian(out, size, 2);
    } else {
        out.push_back('\xdb');
        append_big_endian(out, size, 4);
    }
}

void append_str(std::string& out, std::string_view s)
{
    append_str_header(out, s.size());
    out.append(s);
}

std::string packet_head(std::uint8_t type, unsigned entries)
{
    std::string out;
    out.push_back(static_cast<char>(0x80 | entries));
    append_str(out, "type");
    out.push_back(static_cast<char>(type));
    append_str(out, "nsp");
    append_str(out, "/");
    return out;
}

void append_entry(std::string& out, std::string_view key, std::uint64_t v)
{
    append_str(out, key);
    append_uint(out, v);
}

std::optional<packet_view> read_packet(std::string_view bytes)
{
    reader r(bytes);
    auto entries = r.read_map_header();
    if (!entries)
        return std::nullopt;
    packet_view packet;
    for (std::size_t i = 0; i < *entries; ++i) {
        auto key = r.read_str();
        if (!key)
            return std::nullopt;
        if (*key == "type" || *key == "id") {
            const auto from = r.at;
            auto v = r.read_uint();
            if (!v) { // undefined, or not an unsigned integer: not what we look for
                r.at = from;
                if (!r.skip())
                    return std::nullopt;
                continue;
            }
            (*key == "type" ? packet.type : packet.id) = v;
            continue;
        }
        const auto from = r.at;
        if (!r.skip())
            return std::nullopt;
        if (*key == "data")
            packet.data = r.view(from, r.at);
    }
    if (r.at != r.size())
        return std::nullopt;
    return packet;
}

std::optional<std::string_view> read_str(std::string_view bytes)
{
    reader r(bytes);
    return r.read_str();
}

} // namespace loadgen::wire::msgpack
