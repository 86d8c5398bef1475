#include <corio/protocol/json_writer.hpp>

#include "deep_json.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/string.hpp>
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace json = boost::json;
namespace protocol = corio::protocol;

BOOST_AUTO_TEST_SUITE(json_writer)

BOOST_AUTO_TEST_CASE(scalars)
{
    BOOST_TEST(protocol::to_json(nullptr) == "null");
    BOOST_TEST(protocol::to_json(true) == "true");
    BOOST_TEST(protocol::to_json(false) == "false");
    BOOST_TEST(protocol::to_json(0) == "0");
    BOOST_TEST(protocol::to_json(-1) == "-1");
    BOOST_TEST(protocol::to_json(std::numeric_limits<std::int64_t>::min()) == "-9223372036854775808");
    BOOST_TEST(protocol::to_json(std::numeric_limits<std::int64_t>::max()) == "9223372036854775807");
    BOOST_TEST(protocol::to_json(std::numeric_limits<std::uint64_t>::max()) == "18446744073709551615");
}

BOOST_AUTO_TEST_CASE(string_escapes_match_json_stringify)
{
    const std::vector<std::pair<std::string_view, std::string_view>> cases{
        {"", R"("")"},
        {"plain", R"("plain")"},
        {"quote\"backslash\\", R"("quote\"backslash\\")"},
        {"\b\f\n\r\t", R"("\b\f\n\r\t")"},
        {"\x01\x1f\x0b", R"("\u0001\u001f\u000b")"},
        {std::string_view("a\0b", 3), R"("a\u0000b")"},
        {"\x7f", "\"\x7f\""},
        {"a/b</script>", R"("a/b</script>")"},
        {"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\""},
        {"\xe2\x80\xa8\xe2\x80\xa9", "\"\xe2\x80\xa8\xe2\x80\xa9\""},
    };
    for (const auto& [in, expected] : cases)
        BOOST_TEST(protocol::to_json(json::string(in)) == expected);
}

// The writer tests 8 bytes at a time: every byte value, at every offset of a
// string longer than two such blocks, is escaped (or kept) exactly as alone.
BOOST_AUTO_TEST_CASE(every_byte_escaped_at_every_offset_of_a_long_string)
{
    for (int b = 0; b < 256; ++b) {
        const char c = static_cast<char>(b);
        const std::string alone = protocol::to_json(json::string(std::string_view(&c, 1)));
        const std::string escaped = alone.substr(1, alone.size() - 2);
        for (std::size_t at = 0; at < 20; ++at) {
            std::string in(20, 'a');
            in[at] = c;
            const std::string expected = '"' + std::string(at, 'a') + escaped + std::string(19 - at, 'a') + '"';
            BOOST_TEST(protocol::to_json(json::string(in)) == expected, "byte " << b << " at " << at);
        }
    }
    // Bytes that need escaping in every block, and clean blocks between them.
    BOOST_TEST(protocol::to_json(json::string("abcdefgh\"bcdefgh\\ijklmnopqrstuvw\n")) ==
               R"("abcdefgh\"bcdefgh\\ijklmnopqrstuvw\n")");
}

BOOST_AUTO_TEST_CASE(keys_escaped_and_in_insertion_order)
{
    json::object o;
    o["z"] = 1;
    o["a"] = 2;
    o["m\"\n"] = json::array{};
    o["e"] = json::object{};
    BOOST_TEST(protocol::to_json(o) == R"({"z":1,"a":2,"m\"\n":[],"e":{}})");
}

BOOST_AUTO_TEST_CASE(doubles_match_number_to_string)
{
    const std::vector<std::pair<double, std::string_view>> cases{
        {0.0, "0"},
        {-0.0, "0"},
        {1.0, "1"},
        {-1.0, "-1"},
        {1.5, "1.5"},
        {-1.5, "-1.5"},
        {0.1, "0.1"},
        {0.1 + 0.2, "0.30000000000000004"},
        {1.0 / 3.0, "0.3333333333333333"},
        {100.0, "100"},
        {123.456, "123.456"},
        {1e6, "1000000"},
        {9007199254740992.0, "9007199254740992"},
        {1e20, "100000000000000000000"},
        {123456789012345680000.0, "123456789012345680000"},
        {1e21, "1e+21"},
        {1.5e21, "1.5e+21"},
        {1.5e300, "1.5e+300"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {0.5, "0.5"},
        {0.000001, "0.000001"},
        {0.0000015, "0.0000015"},
        {0.00000123456, "0.00000123456"},
        {1e-7, "1e-7"},
        {-1e-7, "-1e-7"},
        {1.2345e-7, "1.2345e-7"},
        {5e-324, "5e-324"},
        {2.2250738585072014e-308, "2.2250738585072014e-308"},
        {std::numeric_limits<double>::quiet_NaN(), "null"},
        {std::numeric_limits<double>::infinity(), "null"},
        {-std::numeric_limits<double>::infinity(), "null"},
    };
    for (const auto& [d, expected] : cases)
        BOOST_TEST_CONTEXT("value " << d) { BOOST_TEST(protocol::to_json(d) == expected); }
}

BOOST_AUTO_TEST_CASE(non_finite_inside_containers)
{
    json::array a{std::nan(""), 1.25};
    BOOST_TEST(protocol::to_json(a) == "[null,1.25]");
}

BOOST_AUTO_TEST_CASE(compact_text_round_trips)
{
    // Text as JSON.stringify writes it; parsing and writing must give it back.
    for (const std::string_view text : {
             R"(["message",1,"2",{"3":[true]}])",
             R"({"b":null,"a":[1,-2.5,"x\"y",{"_placeholder":true,"num":0}],"c":{}})",
             R"([[[[]]],{},"",0,1e+21,1e-7,0.000001,"\u0000\u001f"])",
         })
        BOOST_TEST(protocol::to_json(json::parse(text)) == text);
}

BOOST_AUTO_TEST_CASE(any_depth_without_recursion)
{
    // Far deeper than any decode limit (a tree built in code has none), on a
    // stack a recursion per level would overflow.
    constexpr std::size_t depth = 100'000;
    json::value root = json::object{{"leaf", json::array{1.5, "x"}}};
    for (std::size_t i = 0; i < depth; ++i) {
        // Level depth - 1 - i from the outside: arrays at even levels, as nested_text lays them.
        const bool array = (depth - 1 - i) % 2 == 0;
        json::value outer = array ? json::value(json::array{nullptr}) : json::value(json::object{{"k", nullptr}});
        if (auto* a = outer.if_array())
            a->front() = std::move(root);
        else
            outer.get_object().begin()->value() = std::move(root);
        root = std::move(outer);
    }
    std::string text;
    corio::test::run_on_stack(256 * 1024, [&] { text = protocol::to_json(root); });
    corio::test::dismantle(root);
    const std::string expected = corio::test::nested_text(depth, corio::test::nesting::mixed, R"({"leaf":[1.5,"x"]})");
    BOOST_TEST(text.size() == expected.size());
    BOOST_TEST((text == expected));
}

BOOST_AUTO_TEST_CASE(write_appends)
{
    std::string out = "42";
    protocol::write_json(json::array{"a", 1}, out);
    BOOST_TEST(out == R"(42["a",1])");
}

BOOST_AUTO_TEST_SUITE_END()
