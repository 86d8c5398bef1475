// MessagePack encoding in notepack.io 3.0.1's dialect (see msgpack.hpp; our
// own code rather than libmsgpuck for the reasons msgpack_decode.cpp gives).
//
// The adapter encodes every broadcast that leaves a node, so the output is
// sized exactly in a first walk and written in a second into one reserved
// string. Both walks share one template over where the bytes go.

#include <corio/protocol/msgpack.hpp>

#include <corio/protocol/attachments.hpp>

#include <boost/container/small_vector.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string_view>

namespace corio::protocol::msgpack {

namespace {

namespace json = boost::json;

// Counts the bytes a walk would write.
struct size_sink {
    std::size_t size = 0;
    void put(unsigned char) noexcept { ++size; }
    void put(const char*, std::size_t n) noexcept { size += n; }
};

// Writes into a buffer of the counted size. The bound is checked anyway
// (one compare), so a miscount could never write past it.
struct buffer_sink {
    char* p;
    char* const end;
    void put(unsigned char c)
    {
        if (p == end)
            overflow();
        *p++ = static_cast<char>(c);
    }
    void put(const char* data, std::size_t n)
    {
        if (static_cast<std::size_t>(end - p) < n)
            overflow();
        std::memcpy(p, data, n);
        p += n;
    }
    [[noreturn]] static void overflow() { throw std::logic_error("corio::protocol::msgpack::encode: size miscounted"); }
};

// `tag` followed by the low `width` bytes of `v`, big-endian.
template <class Sink> void put_tagged(Sink& sink, unsigned char tag, std::uint64_t v, unsigned width)
{
    char bytes[9];
    bytes[0] = static_cast<char>(tag);
    for (unsigned i = 0; i < width; ++i)
        bytes[1 + i] = static_cast<char>(v >> (8 * (width - 1 - i)));
    sink.put(bytes, 1 + width);
}

template <class Sink> void put_uint(Sink& sink, std::uint64_t v)
{
    if (v < 0x80)
        sink.put(static_cast<unsigned char>(v));
    else if (v <= 0xff)
        put_tagged(sink, 0xcc, v, 1);
    else if (v <= 0xffff)
        put_tagged(sink, 0xcd, v, 2);
    else if (v <= 0xffff'ffff)
        put_tagged(sink, 0xce, v, 4);
    else
        put_tagged(sink, 0xcf, v, 8);
}

template <class Sink> void put_int(Sink& sink, std::int64_t v)
{
    // notepack writes every non-negative integer in the unsigned forms.
    if (v >= 0)
        put_uint(sink, static_cast<std::uint64_t>(v));
    else if (v >= -32)
        sink.put(static_cast<unsigned char>(v));
    else if (v >= -0x80)
        put_tagged(sink, 0xd0, static_cast<std::uint64_t>(v), 1);
    else if (v >= -0x8000)
        put_tagged(sink, 0xd1, static_cast<std::uint64_t>(v), 2);
    else if (v >= -0x8000'0000LL)
        put_tagged(sink, 0xd2, static_cast<std::uint64_t>(v), 4);
    else
        put_tagged(sink, 0xd3, static_cast<std::uint64_t>(v), 8);
}

template <class Sink> void put_double(Sink& sink, double d)
{
    // notepack sees a JavaScript number: an integral one goes out as an
    // integer. Its arithmetic is exact up to 2^64 and -2^63 (beyond, its
    // uint 64 / int 64 bytes wrap around); past those, float64 keeps the
    // value, which is what a reader needs.
    constexpr double two_to_64 = 18446744073709551616.0;
    constexpr double minus_two_to_63 = -9223372036854775808.0;
    if (std::isfinite(d) && std::trunc(d) == d) {
        if (d >= 0 && d < two_to_64) { // -0 too: notepack writes it as 0
            put_uint(sink, static_cast<std::uint64_t>(d));
            return;
        }
        if (d < 0 && d >= minus_two_to_63) {
            put_int(sink, static_cast<std::int64_t>(d));
            return;
        }
    }
    put_tagged(sink, 0xcb, std::bit_cast<std::uint64_t>(d), 8);
}

// The header of a str, bin, array or map of `n` bytes or elements: the fix
// form where there is one (`fix_limit` > 0), else the 8/16/32-bit forms
// whose tags are `tag8` (0 when there is none), `tag8 + 1`, `tag8 + 2`.
template <class Sink>
void put_header(Sink& sink, std::size_t n, unsigned char fix_tag, std::size_t fix_limit, unsigned char tag8,
                unsigned char tag16, unsigned char tag32)
{
    if (n < fix_limit)
        sink.put(static_cast<unsigned char>(fix_tag | n));
    else if (tag8 != 0 && n <= 0xff)
        put_tagged(sink, tag8, n, 1);
    else if (n <= 0xffff)
        put_tagged(sink, tag16, n, 2);
    else if (n <= 0xffff'ffff)
        put_tagged(sink, tag32, n, 4);
    else
        throw std::length_error("corio::protocol::msgpack::encode: more than 2^32-1 bytes or elements");
}

template <class Sink> void put_string(Sink& sink, std::string_view s)
{
    put_header(sink, s.size(), 0xa0, 32, 0xd9, 0xda, 0xdb);
    sink.put(s.data(), s.size());
}

// An array or object still being written.
struct write_frame {
    bool is_object;
    const json::value* element;
    const json::value* elements_end;
    const json::key_value_pair* entry;
    const json::key_value_pair* entries_end;
};

using frame_stack = boost::container::small_vector<write_frame, 16>;

// Writes `v`, or its header when it is a non-empty array or object, whose
// contents the caller's loop then walks through the pushed frame.
template <class Sink>
void put_value(Sink& sink, const json::value& v, const std::vector<std::string>& attachments, frame_stack& stack)
{
    switch (v.kind()) {
    case json::kind::null:
        sink.put(0xc0);
        return;
    case json::kind::bool_:
        sink.put(v.get_bool() ? 0xc3 : 0xc2);
        return;
    case json::kind::int64:
        put_int(sink, v.get_int64());
        return;
    case json::kind::uint64:
        put_uint(sink, v.get_uint64());
        return;
    case json::kind::double_:
        put_double(sink, v.get_double());
        return;
    case json::kind::string:
        put_string(sink, v.get_string());
        return;
    case json::kind::array: {
        const json::array& a = v.get_array();
        put_header(sink, a.size(), 0x90, 16, 0, 0xdc, 0xdd);
        if (!a.empty())
            stack.push_back({false, a.data(), a.data() + a.size(), nullptr, nullptr});
        return;
    }
    case json::kind::object: {
        const json::object& o = v.get_object();
        if (!attachments.empty()) {
            if (const auto index = placeholder_index(v); index && *index < attachments.size()) {
                const std::string& bytes = attachments[*index];
                put_header(sink, bytes.size(), 0, 0, 0xc4, 0xc5, 0xc6);
                sink.put(bytes.data(), bytes.size());
                return;
            }
        }
        put_header(sink, o.size(), 0x80, 16, 0, 0xde, 0xdf);
        if (!o.empty())
            stack.push_back({true, nullptr, nullptr, o.begin(), o.end()});
        return;
    }
    }
}

template <class Sink> void put_tree(Sink& sink, const json::value& root, const std::vector<std::string>& attachments)
{
    frame_stack stack;
    put_value(sink, root, attachments, stack);
    while (!stack.empty()) {
        // put_value may push, so take what is needed from the top first.
        write_frame& top = stack.back();
        const json::value* next;
        if (top.is_object) {
            if (top.entry == top.entries_end) {
                stack.pop_back();
                continue;
            }
            put_string(sink, top.entry->key());
            next = &top.entry->value();
            ++top.entry;
        } else {
            if (top.element == top.elements_end) {
                stack.pop_back();
                continue;
            }
            next = top.element++;
        }
        put_value(sink, *next, attachments, stack);
    }
}

} // namespace

std::string encode(const boost::json::value& value, const std::vector<std::string>& attachments)
{
    size_sink counter;
    put_tree(counter, value, attachments);
    // resize_and_overwrite, which would skip the zero fill, is C++23.
    std::string out(counter.size, '\0');
    buffer_sink writer{out.data(), out.data() + out.size()};
    put_tree(writer, value, attachments);
    if (writer.p != writer.end)
        buffer_sink::overflow();
    return out;
}

} // namespace corio::protocol::msgpack
