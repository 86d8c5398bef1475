#include <corio/invoke.hpp>

#include <corio/protocol/attachments.hpp>

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value_from.hpp>
#include <boost/test/unit_test.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace invoke_test {

struct point {
    int x = 0;
    int y = 0;
    friend bool operator==(const point&, const point&) = default;
};
BOOST_DESCRIBE_STRUCT(point, (), (x, y))

struct room {
    std::string name;
    point origin;
    std::optional<std::string> topic;
    std::vector<std::string> tags;
    friend bool operator==(const room&, const room&) = default;
};
BOOST_DESCRIBE_STRUCT(room, (), (name, origin, topic, tags))

enum class color { red, green };
BOOST_DESCRIBE_ENUM(color, red, green)

// What JavaScript clients send with fields left out.
struct profile {
    std::string name;
    std::optional<int> age;
    std::optional<point> home = point{7, 7}; // left out: std::nullopt all the same
    std::vector<room> rooms;
    friend bool operator==(const profile&, const profile&) = default;
};
BOOST_DESCRIBE_STRUCT(profile, (), (name, age, home, rooms))

struct filter {
    std::optional<std::string> text;
    std::optional<color> shade;
    friend bool operator==(const filter&, const filter&) = default;
};
BOOST_DESCRIBE_STRUCT(filter, (), (text, shade))

// A recursive type: the compile-time checks must end.
struct tree {
    std::string label;
    std::vector<tree> children;
    std::optional<std::vector<tree>> more;
};
BOOST_DESCRIBE_STRUCT(tree, (), (label, children, more))

struct undescribed {
    int n = 0;
};

struct holder {
    std::map<std::string, std::vector<undescribed>> deep;
};
BOOST_DESCRIBE_STRUCT(holder, (), (deep))

} // namespace invoke_test

namespace {

namespace json = boost::json;
using corio::arguments;
using corio::binary;
using corio::detail::convert_arguments;
using corio::detail::to_ack_arguments;
using invoke_test::color;
using invoke_test::filter;
using invoke_test::point;
using invoke_test::profile;
using invoke_test::room;
using invoke_test::tree;

arguments args(std::string_view values, std::vector<std::string> attachments = {})
{
    return arguments(json::parse(values).as_array(), std::move(attachments));
}

// The message of a conversion that must fail.
template <class... Params>
std::string error_of(std::string_view values, std::vector<std::string> attachments = {})
{
    auto r = convert_arguments<Params...>(args(values, std::move(attachments)), "ev");
    BOOST_TEST_REQUIRE(!r.has_value());
    return r.error().message;
}

json::value placeholder(std::size_t i)
{
    return corio::protocol::make_placeholder(i);
}

} // namespace

BOOST_AUTO_TEST_SUITE(invoke)

BOOST_AUTO_TEST_CASE(scalars)
{
    auto r = convert_arguments<std::string, bool, int, double, std::uint8_t, float>(
        args(R"(["hi", true, -7, 1.5, 255, 0.25])"), "ev");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(std::get<0>(*r) == "hi");
    BOOST_TEST(std::get<1>(*r) == true);
    BOOST_TEST(std::get<2>(*r) == -7);
    BOOST_TEST(std::get<3>(*r) == 1.5);
    BOOST_TEST(std::get<4>(*r) == 255);
    BOOST_TEST(std::get<5>(*r) == 0.25f);
}

BOOST_AUTO_TEST_CASE(numbers_that_convert)
{
    // JavaScript has one number type: an integral double is an integer, and
    // an integer is a double.
    auto r = convert_arguments<int, double, std::uint64_t, std::int64_t>(
        args(R"([2.0, 3, 18446744073709551615, -9223372036854775808])"), "ev");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(std::get<0>(*r) == 2);
    BOOST_TEST(std::get<1>(*r) == 3.0);
    BOOST_TEST(std::get<2>(*r) == std::numeric_limits<std::uint64_t>::max());
    BOOST_TEST(std::get<3>(*r) == std::numeric_limits<std::int64_t>::min());
}

BOOST_AUTO_TEST_CASE(json_parameters_take_the_raw_json)
{
    auto r = convert_arguments<json::value, json::object, json::array, json::string>(
        args(R"([{"a":[1,{"b":null}]}, {"k":{"n":[true]}}, [1,"x",[2]], "s"])"), "ev");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(std::get<0>(*r) == json::parse(R"({"a":[1,{"b":null}]})"));
    BOOST_TEST(std::get<1>(*r) == json::parse(R"({"k":{"n":[true]}})").as_object());
    BOOST_TEST(std::get<2>(*r) == json::parse(R"([1,"x",[2]])").as_array());
    BOOST_TEST(std::get<3>(*r) == "s");
}

BOOST_AUTO_TEST_CASE(json_value_keeps_placeholders)
{
    json::array values{json::object{{"file", placeholder(0)}}};
    auto r = convert_arguments<json::value>(arguments(values, {"bytes"}), "ev");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(std::get<0>(*r) == values[0]);
}

BOOST_AUTO_TEST_CASE(value_to_types)
{
    auto r = convert_arguments<std::vector<int>, std::map<std::string, double>, std::tuple<int, std::string>, color>(
        args(R"([[1,2,3], {"a":1,"b":2.5}, [7,"seven"], "green"])"), "ev");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST((std::get<0>(*r) == std::vector<int>{1, 2, 3}));
    BOOST_TEST((std::get<1>(*r) == std::map<std::string, double>{{"a", 1}, {"b", 2.5}}));
    BOOST_TEST((std::get<2>(*r) == std::tuple<int, std::string>{7, "seven"}));
    BOOST_TEST((std::get<3>(*r) == color::green));
}

BOOST_AUTO_TEST_CASE(described_struct)
{
    auto r = convert_arguments<room>(
        args(R"([{"name":"lobby","origin":{"x":1,"y":-2},"topic":null,"tags":["a","b"]}])"), "ev");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST((std::get<0>(*r) == room{"lobby", {1, -2}, std::nullopt, {"a", "b"}}));

    auto topic = convert_arguments<room>(
        args(R"([{"tags":[],"topic":"chess","origin":{"y":0,"x":0},"name":"x"}])"), "ev");
    BOOST_TEST_REQUIRE(topic.has_value());
    BOOST_TEST((std::get<0>(*topic).topic == std::optional<std::string>("chess")));
}

BOOST_AUTO_TEST_CASE(described_struct_mismatches)
{
    BOOST_TEST(error_of<point>(R"(["p"])") ==
               R"(argument 1 of "ev": expected an object with exactly the members x, y, got a string)");
    BOOST_TEST(error_of<point>(R"([{"x":1}])") ==
               R"(argument 1 of "ev": member "y": expected an integer from -2147483648 to 2147483647, got nothing)");
    BOOST_TEST(error_of<point>(R"([{"x":"1","y":2}])") ==
               R"(argument 1 of "ev": member "x": expected an integer from -2147483648 to 2147483647, got a string)");
    BOOST_TEST(error_of<point>(R"([{"x":1,"y":2,"z":3}])") ==
               R"(argument 1 of "ev": unexpected member "z" (expected exactly the members x, y))");
    // Nested: the path names each level.
    BOOST_TEST(error_of<room>(R"([{"name":"n","origin":{"x":1,"y":1.5},"topic":null,"tags":[]}])") ==
               R"(argument 1 of "ev": member "origin": member "y": expected an integer from -2147483648 to 2147483647, got 1.5)");
    BOOST_TEST(error_of<room>(R"([{"name":"n","origin":{"x":1,"y":1},"topic":null,"tags":["a",2]}])") ==
               R"(argument 1 of "ev": member "tags": element 1: expected a string, got 2)");
    // A missing member that is not optional is still an error.
    BOOST_TEST(error_of<room>(R"([{"origin":{"x":1,"y":1},"topic":null,"tags":[]}])") ==
               R"(argument 1 of "ev": member "name": expected a string, got nothing)");
    BOOST_TEST(error_of<room>(R"([{"name":"n","origin":{"x":1,"y":1}}])") ==
               R"(argument 1 of "ev": member "tags": expected an array, got nothing)");
    // The members a struct with optional ones wants.
    BOOST_TEST(error_of<room>("[3]") ==
               R"(argument 1 of "ev": expected an object with exactly the members name, origin, tags, and optionally topic, got 3)");
    BOOST_TEST(error_of<room>(R"([{"name":"n","origin":{"x":1,"y":1},"tags":[],"topc":"x"}])") ==
               R"(argument 1 of "ev": unexpected member "topc" (expected exactly the members name, origin, tags, and optionally topic))");
    BOOST_TEST(error_of<filter>(R"([{"txt":"a"}])") ==
               R"(argument 1 of "ev": unexpected member "txt" (expected only the optional members text, shade))");
}

BOOST_AUTO_TEST_CASE(missing_optional_members_are_nullopt)
{
    // Boost 1.81's value_to refuses these; a JavaScript client sends them
    // whenever a field is undefined.
    auto r = convert_arguments<room>(args(R"([{"name":"lobby","origin":{"x":1,"y":2},"tags":[]}])"), "ev");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST((std::get<0>(*r) == room{"lobby", {1, 2}, std::nullopt, {}}));

    // At any depth: in a vector of structs inside a struct, and a default
    // member initializer does not survive a missing member.
    auto p = convert_arguments<profile>(
        args(R"([{"name":"ada","rooms":[{"name":"a","origin":{"x":0,"y":0},"tags":["t"]}]}])"), "ev");
    BOOST_TEST_REQUIRE(p.has_value());
    BOOST_TEST((std::get<0>(*p) == profile{"ada", std::nullopt, std::nullopt, {room{"a", {0, 0}, std::nullopt, {"t"}}}}));
    auto full = convert_arguments<profile>(
        args(R"([{"name":"bob","age":36,"home":{"x":1,"y":1},"rooms":[]}])"), "ev");
    BOOST_TEST_REQUIRE(full.has_value());
    BOOST_TEST((std::get<0>(*full) == profile{"bob", 36, point{1, 1}, {}}));

    // Everything optional: an empty object.
    auto empty = convert_arguments<filter>(args("[{}]"), "ev");
    BOOST_TEST_REQUIRE(empty.has_value());
    BOOST_TEST((std::get<0>(*empty) == filter{}));

    // Containers, optionals and tuples of such structs.
    auto many = convert_arguments<std::vector<filter>, std::map<std::string, filter>, std::optional<filter>,
                                  std::tuple<filter, int>, std::array<filter, 1>>(
        args(R"([[{}, {"text":"a"}], {"k":{"shade":"green"}}, {}, [{}, 1], [{}]])"), "ev");
    BOOST_TEST_REQUIRE(many.has_value());
    BOOST_TEST((std::get<0>(*many) == std::vector<filter>{{}, {"a", std::nullopt}}));
    BOOST_TEST((std::get<1>(*many) == std::map<std::string, filter>{{"k", {std::nullopt, color::green}}}));
    BOOST_TEST((std::get<2>(*many) == std::optional<filter>(filter{})));
    BOOST_TEST((std::get<3>(*many) == std::tuple<filter, int>{filter{}, 1}));
    BOOST_TEST((std::get<4>(*many) == std::array<filter, 1>{}));

    // Mismatches inside those are still found, and named.
    BOOST_TEST(error_of<profile>(R"([{"name":"ada","age":"old","rooms":[]}])") ==
               R"(argument 1 of "ev": member "age": expected an integer from -2147483648 to 2147483647, got a string)");
    BOOST_TEST(error_of<profile>(R"([{"name":"ada","rooms":[{"name":"a","origin":{"x":0},"tags":[]}]}])") ==
               R"(argument 1 of "ev": member "rooms": element 0: member "origin": member "y": expected an integer from -2147483648 to 2147483647, got nothing)");
    // A fixed size, as Boost.JSON's std::array<int, 1>.
    BOOST_TEST((error_of<std::array<filter, 1>>("[[{}, {}]]") ==
                error_of<std::array<int, 1>>("[[1, 2]]")));
}

// The compile-time walk behind the readable static_asserts
// (corio/detail/json_checks.hpp): the innermost type without a conversion.
namespace gaps {
using corio::detail::converts_from_json;
using corio::detail::converts_to_json;
using corio::detail::from_json;
using corio::detail::json_gap_t;
using corio::detail::to_json;
using invoke_test::holder;
using invoke_test::tree;
using invoke_test::undescribed;
static_assert(converts_from_json<room> && converts_to_json<room>);
static_assert(converts_from_json<tree> && converts_to_json<tree>);
static_assert(converts_from_json<std::variant<int, std::vector<std::optional<point>>>>);
static_assert(!converts_from_json<undescribed> && !converts_to_json<undescribed>);
static_assert(std::is_same_v<json_gap_t<from_json, std::vector<std::optional<undescribed>>>, undescribed>);
static_assert(std::is_same_v<json_gap_t<to_json, std::tuple<int, undescribed>>, undescribed>);
static_assert(std::is_same_v<json_gap_t<from_json, holder>, undescribed>);
static_assert(std::is_same_v<json_gap_t<to_json, std::chrono::seconds>, std::chrono::seconds>);
static_assert(std::is_void_v<json_gap_t<to_json, const char (&)[4]>>);
} // namespace gaps

BOOST_AUTO_TEST_CASE(container_mismatches)
{
    BOOST_TEST(error_of<std::vector<int>>(R"([[1,true]])") ==
               R"(argument 1 of "ev": element 1: expected an integer from -2147483648 to 2147483647, got true)");
    BOOST_TEST(error_of<std::vector<int>>(R"([{}])") == R"(argument 1 of "ev": expected an array, got an object)");
    BOOST_TEST((error_of<std::map<std::string, bool>>(R"([{"a":true,"b":"no"}])") ==
               R"(argument 1 of "ev": member "b": expected a boolean, got a string)"));
    BOOST_TEST((error_of<std::tuple<int, int>>(R"([[1]])").starts_with(
        R"(argument 1 of "ev": expected an array of 2 values, got an array ()")));
    BOOST_TEST(error_of<color>(R"(["blue"])") == R"(argument 1 of "ev": expected one of "red", "green", got a string)");
}

BOOST_AUTO_TEST_CASE(wrong_scalar_types)
{
    BOOST_TEST(error_of<std::string>("[42]") == R"(argument 1 of "ev": expected a string, got 42)");
    BOOST_TEST((error_of<std::string, int>(R"(["a","b"])") ==
               R"(argument 2 of "ev": expected an integer from -2147483648 to 2147483647, got a string)"));
    BOOST_TEST(error_of<bool>("[1]") == R"(argument 1 of "ev": expected a boolean, got 1)");
    BOOST_TEST(error_of<int>("[true]") ==
               R"(argument 1 of "ev": expected an integer from -2147483648 to 2147483647, got true)");
    BOOST_TEST(error_of<double>("[null]") == R"(argument 1 of "ev": expected a number, got null)");
    BOOST_TEST(error_of<json::object>("[[]]") == R"(argument 1 of "ev": expected an object, got an array)");
    BOOST_TEST(error_of<json::array>("[{}]") == R"(argument 1 of "ev": expected an array, got an object)");
    BOOST_TEST(error_of<json::string>("[1]") == R"(argument 1 of "ev": expected a string, got 1)");
}

BOOST_AUTO_TEST_CASE(numbers_out_of_range)
{
    BOOST_TEST(error_of<int>("[1.5]") ==
               R"(argument 1 of "ev": expected an integer from -2147483648 to 2147483647, got 1.5)");
    BOOST_TEST(error_of<unsigned>("[-1]") == R"(argument 1 of "ev": expected an integer from 0 to 4294967295, got -1)");
    BOOST_TEST(error_of<std::uint8_t>("[256]") == R"(argument 1 of "ev": expected an integer from 0 to 255, got 256)");
    BOOST_TEST(error_of<std::int8_t>("[-129]") ==
               R"(argument 1 of "ev": expected an integer from -128 to 127, got -129)");
    BOOST_TEST(error_of<std::int64_t>("[9223372036854775808]") ==
               R"(argument 1 of "ev": expected an integer from -9223372036854775808 to 9223372036854775807, got 9223372036854775808)");
    BOOST_TEST(error_of<std::int64_t>("[1e19]").starts_with(R"(argument 1 of "ev": expected an integer)"));
    BOOST_TEST(error_of<float>("[1e300]") ==
               R"(argument 1 of "ev": expected a number from -3.4028235e+38 to 3.4028235e+38, got 1e+300)");
}

BOOST_AUTO_TEST_CASE(missing_arguments)
{
    BOOST_TEST((error_of<std::string, int>(R"(["a"])") ==
               R"(argument 2 of "ev": expected an integer from -2147483648 to 2147483647, got nothing)"));
    BOOST_TEST(error_of<json::value>("[]") == R"(argument 1 of "ev": expected a value, got nothing)");
    auto r = convert_arguments<std::string, int>(args("[]"), "create_room");
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().position == 1u);
    BOOST_TEST(r.error().message == R"(argument 1 of "create_room": expected a string, got nothing)");
}

BOOST_AUTO_TEST_CASE(event_name_is_quoted_as_json)
{
    auto r = convert_arguments<int>(args("[]"), "a\"b\n");
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().message.starts_with(R"(argument 1 of "a\"b\n": )"));
}

BOOST_AUTO_TEST_CASE(long_names_are_cut)
{
    // 63 ASCII bytes, then a two-byte character across the 64-byte limit.
    const std::string event = std::string(63, 'e') + "\xC3\xA9" + std::string(1000, 'e');
    auto r = convert_arguments<int>(args("[]"), event);
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().message.starts_with("argument 1 of \"" + std::string(63, 'e') + "\"...: "));
    BOOST_TEST((error_of<std::map<std::string, int>>(R"([{")" + std::string(100, 'k') + R"(":"v"}])") ==
                "argument 1 of \"ev\": member \"" + std::string(64, 'k') +
                    "\"...: expected an integer from -2147483648 to 2147483647, got a string"));
}

BOOST_AUTO_TEST_CASE(first_failure_wins)
{
    auto r = convert_arguments<int, int, int>(args(R"([1, "x", "y"])"), "ev");
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().position == 2u);
}

BOOST_AUTO_TEST_CASE(extra_arguments_are_ignored)
{
    auto r = convert_arguments<std::string>(args(R"(["a", 1, {"b":2}])"), "ev");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(std::get<0>(*r) == "a");
    BOOST_TEST(convert_arguments<>(args(R"([1, 2])"), "ev").has_value());
}

BOOST_AUTO_TEST_CASE(optional_parameters)
{
    using opt_int = std::optional<int>;
    using opt_str = std::optional<std::string>;
    {
        auto r = convert_arguments<std::string, opt_int, opt_str>(args(R"(["a"])"), "ev");
        BOOST_TEST_REQUIRE(r.has_value());
        BOOST_TEST(!std::get<1>(*r).has_value());
        BOOST_TEST(!std::get<2>(*r).has_value());
    }
    {
        auto r = convert_arguments<std::string, opt_int, opt_str>(args(R"(["a", null, "c"])"), "ev");
        BOOST_TEST_REQUIRE(r.has_value());
        BOOST_TEST(!std::get<1>(*r).has_value());
        BOOST_TEST((std::get<2>(*r) == opt_str("c")));
    }
    {
        auto r = convert_arguments<opt_int>(args("[5]"), "ev");
        BOOST_TEST_REQUIRE(r.has_value());
        BOOST_TEST((std::get<0>(*r) == opt_int(5)));
    }
    // Present and not null: converted by the rules of T.
    BOOST_TEST(error_of<opt_int>(R"(["5"])") ==
               R"(argument 1 of "ev": expected an integer from -2147483648 to 2147483647, got a string)");
    // An optional before a required argument does not make it optional.
    BOOST_TEST((error_of<opt_int, std::string>("[]") == R"(argument 2 of "ev": expected a string, got nothing)"));
}

BOOST_AUTO_TEST_CASE(binary_from_placeholder)
{
    json::array values{"name", placeholder(1), placeholder(0)};
    auto r = convert_arguments<std::string, binary, binary>(arguments(values, {"zero", std::string("\0one", 4)}), "ev");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(std::get<1>(*r).bytes == std::string("\0one", 4));
    BOOST_TEST(std::get<2>(*r).bytes == "zero");
}

BOOST_AUTO_TEST_CASE(binary_twice_from_one_attachment)
{
    json::array values{placeholder(0), placeholder(0)};
    auto r = convert_arguments<binary, binary>(arguments(values, {"same"}), "ev");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(std::get<0>(*r).bytes == "same");
    BOOST_TEST(std::get<1>(*r).bytes == "same");
}

BOOST_AUTO_TEST_CASE(optional_binary)
{
    json::array values{nullptr, placeholder(0)};
    auto r = convert_arguments<std::optional<binary>, std::optional<binary>, std::optional<binary>>(
        arguments(values, {"b"}), "ev");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(!std::get<0>(*r).has_value());
    BOOST_TEST_REQUIRE(std::get<1>(*r).has_value());
    BOOST_TEST(std::get<1>(*r)->bytes == "b");
    BOOST_TEST(!std::get<2>(*r).has_value());
}

BOOST_AUTO_TEST_CASE(binary_mismatches)
{
    BOOST_TEST(error_of<binary>(R"(["bytes"])") == R"(argument 1 of "ev": expected binary data, got a string)");
    BOOST_TEST(error_of<binary>(R"([{"_placeholder":false,"num":0}])", {"x"}) ==
               R"(argument 1 of "ev": expected binary data, got an object)");
    BOOST_TEST(error_of<binary>(R"([{"_placeholder":true,"num":2}])", {"x", "y"}) ==
               R"(argument 1 of "ev": expected binary data, got a placeholder for attachment 2 of 2)");
    BOOST_TEST(error_of<binary>("[]") == R"(argument 1 of "ev": expected binary data, got nothing)");
    // And binary where something else is expected.
    BOOST_TEST(error_of<std::string>(R"([{"_placeholder":true,"num":0}])", {"x"}) ==
               R"(argument 1 of "ev": expected a string, got binary data)");
    BOOST_TEST(error_of<point>(R"([{"_placeholder":true,"num":0}])", {"x"}) ==
               R"(argument 1 of "ev": expected an object with exactly the members x, y, got binary data)");
}

BOOST_AUTO_TEST_CASE(arguments_alone_are_passed_unchanged)
{
    json::array values{"a", placeholder(1), json::object{{"b", placeholder(0)}}};
    arguments original(values, {"zero", "one"});
    auto r = convert_arguments<arguments>(arguments(original), "ev");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST((std::get<0>(*r) == original));
}

BOOST_AUTO_TEST_CASE(arguments_last_get_the_rest)
{
    auto r = convert_arguments<std::string, arguments>(args(R"(["a", 1, {"b":[true]}])"), "ev");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(std::get<0>(*r) == "a");
    BOOST_TEST((std::get<1>(*r) == args(R"([1, {"b":[true]}])")));

    auto none = convert_arguments<std::string, arguments>(args(R"(["a"])"), "ev");
    BOOST_TEST_REQUIRE(none.has_value());
    BOOST_TEST(std::get<1>(*none).empty());
    BOOST_TEST(std::get<1>(*none).attachments().empty());

    // The arguments before the rest are still required.
    BOOST_TEST((error_of<std::string, arguments>("[]") == R"(argument 1 of "ev": expected a string, got nothing)"));
}

BOOST_AUTO_TEST_CASE(arguments_last_keep_only_their_attachments)
{
    // Attachment 0 goes to the binary parameter; the rest references 2 (twice)
    // and 1, renumbered in order of appearance.
    json::array values{placeholder(0), json::object{{"x", placeholder(2)}}, json::array{placeholder(1), placeholder(2)}};
    auto r = convert_arguments<binary, arguments>(arguments(values, {"zero", "one", "two"}), "ev");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(std::get<0>(*r).bytes == "zero");
    const arguments& rest = std::get<1>(*r);
    json::array expected{json::object{{"x", placeholder(0)}}, json::array{placeholder(1), placeholder(0)}};
    BOOST_TEST(rest.values() == expected);
    BOOST_TEST((rest.attachments() == std::vector<std::string>{"two", "one"}));
}

BOOST_AUTO_TEST_CASE(arguments_last_with_a_placeholder_out_of_range)
{
    json::array values{1, json::array{placeholder(3)}};
    auto r = convert_arguments<int, arguments>(arguments(values, {"zero"}), "ev");
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().position == 2u);
    BOOST_TEST(r.error().message == R"(argument 2 of "ev": invalid binary placeholder)");
}

BOOST_AUTO_TEST_CASE(value_throws_on_error)
{
    auto ok = convert_arguments<int>(args("[1]"), "ev");
    BOOST_TEST(std::get<0>(ok.value()) == 1);
    auto bad = convert_arguments<int>(args("[]"), "ev");
    BOOST_CHECK_THROW(bad.value(), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(ack_from_arguments)
{
    arguments a(json::array{1, placeholder(0)}, {"bin"});
    BOOST_TEST((to_ack_arguments(a) == a));
    BOOST_TEST((to_ack_arguments(arguments()) == arguments()));
}

BOOST_AUTO_TEST_CASE(ack_from_binary)
{
    auto a = to_ack_arguments(binary{"bytes"});
    BOOST_TEST(a.values() == json::array{placeholder(0)});
    BOOST_TEST((a.attachments() == std::vector<std::string>{"bytes"}));
}

BOOST_AUTO_TEST_CASE(ack_from_a_value)
{
    BOOST_TEST((to_ack_arguments(std::string("room-1")) == args(R"(["room-1"])")));
    BOOST_TEST((to_ack_arguments(42) == args("[42]")));
    BOOST_TEST((to_ack_arguments(true) == args("[true]")));
    BOOST_TEST((to_ack_arguments(point{1, 2}) == args(R"([{"x":1,"y":2}])")));
    BOOST_TEST((to_ack_arguments(std::vector<int>{1, 2}) == args("[[1,2]]")));
    BOOST_TEST((to_ack_arguments(json::value(json::object{{"ok", true}})) == args(R"([{"ok":true}])")));
    BOOST_TEST((to_ack_arguments(std::optional<int>()) == args("[null]")));
}

BOOST_AUTO_TEST_CASE(empty_optional_members_are_left_out)
{
    // Boost.JSON would write "topic":null; the handlers read a missing
    // optional member as std::nullopt, so Corio leaves it out, at any depth.
    const room bare{.name = "r", .origin = {1, 2}, .topic = std::nullopt, .tags = {}};
    BOOST_TEST((json::value_from(bare) == json::parse(R"({"name":"r","origin":{"x":1,"y":2},"topic":null,"tags":[]})")));
    BOOST_TEST((to_ack_arguments(bare) == args(R"([{"name":"r","origin":{"x":1,"y":2},"tags":[]}])")));
    BOOST_TEST((arguments::of(filter{}, filter{.text = "x", .shade = color::green}) ==
                args(R"([{},{"text":"x","shade":"green"}])")));

    const profile nested{.name = "ada", .age = std::nullopt, .home = std::nullopt, .rooms = {bare}};
    BOOST_TEST((arguments::of(nested) == args(R"([{"name":"ada","rooms":[{"name":"r","origin":{"x":1,"y":2},"tags":[]}]}])")));
    // In containers, optionals, maps and trees of such structs.
    BOOST_TEST((arguments::of(std::vector<filter>{{}, {.text = "y"}}, std::optional<filter>(filter{}),
                              std::map<std::string, filter>{{"k", {}}}) == args(R"([[{},{"text":"y"}],{},{"k":{}}])")));
    const tree t{.label = "a", .children = {{.label = "b"}}, .more = std::vector<tree>{{.label = "c"}}};
    BOOST_TEST((arguments::of(t) == args(R"([{"label":"a","children":[{"label":"b","children":[]}],"more":[{"label":"c","children":[]}]}])")));

    // An empty optional that is not a member is still null.
    BOOST_TEST((arguments::of(std::optional<filter>(), std::vector<std::optional<point>>{std::nullopt, point{}}) ==
                args(R"([null,[null,{"x":0,"y":0}]])")));

    // Written and read back, a struct is itself again.
    auto back = convert_arguments<profile, filter>(arguments::of(nested, filter{}), "ev");
    BOOST_TEST_REQUIRE(back.has_value());
    BOOST_TEST((std::get<0>(*back) == nested));
    BOOST_TEST((std::get<1>(*back) == filter{}));
}

BOOST_AUTO_TEST_CASE(auth_conversion)
{
    using corio::detail::convert_auth;
    const auto auth = json::parse(R"({"x":1,"y":2})").as_object();
    BOOST_TEST((convert_auth<point>(auth).value() == point{1, 2}));
    BOOST_TEST(convert_auth<json::object>(auth).value() == auth);
    BOOST_TEST(!convert_auth<point>(json::parse(R"({"x":"1","y":2})").as_object()).has_value());
    BOOST_TEST(!convert_auth<point>(json::object()).has_value());
    // No auth at all is an empty optional; an auth that does not convert is
    // still an error.
    BOOST_TEST(!convert_auth<std::optional<point>>(json::object()).value().has_value());
    BOOST_TEST((convert_auth<std::optional<point>>(auth).value() == std::optional<point>(point{1, 2})));
    BOOST_TEST(!convert_auth<std::optional<point>>(json::parse(R"({"x":1})").as_object()).has_value());
    // Optional members may be left out of the auth too.
    BOOST_TEST((convert_auth<filter>(json::parse(R"({"text":"t"})").as_object()).value() == filter{"t", std::nullopt}));
}

BOOST_AUTO_TEST_CASE(connect_verdicts)
{
    using corio::detail::to_verdict;
    BOOST_TEST(!to_verdict(true).refusal.has_value());
    BOOST_TEST(!to_verdict(corio::accept()).refusal.has_value());
    auto refused = to_verdict(false);
    BOOST_TEST_REQUIRE(refused.refusal.has_value());
    BOOST_TEST(*refused.refusal == json::parse(R"({"message":"unauthorized"})"));
    auto custom = to_verdict(corio::refuse_with("no"));
    BOOST_TEST_REQUIRE(custom.refusal.has_value());
    BOOST_TEST(*custom.refusal == json::value("no"));
}

BOOST_AUTO_TEST_SUITE_END()
