// JSON as the decoders read it (protocol::parse_json): numbers as JSON.parse
// reads them, and the depth limit. Checks: what parses writes (json_writer)
// to text that parses to the same text again; a lone number is the double
// std::from_chars reads; Boost.JSON's own parser accepts exactly the same
// texts; and the depth limit refuses exactly the values deeper than it.

#include <corio/protocol/json_reader.hpp>
#include <corio/protocol/json_writer.hpp>
#include <corio/protocol/limits.hpp>

#include "fuzz_check.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace protocol = corio::protocol;
namespace json = boost::json;
using corio_fuzz::check;

namespace {

// Nesting depth as parse_json counts it: `[]` is 1, a scalar 0.
std::size_t depth_of(const json::value& root)
{
    std::size_t deepest = 0;
    std::vector<std::pair<const json::value*, std::size_t>> pending{{&root, 0}};
    while (!pending.empty()) {
        auto [v, d] = pending.back();
        pending.pop_back();
        if (const auto* a = v->if_array()) {
            deepest = std::max(deepest, d + 1);
            for (const auto& e : *a)
                pending.push_back({&e, d + 1});
        } else if (const auto* o = v->if_object()) {
            deepest = std::max(deepest, d + 1);
            for (const auto& kv : *o)
                pending.push_back({&kv.value(), d + 1});
        }
    }
    return deepest;
}

// Nesting depth of JSON text, counted on the text: a repeated key's earlier
// value counts though the value keeps only the last (`{"a":[[1]],"a":1}` is
// 3 deep for the limit, 1 in the value).
std::size_t text_depth(std::string_view text)
{
    std::size_t depth = 0;
    std::size_t deepest = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            deepest = std::max(deepest, ++depth);
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return deepest;
}

std::string_view trim(std::string_view s)
{
    const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (!s.empty() && space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && space(s.back()))
        s.remove_suffix(1);
    return s;
}

bool same_double(double a, double b)
{
    return std::memcmp(&a, &b, sizeof a) == 0;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto text = corio_fuzz::as_text(data, size);
    const std::size_t max_depth = protocol::decode_limits{}.max_json_depth;
    auto v = protocol::parse_json(text, max_depth);

    // Boost.JSON's parser, without the depth limit (the input is short), is
    // the reference for what is JSON.
    json::parse_options unlimited;
    unlimited.max_depth = size + 1;
    json::error_code ec;
    const auto reference = json::parse(text, ec, {}, unlimited);
    if (!v) {
        check(v.error() == protocol::error::invalid_json || v.error() == protocol::error::json_too_deep,
              "parse_json fails with invalid_json or json_too_deep");
        // The parse stops at the limit, so what lies after it may be invalid.
        if (v.error() == protocol::error::json_too_deep)
            check(ec.failed() || text_depth(text) > max_depth, "json_too_deep only for JSON deeper than the limit");
        else
            check(ec.failed(), "what Boost.JSON reads, parse_json reads");
        return 0;
    }
    check(!ec, "what parse_json reads, Boost.JSON reads");
    check(depth_of(*v) == depth_of(reference), "the same depth as Boost.JSON's value");
    const std::size_t depth = text_depth(text);
    check(depth <= max_depth, "parsed text is within the depth limit");

    // A smaller limit refuses exactly the deeper values.
    const std::size_t small = size % 5;
    auto limited = protocol::parse_json(text, small);
    if (depth <= small)
        check(limited.has_value() && *limited == *v, "within a small limit: the same value");
    else
        check(limited.has_error() && limited.error() == protocol::error::json_too_deep,
              "deeper than a small limit: json_too_deep");

    // Writing is stable after one round: -0 becomes 0, an infinity null.
    const auto written = protocol::to_json(*v);
    auto again = protocol::parse_json(written, max_depth);
    check(again.has_value(), "written JSON parses");
    check(protocol::to_json(*again) == written, "written JSON writes the same again");

    // A lone number: the double nearest to its text.
    if (v->is_double()) {
        const auto number = trim(text);
        double expected = 0;
        const auto r = std::from_chars(number.data(), number.data() + number.size(), expected);
        if (r.ec == std::errc() && r.ptr == number.data() + number.size())
            check(same_double(v->get_double(), expected), "a number is the double nearest to its text");
        else
            check(r.ec == std::errc::result_out_of_range &&
                      (std::isinf(v->get_double()) || v->get_double() == 0),
                  "a number beyond the double range is an infinity or zero");
        if (std::isfinite(v->get_double())) {
            // The written form reads back as the same value (an integral
            // double may come back as an integer).
            check(again->is_number(), "a written number reads back as a number");
            const double back = again->is_double()  ? again->get_double()
                                : again->is_int64() ? static_cast<double>(again->get_int64())
                                                    : static_cast<double>(again->get_uint64());
            check(back == v->get_double(), "a written number reads back as the same value");
        }
    }
    return 0;
}
