#include <corio/protocol/json_reader.hpp>

#include <corio/protocol/json_writer.hpp>

#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/test/unit_test.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace json = boost::json;
namespace protocol = corio::protocol;
using protocol::error;

BOOST_AUTO_TEST_SUITE(json_reader)

namespace {

// parse_json then to_json: what an echo sends back.
std::string round_trip(std::string_view text)
{
    const auto v = protocol::parse_json(text, 64);
    BOOST_TEST_INFO("parsing " << text);
    BOOST_TEST_REQUIRE(v.has_value());
    return protocol::to_json(*v);
}

boost::system::error_code parse_error(std::string_view text, std::size_t max_depth = 64)
{
    const auto v = protocol::parse_json(text, max_depth);
    return v.has_error() ? v.error() : boost::system::error_code{};
}

boost::system::error_code code(error e)
{
    return protocol::make_error_code(e);
}

} // namespace

BOOST_AUTO_TEST_CASE(numbers_come_back_as_json_stringify_writes_json_parse_of_them)
{
    // Right: what Node's JSON.stringify(JSON.parse(left)) gives. Several were
    // a unit in the last place off with Boost.JSON 1.81's own parser (-2.5e-300
    // came back as -2.5000000000000003e-300).
    const std::vector<std::pair<std::string_view, std::string_view>> cases{
        {"0.1", "0.1"},
        {"-0.1", "-0.1"},
        {"0.30000000000000004", "0.30000000000000004"},
        {"1.5", "1.5"},
        {"-2.5e-300", "-2.5e-300"},
        {"2.5e-300", "2.5e-300"},
        {"-1.23456789e-300", "-1.23456789e-300"},
        {"4.37936164503e-142", "4.37936164503e-142"},
        {"3.86340473892441e-179", "3.86340473892441e-179"},
        {"3.141592653589793", "3.141592653589793"},
        {"2.718281828459045", "2.718281828459045"},
        {"6.02214076e23", "6.02214076e+23"},
        // Subnormals and the ends of the range.
        {"5e-324", "5e-324"},
        {"-5e-324", "-5e-324"},
        {"4.9406564584124654e-324", "5e-324"},
        {"4.940656458412465441765687928682213723651e-324", "5e-324"},
        {"2.4703282292062328e-324", "5e-324"},
        {"2.4703282292062327e-324", "0"},
        {"1e-323", "1e-323"},
        {"1.5e-323", "1.5e-323"},
        {"1e-320", "1e-320"},
        {"-1.2e-310", "-1.2e-310"},
        {"2.225073858507201e-308", "2.225073858507201e-308"},
        {"2.2250738585072011e-308", "2.225073858507201e-308"},
        {"2.2250738585072014e-308", "2.2250738585072014e-308"},
        {"8.98846567431158e307", "8.98846567431158e+307"},
        {"1e308", "1e+308"},
        {"1.7976931348623157e308", "1.7976931348623157e+308"},
        {"1.7976931348623157e+308", "1.7976931348623157e+308"},
        {"1.7976931348623158e308", "1.7976931348623157e+308"},
        // Beyond the range: Infinity (written as null) and 0.
        {"1.7976931348623159e308", "null"},
        {"1e400", "null"},
        {"-1e400", "null"},
        {"1e-400", "0"},
        {"-1e-400", "0"},
        // Where JavaScript switches to the exponent form.
        {"1e20", "100000000000000000000"},
        {"1e21", "1e+21"},
        {"1E21", "1e+21"},
        {"1e+21", "1e+21"},
        {"1e23", "1e+23"},
        {"1e-7", "1e-7"},
        {"0.0000001", "1e-7"},
        {"0.1e-6", "1e-7"},
        {"1e-6", "0.000001"},
        {"1e-5", "0.00001"},
        {"1.7e-7", "1.7e-7"},
        {"123e-20", "1.23e-18"},
        // Integers too large for 64 bits are doubles, as in JavaScript.
        {"123456789012345680000", "123456789012345680000"},
        {"123456789012345678901234567890", "1.2345678901234568e+29"},
        {"18446744073709551616", "18446744073709552000"},
        {"-9223372036854775809", "-9223372036854776000"},
        // Halfway cases and long mantissas round to even, as JSON.parse does.
        {"9.007199254740993e15", "9007199254740992"},
        {"9007199254740993.5", "9007199254740994"},
        {"7.2057594037927933e16", "72057594037927940"},
        {"1.00000000000000011102230246251565404236316680908203125", "1"},
        {"1.00000000000000011102230246251565404236316680908203124", "1"},
        {"1.00000000000000011102230246251565404236316680908203126", "1.0000000000000002"},
        {"0.30000000000000004440892098500626161694526672363281249", "0.30000000000000004"},
        {"0.1234567890123456789012345678901234567890", "0.12345678901234568"},
        {"1.2345678901234567e-10", "1.2345678901234568e-10"},
        // Other spellings of the same numbers.
        {"1.0", "1"},
        {"9007199254740992.0", "9007199254740992"},
        {"1e2", "100"},
        {"1.5E+2", "150"},
        {"2E-3", "0.002"},
        {"100e-2", "1"},
        {"0.1e1", "1"},
        {"123.456e-2", "1.23456"},
        {"-0", "0"},
        {"-0.0", "0"},
        {"0e0", "0"},
        {"-0E+3", "0"},
    };
    for (const auto& [text, expected] : cases)
        BOOST_TEST_CONTEXT(text) { BOOST_TEST(round_trip(text) == expected); }
}

BOOST_AUTO_TEST_CASE(integers_stay_exact)
{
    // Unlike JSON.parse (which has only doubles), an integer that fits 64 bits
    // keeps every digit, as Boost.JSON gives it: a handler reads it exactly,
    // and an echo sends back the text it got. JavaScript never writes such a
    // number beyond 2^53 in any other way than its exact digits, so a JS
    // client's text still comes back unchanged.
    const auto big = protocol::parse_json("9007199254740993", 64);
    BOOST_TEST_REQUIRE(big.has_value());
    BOOST_TEST(big->is_int64());
    BOOST_TEST(big->get_int64() == 9007199254740993);
    BOOST_TEST(round_trip("9007199254740993") == "9007199254740993");
    BOOST_TEST(round_trip("-9223372036854775808") == "-9223372036854775808");
    BOOST_TEST(round_trip("9223372036854775807") == "9223372036854775807");
    const auto max = protocol::parse_json("18446744073709551615", 64);
    BOOST_TEST_REQUIRE(max.has_value());
    BOOST_TEST(max->is_uint64());
    BOOST_TEST(round_trip("[0,-1,42,1152921504606847000]") == "[0,-1,42,1152921504606847000]");
    // A fraction or an exponent makes a double, even when integral.
    const auto d = protocol::parse_json("1e2", 64);
    BOOST_TEST_REQUIRE(d.has_value());
    BOOST_TEST(d->is_double());
}

BOOST_AUTO_TEST_CASE(every_double_reads_back_exactly)
{
    // Random bit patterns (subnormals included) written as JavaScript writes
    // them, and with 17 significant digits: both read back to the same bits.
    std::mt19937_64 random(20240611);
    int checked = 0;
    while (checked < 20000) {
        const double d = std::bit_cast<double>(random());
        if (!std::isfinite(d))
            continue;
        ++checked;
        char digits17[32];
        std::snprintf(digits17, sizeof digits17, "%.17g", d);
        for (const std::string& text : {protocol::to_json(d), std::string(digits17)}) {
            const auto v = protocol::parse_json(text, 64);
            BOOST_TEST_INFO(text);
            BOOST_TEST_REQUIRE(v.has_value());
            const double back = v->is_double() ? v->get_double() : v->to_number<double>();
            if (std::bit_cast<std::uint64_t>(back) != std::bit_cast<std::uint64_t>(d))
                BOOST_TEST(text + " read back as " + protocol::to_json(back) == text);
        }
    }
}

BOOST_AUTO_TEST_CASE(decimal_text_reads_as_strtod_reads_it)
{
    // Random decimals, short ones (the fast path) and long ones with far
    // exponents, against glibc's correctly rounded strtod.
    std::mt19937_64 random(7);
    for (int i = 0; i < 20000; ++i) {
        std::string text = random() % 2 ? "-" : "";
        const auto digits = 1 + random() % (i % 2 ? 17 : 30);
        std::string mantissa(1, static_cast<char>('1' + random() % 9));
        while (mantissa.size() < digits)
            mantissa += static_cast<char>('0' + random() % 10);
        if (const auto point = random() % digits; point != 0)
            mantissa.insert(point, ".");
        text += mantissa;
        const int range = i % 2 ? 30 : 700;
        const int exponent = static_cast<int>(random() % static_cast<unsigned>(2 * range + 1)) - range;
        text += "e" + std::to_string(exponent);

        const double expected = std::strtod(text.c_str(), nullptr);
        const auto v = protocol::parse_json(text, 64);
        BOOST_TEST_INFO(text);
        BOOST_TEST_REQUIRE(v.has_value());
        BOOST_TEST_REQUIRE(v->is_double());
        if (std::bit_cast<std::uint64_t>(v->get_double()) != std::bit_cast<std::uint64_t>(expected))
            BOOST_TEST(protocol::to_json(v->get_double()) == protocol::to_json(expected));
    }
}

BOOST_AUTO_TEST_CASE(structure_as_json_parse_reads_it)
{
    const std::vector<std::pair<std::string_view, std::string_view>> cases{
        {R"({"z":1,"a":2,"m":{"y":[1,{"q":1,"b":2}],"b":null}})", R"({"z":1,"a":2,"m":{"y":[1,{"q":1,"b":2}],"b":null}})"},
        // The last of a repeated key wins, in the first one's place.
        {R"({"b":1,"a":[true,false,null],"b":3})", R"({"b":3,"a":[true,false,null]})"},
        {" \t\r\n [ 1 , 2.50 , \"x\" ] \n", R"([1,2.5,"x"])"},
        {R"(["\u00e9\ud83d\ude00\n\"\\\/"])", "[\"\xc3\xa9\xf0\x9f\x98\x80\\n\\\"\\\\/\"]"},
        {R"([[],{},"",0,[[[]]]])", R"([[],{},"",0,[[[]]]])"},
        {"[1e400,-1e400,1e-400,-1e-400]", "[null,null,0,0]"},
        {"[-0,-0.0,0e-5,-0E+3]", "[0,0,0,0]"},
        {"null", "null"},
        {"true", "true"},
        {R"("s")", R"("s")"},
    };
    for (const auto& [text, expected] : cases)
        BOOST_TEST_CONTEXT(text) { BOOST_TEST(round_trip(text) == expected); }
}

BOOST_AUTO_TEST_CASE(invalid_json)
{
    for (const std::string_view text : {
             "", " ", "[", "[1,]", "[1] x", "[1][2]", "{'a':1}", "{\"a\"}", "{\"a\":}", "01", "1.", ".5", "-", "+1",
             "1e", "1e+", "NaN", "Infinity", "[1/*c*/]", "//c\n1", "\"\xff\"", "\"\xc3\"", "\"a\nb\"", "\"\\x\"",
             "1e99999999999", "tru", "nul",
         })
        BOOST_TEST_CONTEXT(text) { BOOST_TEST(parse_error(text) == code(error::invalid_json)); }
}

BOOST_AUTO_TEST_CASE(depth_limit)
{
    BOOST_TEST(protocol::parse_json("1", 0).has_value());
    BOOST_TEST(parse_error("[]", 0) == code(error::json_too_deep));
    BOOST_TEST(protocol::parse_json("[[1,{}],{\"a\":[]}]", 3).has_value());
    BOOST_TEST(parse_error("[[1,{}],{\"a\":[{}]}]", 3) == code(error::json_too_deep));
    BOOST_TEST(parse_error(R"({"a":{"b":{"c":{}}}})", 3) == code(error::json_too_deep));
    // Refused at the limit, however deep the text goes (and unterminated).
    BOOST_TEST(parse_error(std::string(1'000'000, '['), 1000) == code(error::json_too_deep));
    BOOST_TEST(parse_error(std::string(2000, '[') + std::string(2000, ']'), 1000) == code(error::json_too_deep));
}

BOOST_AUTO_TEST_CASE(result_uses_the_given_storage)
{
    json::monotonic_resource resource;
    json::storage_ptr sp(&resource);
    const auto v = protocol::parse_json(R"({"a":[1,2.5,"long enough to be allocated"]})", 64, sp);
    BOOST_TEST_REQUIRE(v.has_value());
    BOOST_TEST(v->storage().get() == sp.get());
    BOOST_TEST(v->at("a").storage().get() == sp.get());
}

BOOST_AUTO_TEST_SUITE_END()
