#include <corio/protocol/json_reader.hpp>

#include "ascii.hpp"

#include <boost/json/array.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value_stack.hpp>

#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

namespace corio::protocol {

namespace {

namespace json = boost::json;

// Clinger's fast path, for the short numbers packets mostly carry: with at
// most 15 significant digits the digits are an exact double m, and with a
// decimal exponent within +-22 the power of ten is exact too, so the one
// multiplication or division m * 10^e rounds correctly. Needs arithmetic in
// double precision (no x87 excess precision); std::nullopt when the number is
// outside the path.
std::optional<double> fast_path(std::string_view text) noexcept
{
    if constexpr (FLT_EVAL_METHOD != 0 || !std::numeric_limits<double>::is_iec559) {
        return std::nullopt;
    } else {
        static constexpr double powers[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                            1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                            1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
        constexpr int max_digits = 15;
        constexpr int max_power = 22;
        const char* p = text.data();
        const char* const end = p + text.size();
        const bool negative = p != end && *p == '-';
        if (negative)
            ++p;
        std::uint64_t m = 0;
        int digits = 0;
        int exponent = 0;
        // Leading zeros are not significant; every other digit counts, so the
        // bound is conservative for trailing zeros.
        auto add_digit = [&](char c) {
            if (m == 0 && c == '0')
                return true;
            m = m * 10 + static_cast<std::uint64_t>(c - '0');
            return ++digits <= max_digits;
        };
        for (; p != end && is_digit(*p); ++p)
            if (!add_digit(*p))
                return std::nullopt;
        if (p != end && *p == '.') {
            for (++p; p != end && is_digit(*p); ++p) {
                --exponent;
                if (!add_digit(*p))
                    return std::nullopt;
            }
        }
        if (p != end && (*p == 'e' || *p == 'E')) {
            ++p;
            const bool negative_exponent = p != end && *p == '-';
            if (p != end && (*p == '-' || *p == '+'))
                ++p;
            int e = 0;
            for (; p != end && is_digit(*p); ++p) {
                e = e * 10 + (*p - '0');
                if (e > 1000)
                    return std::nullopt;
            }
            exponent += negative_exponent ? -e : e;
        }
        if (p != end)
            return std::nullopt;
        if (m == 0)
            return negative ? -0.0 : 0.0;
        if (exponent < -max_power || exponent > max_power)
            return std::nullopt;
        double x = static_cast<double>(m);
        x = exponent < 0 ? x / powers[-exponent] : x * powers[exponent];
        return negative ? -x : x;
    }
}

// The double nearest to `text`, a JSON number with a fraction or an exponent
// (JSON's number grammar is a subset of what std::from_chars reads).
// `approximate` is Boost.JSON's reading of it, used only to tell overflow
// from underflow.
double nearest_double(std::string_view text, double approximate) noexcept
{
    if (const auto fast = fast_path(text))
        return *fast;
    double d = 0;
    const char* const end = text.data() + text.size();
    const auto r = std::from_chars(text.data(), end, d);
    if (r.ec == std::errc() && r.ptr == end)
        return d;
    const bool negative = !text.empty() && text.front() == '-';
    if (r.ec == std::errc::result_out_of_range) {
        // Beyond the range of double: JSON.parse gives +-Infinity, or +-0
        // below half the smallest subnormal.
        const double magnitude = std::fabs(approximate) >= 1 ? std::numeric_limits<double>::infinity() : 0.0;
        return negative ? -magnitude : magnitude;
    }
    // Unreachable for text the JSON parser accepted.
    return approximate;
}

// A basic_parser handler that builds the value as boost::json::parser does
// (through a value_stack), except for doubles, which it reads again from
// their text.
class value_handler {
public:
    static constexpr std::size_t max_object_size = json::object::max_size();
    static constexpr std::size_t max_array_size = json::array::max_size();
    static constexpr std::size_t max_key_size = json::string::max_size();
    static constexpr std::size_t max_string_size = json::string::max_size();

    value_handler(json::storage_ptr sp, unsigned char* buffer, std::size_t size) : stack_({}, buffer, size)
    {
        stack_.reset(std::move(sp));
    }

    json::value release() noexcept { return stack_.release(); }

    bool on_document_begin(json::error_code&) { return true; }
    bool on_document_end(json::error_code&) { return true; }
    bool on_object_begin(json::error_code&) { return true; }
    bool on_object_end(std::size_t n, json::error_code&)
    {
        stack_.push_object(n);
        return true;
    }
    bool on_array_begin(json::error_code&) { return true; }
    bool on_array_end(std::size_t n, json::error_code&)
    {
        stack_.push_array(n);
        return true;
    }
    bool on_key_part(json::string_view s, std::size_t, json::error_code&)
    {
        stack_.push_chars(s);
        return true;
    }
    bool on_key(json::string_view s, std::size_t, json::error_code&)
    {
        stack_.push_key(s);
        return true;
    }
    bool on_string_part(json::string_view s, std::size_t, json::error_code&)
    {
        stack_.push_chars(s);
        return true;
    }
    bool on_string(json::string_view s, std::size_t, json::error_code&)
    {
        stack_.push_string(s);
        return true;
    }
    // Only a number split across two write_some calls comes in parts; one
    // parse_json call is a single write, but keeping the parts costs nothing.
    bool on_number_part(json::string_view s, json::error_code&)
    {
        number_.append(s.data(), s.size());
        return true;
    }
    bool on_int64(std::int64_t i, json::string_view, json::error_code&)
    {
        number_.clear();
        stack_.push_int64(i);
        return true;
    }
    bool on_uint64(std::uint64_t u, json::string_view, json::error_code&)
    {
        number_.clear();
        stack_.push_uint64(u);
        return true;
    }
    bool on_double(double d, json::string_view s, json::error_code&)
    {
        if (number_.empty()) {
            stack_.push_double(nearest_double({s.data(), s.size()}, d));
        } else {
            number_.append(s.data(), s.size());
            stack_.push_double(nearest_double(number_, d));
            number_.clear();
        }
        return true;
    }
    bool on_bool(bool b, json::error_code&)
    {
        stack_.push_bool(b);
        return true;
    }
    bool on_null(json::error_code&)
    {
        stack_.push_null();
        return true;
    }
    bool on_comment_part(json::string_view, json::error_code&) { return true; }
    bool on_comment(json::string_view, json::error_code&) { return true; }

private:
    json::value_stack stack_;
    std::string number_;
};

} // namespace

result<boost::json::value> parse_json(std::string_view text, std::size_t max_depth, boost::json::storage_ptr sp)
{
    json::parse_options options;
    options.max_depth = max_depth;
    // Room for the values of a small document, as boost::json::parse gives
    // its parser, so that typical packets build without a heap stack.
    unsigned char buffer[BOOST_JSON_STACK_BUFFER_SIZE];
    json::basic_parser<value_handler> parser(options, std::move(sp), buffer, sizeof buffer);
    json::error_code ec;
    const std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
    if (ec == json::error::too_deep)
        return error::json_too_deep;
    // write_some stops after the value and the whitespace following it.
    if (ec || used != text.size())
        return error::invalid_json;
    return parser.handler().release();
}

} // namespace corio::protocol
