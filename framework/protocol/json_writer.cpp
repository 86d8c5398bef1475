#include <corio/protocol/json_writer.hpp>

#include <boost/container/small_vector.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace corio::protocol {

namespace {

namespace json = boost::json;

// For each byte: 0 passes through, otherwise the character after the
// backslash ('u' for the \u00xx form). Bytes >= 0x80 pass through, as
// JSON.stringify keeps non-ASCII text as is.
constexpr std::array<char, 256> make_escape_table()
{
    std::array<char, 256> table{};
    for (std::size_t c = 0; c < 0x20; ++c)
        table[c] = 'u';
    table['\b'] = 'b';
    table['\f'] = 'f';
    table['\n'] = 'n';
    table['\r'] = 'r';
    table['\t'] = 't';
    table['"'] = '"';
    table['\\'] = '\\';
    return table;
}

constexpr auto escape_table = make_escape_table();

// Whether any of the 8 bytes at `p` needs escaping: a control character, '"'
// or '\\'. Tested a word at a time because nearly every string has none,
// and a byte at a time was write_json_string's whole cost on an echo.
bool block_needs_escape(const char* p) noexcept
{
    constexpr std::uint64_t ones = 0x0101010101010101;
    constexpr std::uint64_t highs = 0x8080808080808080;
    std::uint64_t w;
    std::memcpy(&w, p, sizeof w);
    // A byte below n sets its high bit in (w - n * ones) & ~w (exact for any
    // byte match, n <= 0x80); equality with c is a zero byte of w ^ (c * ones).
    const auto below = [](std::uint64_t x, std::uint64_t n) { return (x - n * ones) & ~x & highs; };
    return (below(w, 0x20) | below(w ^ ('"' * ones), 1) | below(w ^ ('\\' * ones), 1)) != 0;
}

template <class Int>
void write_integer(Int v, std::string& out)
{
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

// ECMAScript Number::toString(10): the shortest digits that round-trip (the
// same digits std::to_chars picks), laid out plainly when the decimal
// exponent is in [-7, 21), in exponent form otherwise.
void write_double(double d, std::string& out)
{
    if (!std::isfinite(d)) {
        out.append("null");
        return;
    }
    if (d == 0) {
        // Also -0, which JavaScript prints as "0".
        out.push_back('0');
        return;
    }

    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    // Shape: [-]D[.DDD]e(+|-)XX
    const char* p = buf;
    if (*p == '-') {
        out.push_back('-');
        ++p;
    }
    char digits[24];
    int k = 0;
    for (; p != r.ptr && *p != 'e'; ++p)
        if (*p != '.')
            digits[k++] = *p;
    int exponent = 0;
    if (p != r.ptr) {
        ++p;
        const bool negative = *p == '-';
        ++p;
        std::from_chars(p, r.ptr, exponent);
        if (negative)
            exponent = -exponent;
    }

    const int n = exponent + 1;
    if (k <= n && n <= 21) {
        out.append(digits, static_cast<std::size_t>(k));
        out.append(static_cast<std::size_t>(n - k), '0');
    } else if (0 < n && n <= 21) {
        out.append(digits, static_cast<std::size_t>(n));
        out.push_back('.');
        out.append(digits + n, static_cast<std::size_t>(k - n));
    } else if (-6 < n && n <= 0) {
        out.append("0.");
        out.append(static_cast<std::size_t>(-n), '0');
        out.append(digits, static_cast<std::size_t>(k));
    } else {
        out.push_back(digits[0]);
        if (k > 1) {
            out.push_back('.');
            out.append(digits + 1, static_cast<std::size_t>(k - 1));
        }
        out.push_back('e');
        const int e = n - 1;
        out.push_back(e < 0 ? '-' : '+');
        write_integer(e < 0 ? -e : e, out);
    }
}

// Scalars and empty containers: everything written without descending.
void write_leaf(const json::value& v, std::string& out)
{
    switch (v.kind()) {
    case json::kind::null:
        out.append("null");
        return;
    case json::kind::bool_:
        out.append(v.get_bool() ? "true" : "false");
        return;
    case json::kind::int64:
        write_integer(v.get_int64(), out);
        return;
    case json::kind::uint64:
        write_integer(v.get_uint64(), out);
        return;
    case json::kind::double_:
        write_double(v.get_double(), out);
        return;
    case json::kind::string: {
        const auto& s = v.get_string();
        write_json_string({s.data(), s.size()}, out);
        return;
    }
    case json::kind::array:
        out.append("[]");
        return;
    case json::kind::object:
        out.append("{}");
        return;
    }
}

// An array or object being written: the element or member being written,
// and the end. Exactly one of the two ranges is in use.
struct open_container {
    const json::value* element = nullptr;
    const json::value* elements_end = nullptr;
    const json::key_value_pair* member = nullptr;
    const json::key_value_pair* members_end = nullptr;
};

void write_member_name(const json::key_value_pair& kv, std::string& out)
{
    write_json_string(kv.key(), out);
    out.push_back(':');
}

// Iterative, with an explicit stack of open containers, so that any nesting
// depth is safe: trees built in code are bounded by no decode limit. The
// stack lives in the frame up to a depth typical packets never reach.
void write_value(const json::value& root, std::string& out)
{
    boost::container::small_vector<open_container, 16> open;
    const json::value* v = &root;
    for (;;) {
        if (const auto* a = v->if_array(); a != nullptr && !a->empty()) {
            out.push_back('[');
            open.push_back({a->begin(), a->end(), nullptr, nullptr});
            v = a->begin();
            continue;
        }
        if (const auto* o = v->if_object(); o != nullptr && !o->empty()) {
            out.push_back('{');
            open.push_back({nullptr, nullptr, o->begin(), o->end()});
            write_member_name(*o->begin(), out);
            v = &o->begin()->value();
            continue;
        }
        write_leaf(*v, out);
        // Close every container v ended, then go on to the next sibling.
        for (;;) {
            if (open.empty())
                return;
            auto& c = open.back();
            if (c.element != nullptr) {
                if (++c.element != c.elements_end) {
                    out.push_back(',');
                    v = c.element;
                    break;
                }
                out.push_back(']');
            } else {
                if (++c.member != c.members_end) {
                    out.push_back(',');
                    write_member_name(*c.member, out);
                    v = &c.member->value();
                    break;
                }
                out.push_back('}');
            }
            open.pop_back();
        }
    }
}

} // namespace

void write_json_string(std::string_view s, std::string& out)
{
    constexpr char hex[] = "0123456789abcdef";
    out.push_back('"');
    const char* run = s.data();
    const char* const end = s.data() + s.size();
    const char* p = run;
    for (;;) {
        while (end - p >= 8 && !block_needs_escape(p))
            p += 8;
        if (p == end)
            break;
        const auto c = static_cast<unsigned char>(*p++);
        const char esc = escape_table[c];
        if (esc == 0)
            continue;
        out.append(run, p - 1);
        if (esc == 'u') {
            const char seq[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf]};
            out.append(seq, sizeof seq);
        } else {
            const char seq[] = {'\\', esc};
            out.append(seq, sizeof seq);
        }
        run = p;
    }
    out.append(run, end);
    out.push_back('"');
}

void write_json(const boost::json::value& v, std::string& out)
{
    write_value(v, out);
}

std::string to_json(const boost::json::value& v)
{
    std::string out;
    write_json(v, out);
    return out;
}

} // namespace corio::protocol
