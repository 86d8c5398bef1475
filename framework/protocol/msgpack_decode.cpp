// MessagePack decoding in notepack.io 3.0.1's dialect.
//
// Our own decoder rather than Debian's libmsgpuck (the only packaged C
// library that does not pull Boost 1.74): msgpuck's mp_decode_* trust the
// lengths they read and assert on a wrong type unless mp_check has walked the
// whole buffer first, and it has no hook for a depth limit or for notepack's
// extension types; the format is some thirty tags, each checked here against
// the bytes that remain.

#include <corio/protocol/msgpack.hpp>

#include <corio/protocol/attachments.hpp>
#include <corio/protocol/error.hpp>
#include <corio/protocol/websocket_frame.hpp>

#include "js_date.hpp"
#include "utf8_replacement.hpp"

#include <boost/container/small_vector.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <utility>

namespace corio::protocol::msgpack {

namespace {

namespace json = boost::json;

// The extension types notepack gives meaning to.
constexpr std::int8_t ext_timestamp = -1;   // MessagePack's timestamp; notepack 3 writes Dates so
constexpr std::int8_t ext_notepack_old = 0; // notepack 2: ArrayBuffer, `undefined`, Date

// A string read from the wire: a view of the input when it is valid UTF-8
// (nearly always), else the replaced text kept in `owned`.
struct text {
    std::string_view view;
    std::string owned;
};

// A container being filled. Frames move as the stack grows, so a key is
// kept as a view of the input (stable) or in `owned_key`, never as a view
// into the frame.
struct read_frame {
    json::value container; // an array or an object
    std::uint64_t left;    // elements, or map entries, still to come
    bool has_key = false;  // an object's key is read, its value is next
    bool key_owned = false;
    std::string_view wire_key;
    std::string owned_key; // an integer key's digits, or a key with replaced UTF-8

    std::string_view key() const noexcept { return key_owned ? std::string_view(owned_key) : wire_key; }
};

class decoder {
public:
    decoder(std::string_view bytes, std::size_t max_depth)
        : p_(reinterpret_cast<const unsigned char*>(bytes.data())), end_(p_ + bytes.size()), max_depth_(max_depth)
    {
    }

    result<document> run();

private:
    std::size_t left() const noexcept { return static_cast<std::size_t>(end_ - p_); }

    // Reads an N-byte big-endian unsigned integer, if that many bytes remain.
    template <class Uint> bool read(Uint& out) noexcept
    {
        if (left() < sizeof(Uint))
            return false;
        Uint v = 0;
        for (std::size_t i = 0; i < sizeof(Uint); ++i)
            v = static_cast<Uint>((v << 8) | p_[i]);
        p_ += sizeof(Uint);
        out = v;
        return true;
    }

    // Reads a big-endian length of `width` bytes (1, 2 or 4); the caller
    // checks it against what remains.
    bool read_length(unsigned width, std::uint64_t& length) noexcept;
    bool read_text(std::uint64_t length, text& out);
    bool read_key(read_frame& f, unsigned char tag);
    // Reads one value; a non-empty array or map is pushed as a frame.
    // `value` is set when the value is complete.
    bool read_value(std::optional<json::value>& value);
    // The `length` data bytes of an extension notepack reads: its old
    // `undefined` or Date, or a timestamp.
    bool read_ext(std::uint64_t length, std::int8_t type, std::optional<json::value>& value);
    bool open(std::uint64_t count, bool is_map, std::optional<json::value>& value);
    json::value attachment(std::uint64_t length);
    template <class Int> bool integer_key(read_frame& f, Int v);
    bool string_key(read_frame& f, std::uint64_t length);
    // Adds a complete value to the open frames, closing those it completes.
    void complete(json::value value);

    const unsigned char* p_;
    const unsigned char* const end_;
    const std::size_t max_depth_;
    // Values the open frames still expect (a map entry counts two). Each
    // takes at least one byte, so more than left() means truncation, found
    // before anything is reserved for them.
    std::uint64_t promised_ = 0;
    boost::container::small_vector<read_frame, 8> stack_;
    std::vector<std::string> attachments_;
    std::optional<json::value> root_;
};

bool decoder::read_length(unsigned width, std::uint64_t& length) noexcept
{
    switch (width) {
    case 1: {
        std::uint8_t v;
        if (!read(v))
            return false;
        length = v;
        return true;
    }
    case 2: {
        std::uint16_t v;
        if (!read(v))
            return false;
        length = v;
        return true;
    }
    default: {
        std::uint32_t v;
        if (!read(v))
            return false;
        length = v;
        return true;
    }
    }
}

bool decoder::read_text(std::uint64_t length, text& out)
{
    if (length > left())
        return false;
    const std::string_view bytes(reinterpret_cast<const char*>(p_), static_cast<std::size_t>(length));
    p_ += length;
    // Node decodes str as UTF-8 with replacement; do the same, so every
    // string in the tree is valid UTF-8 as the JSON reader's are.
    if (websocket::valid_utf8(bytes)) {
        out.view = bytes;
    } else {
        out.owned = replace_invalid_utf8(bytes);
        out.view = out.owned;
    }
    return out.view.size() <= json::string::max_size();
}

template <class Int> bool decoder::integer_key(read_frame& f, Int v)
{
    char digits[24];
    const auto r = std::to_chars(digits, digits + sizeof digits, v);
    f.owned_key.assign(digits, r.ptr);
    f.key_owned = true;
    return true;
}

bool decoder::string_key(read_frame& f, std::uint64_t length)
{
    text key;
    if (!read_text(length, key))
        return false;
    if (key.owned.empty()) {
        f.wire_key = key.view;
        f.key_owned = false;
    } else {
        f.owned_key = std::move(key.owned);
        f.key_owned = true;
    }
    return true;
}

// A JavaScript object's keys are strings: notepack's `value[key] = ...`
// turns an integer key into its decimal text. Other key types (which
// JavaScript would also stringify, as "null", "true", "[object Object]")
// are refused: no Socket.IO peer writes them.
bool decoder::read_key(read_frame& f, unsigned char tag)
{
    if (tag >= 0xa0 && tag <= 0xbf)
        return string_key(f, tag & 0x1f);
    if (tag < 0x80)
        return integer_key(f, std::uint64_t{tag});
    if (tag >= 0xe0)
        return integer_key(f, std::int64_t{static_cast<std::int8_t>(tag)});
    std::uint64_t length = 0;
    switch (tag) {
    case 0xd9:
        return read_length(1, length) && string_key(f, length);
    case 0xda:
        return read_length(2, length) && string_key(f, length);
    case 0xdb:
        return read_length(4, length) && string_key(f, length);
    case 0xcc: {
        std::uint8_t v;
        return read(v) && integer_key(f, std::uint64_t{v});
    }
    case 0xcd: {
        std::uint16_t v;
        return read(v) && integer_key(f, std::uint64_t{v});
    }
    case 0xce: {
        std::uint32_t v;
        return read(v) && integer_key(f, std::uint64_t{v});
    }
    case 0xcf: {
        std::uint64_t v;
        return read(v) && integer_key(f, v);
    }
    case 0xd0: {
        std::uint8_t v;
        return read(v) && integer_key(f, std::int64_t{static_cast<std::int8_t>(v)});
    }
    case 0xd1: {
        std::uint16_t v;
        return read(v) && integer_key(f, std::int64_t{static_cast<std::int16_t>(v)});
    }
    case 0xd2: {
        std::uint32_t v;
        return read(v) && integer_key(f, std::int64_t{static_cast<std::int32_t>(v)});
    }
    case 0xd3: {
        std::uint64_t v;
        return read(v) && integer_key(f, static_cast<std::int64_t>(v));
    }
    default:
        return false;
    }
}

json::value decoder::attachment(std::uint64_t length)
{
    attachments_.emplace_back(reinterpret_cast<const char*>(p_), static_cast<std::size_t>(length));
    p_ += length;
    return make_placeholder(attachments_.size() - 1);
}

bool decoder::open(std::uint64_t count, bool is_map, std::optional<json::value>& value)
{
    // `[]` is one level deep, as in the JSON reader's count.
    if (stack_.size() + 1 > max_depth_)
        return false;
    const std::uint64_t owed = is_map ? 2 * count : count;
    if (promised_ + owed > left())
        return false;
    if (count == 0) {
        value.emplace(is_map ? json::value(json::object()) : json::value(json::array()));
        return true;
    }
    // Within what the input can hold, so reserving is bounded by its size;
    // beyond Boost.JSON's own limits it could not be represented.
    if (count > (is_map ? json::object::max_size() : json::array::max_size()))
        return false;
    promised_ += owed;
    read_frame& f = stack_.emplace_back();
    f.left = count;
    if (is_map)
        f.container.emplace_object().reserve(static_cast<std::size_t>(count));
    else
        f.container.emplace_array().reserve(static_cast<std::size_t>(count));
    return true;
}

bool decoder::read_ext(std::uint64_t length, std::int8_t type, std::optional<json::value>& value)
{
    if (length > left())
        return false;
    const unsigned char* data = p_;
    const auto u32 = [data](std::size_t at) {
        return static_cast<std::uint32_t>(data[at]) << 24 | static_cast<std::uint32_t>(data[at + 1]) << 16 |
               static_cast<std::uint32_t>(data[at + 2]) << 8 | static_cast<std::uint32_t>(data[at + 3]);
    };
    // A date becomes what JSON.stringify makes of the JavaScript Date that
    // notepack builds, computed with the same double arithmetic.
    std::optional<double> date_ms;
    if (type == ext_timestamp) {
        if (length == 4) {
            date_ms = static_cast<double>(u32(0)) * 1e3;
        } else if (length == 8) {
            const std::uint32_t hi = u32(0);
            const std::uint32_t lo = u32(4);
            const double seconds = static_cast<double>(hi & 0x3) * 4294967296.0 + static_cast<double>(lo);
            date_ms = seconds * 1e3 + static_cast<double>(hi >> 2) / 1e6;
        } else if (length == 12) {
            const std::uint32_t ns = u32(0);
            const auto hi = static_cast<std::int32_t>(u32(4));
            const std::uint32_t lo = u32(8);
            const double seconds = static_cast<double>(hi) * 4294967296.0 + static_cast<double>(lo);
            date_ms = seconds * 1e3 + static_cast<double>(ns) / 1e6;
        } else {
            return false;
        }
    } else if (type == ext_notepack_old) {
        // The caller passes fixext 1 and 8 here; ext 8/16/32 are
        // ArrayBuffers and handled there.
        if (length == 1) {
            p_ += 1;
            value.emplace(nullptr); // notepack 2's `undefined`
            return true;
        }
        if (length != 8)
            return false;
        const auto hi = static_cast<std::int32_t>(u32(0));
        date_ms = static_cast<double>(hi) * 4294967296.0 + static_cast<double>(u32(4));
    } else {
        // notepack hands other extensions on as `[type, Buffer]`; no
        // Socket.IO peer writes them.
        return false;
    }
    p_ += length;
    auto iso = js_date_json(*date_ms);
    if (iso)
        value.emplace(json::string(*iso));
    else
        value.emplace(nullptr);
    return true;
}

bool decoder::read_value(std::optional<json::value>& value)
{
    if (left() == 0)
        return false;
    const unsigned char tag = *p_++;
    if (tag < 0x80) {
        value.emplace(std::int64_t{tag});
        return true;
    }
    if (tag >= 0xe0) {
        value.emplace(std::int64_t{static_cast<std::int8_t>(tag)});
        return true;
    }
    if (tag < 0x90)
        return open(tag & 0x0f, true, value);
    if (tag < 0xa0)
        return open(tag & 0x0f, false, value);
    std::uint64_t length = 0;
    text str;
    const auto string_value = [&](unsigned width) {
        if (width != 0 && !read_length(width, length))
            return false;
        if (!read_text(length, str))
            return false;
        value.emplace(json::string(str.view));
        return true;
    };
    const auto bin_value = [&](unsigned width) {
        if (!read_length(width, length) || length > left())
            return false;
        value.emplace(attachment(length));
        return true;
    };
    const auto ext_value = [&](unsigned width) {
        std::uint8_t type;
        if (!read_length(width, length) || !read(type))
            return false;
        if (static_cast<std::int8_t>(type) == ext_notepack_old) {
            // notepack 2 wrote an ArrayBuffer as ext 8/16/32 of type 0.
            if (length > left())
                return false;
            value.emplace(attachment(length));
            return true;
        }
        // The timestamp's 96-bit form is ext 8 of 12 bytes; its other
        // forms are fixext 4 and 8.
        if (static_cast<std::int8_t>(type) != ext_timestamp || width != 1 || length != 12)
            return false;
        return read_ext(length, ext_timestamp, value);
    };
    const auto fixext_value = [&](std::uint64_t size) {
        std::uint8_t type;
        if (!read(type))
            return false;
        const auto t = static_cast<std::int8_t>(type);
        // Of the fixext forms, notepack reads only these.
        const bool known = (size == 1 && t == ext_notepack_old) || (size == 4 && t == ext_timestamp) ||
                           (size == 8 && (t == ext_timestamp || t == ext_notepack_old));
        return known && read_ext(size, t, value);
    };
    if (tag < 0xc0) {
        length = tag & 0x1f;
        return string_value(0);
    }
    switch (tag) {
    case 0xc0:
        value.emplace(nullptr);
        return true;
    case 0xc2:
        value.emplace(false);
        return true;
    case 0xc3:
        value.emplace(true);
        return true;
    case 0xc4:
        return bin_value(1);
    case 0xc5:
        return bin_value(2);
    case 0xc6:
        return bin_value(4);
    case 0xc7:
        return ext_value(1);
    case 0xc8:
        return ext_value(2);
    case 0xc9:
        return ext_value(4);
    case 0xca: {
        std::uint32_t bits;
        if (!read(bits))
            return false;
        value.emplace(static_cast<double>(std::bit_cast<float>(bits)));
        return true;
    }
    case 0xcb: {
        std::uint64_t bits;
        if (!read(bits))
            return false;
        value.emplace(std::bit_cast<double>(bits));
        return true;
    }
    case 0xcc: {
        std::uint8_t v;
        if (!read(v))
            return false;
        value.emplace(std::int64_t{v});
        return true;
    }
    case 0xcd: {
        std::uint16_t v;
        if (!read(v))
            return false;
        value.emplace(std::int64_t{v});
        return true;
    }
    case 0xce: {
        std::uint32_t v;
        if (!read(v))
            return false;
        value.emplace(std::int64_t{v});
        return true;
    }
    case 0xcf: {
        std::uint64_t v;
        if (!read(v))
            return false;
        // int64 where it fits, as Boost.JSON's parser stores integers.
        if (v <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            value.emplace(static_cast<std::int64_t>(v));
        else
            value.emplace(v);
        return true;
    }
    case 0xd0: {
        std::uint8_t v;
        if (!read(v))
            return false;
        value.emplace(std::int64_t{static_cast<std::int8_t>(v)});
        return true;
    }
    case 0xd1: {
        std::uint16_t v;
        if (!read(v))
            return false;
        value.emplace(std::int64_t{static_cast<std::int16_t>(v)});
        return true;
    }
    case 0xd2: {
        std::uint32_t v;
        if (!read(v))
            return false;
        value.emplace(std::int64_t{static_cast<std::int32_t>(v)});
        return true;
    }
    case 0xd3: {
        std::uint64_t v;
        if (!read(v))
            return false;
        value.emplace(static_cast<std::int64_t>(v));
        return true;
    }
    case 0xd4:
        return fixext_value(1);
    case 0xd5:
        return fixext_value(2);
    case 0xd6:
        return fixext_value(4);
    case 0xd7:
        return fixext_value(8);
    case 0xd8:
        return fixext_value(16);
    case 0xd9:
        return string_value(1);
    case 0xda:
        return string_value(2);
    case 0xdb:
        return string_value(4);
    case 0xdc:
        return read_length(2, length) && open(length, false, value);
    case 0xdd:
        return read_length(4, length) && open(length, false, value);
    case 0xde:
        return read_length(2, length) && open(length, true, value);
    case 0xdf:
        return read_length(4, length) && open(length, true, value);
    default: // 0xc1, never used
        return false;
    }
}

void decoder::complete(json::value value)
{
    while (!stack_.empty()) {
        read_frame& f = stack_.back();
        if (auto* a = f.container.if_array()) {
            a->push_back(std::move(value));
        } else {
            // A repeated key keeps its first place and takes the last value,
            // as assigning to a JavaScript object's property does.
            f.container.get_object().insert_or_assign(f.key(), std::move(value));
            f.has_key = false;
        }
        if (--f.left != 0)
            return;
        value = std::move(f.container);
        stack_.pop_back();
    }
    root_.emplace(std::move(value));
}

result<document> decoder::run()
{
    while (!root_) {
        if (!stack_.empty()) {
            --promised_;
            read_frame& f = stack_.back();
            if (f.container.is_object() && !f.has_key) {
                if (left() == 0)
                    return error::invalid_msgpack;
                const unsigned char tag = *p_++;
                if (!read_key(f, tag))
                    return error::invalid_msgpack;
                f.has_key = true;
                continue;
            }
        }
        std::optional<json::value> value;
        if (!read_value(value))
            return error::invalid_msgpack;
        if (value)
            complete(std::move(*value));
    }
    if (p_ != end_)
        return error::invalid_msgpack;
    return document{std::move(*root_), std::move(attachments_)};
}

} // namespace

boost::system::result<document> decode(std::string_view bytes, std::size_t max_depth)
{
    decoder d(bytes, max_depth);
    return d.run();
}

} // namespace corio::protocol::msgpack
