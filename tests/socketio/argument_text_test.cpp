// A plain event's arguments reach handlers as their JSON text and stay so
// until read (corio/arguments.hpp): parsed on first values(), passed on
// unparsed, refused at decode as before when malformed; binary events and
// typed handlers as before.

#include "server_fixture.hpp"

#include "socketio/arguments_access.hpp"

#include <corio/protocol/json_reader.hpp>

#include <boost/describe/class.hpp>
#include <boost/test/unit_test.hpp>

#include <limits>
#include <optional>
#include <string>
#include <vector>

using namespace corio_test;
using corio::detail::arguments_access;

namespace argument_text_test {

json::array array_from(std::string_view text)
{
    auto v = corio::protocol::parse_json(text, std::numeric_limits<std::size_t>::max());
    BOOST_TEST_REQUIRE(v.has_value());
    return std::move(v->as_array());
}

struct labelled_point {
    int x = 0;
    std::string label;
};
BOOST_DESCRIBE_STRUCT(labelled_point, (), (x, label))

} // namespace argument_text_test

using namespace argument_text_test;

BOOST_FIXTURE_TEST_SUITE(argument_text, server_fixture)

BOOST_AUTO_TEST_CASE(values_parses_the_text_once)
{
    std::vector<bool> text_before;
    std::vector<bool> text_after;
    std::optional<std::size_t> size;
    std::optional<json::array> values;
    io.of("/").on("look", [&](corio::context&, corio::arguments args) {
        text_before.push_back(arguments_access::is_text(args));
        size = args.size();
        text_before.push_back(arguments_access::is_text(args));
        values = args.values();
        text_after.push_back(arguments_access::is_text(args));
        return args;
    });
    auto c = client();
    c->send_text(R"(2["look",{"a":[1,{"b":"],\""}]},"x,y",[],null, 2 ])");
    BOOST_TEST_REQUIRE(drive_until([&] { return values.has_value(); }));
    BOOST_TEST(text_before == (std::vector<bool>{true, true}));
    BOOST_TEST(text_after == (std::vector<bool>{false}));
    BOOST_TEST((size == std::optional<std::size_t>(5)));
    BOOST_TEST((*values == array_from(R"([{"a":[1,{"b":"],\""}]},"x,y",[],null,2])")));

    // Through a typed emit, the same values come back.
    auto ack = c->emit_with_ack("look", json::object{{"k", "v"}}, 1);
    BOOST_TEST_REQUIRE(ack.has_value());
    BOOST_TEST((ack->values() == array_from(R"([{"k":"v"},1])")));
}

BOOST_AUTO_TEST_CASE(an_echo_keeps_the_text_and_the_values)
{
    std::vector<bool> text;
    io.of("/").on("echo", [&](corio::context&, corio::arguments args) {
        text.push_back(arguments_access::is_text(args));
        return args;
    });
    auto c = client();
    const std::vector<std::string_view> cases{
        R"([])",
        R"(["caf\u00e9 \ud83d\ude00","é€😀","\"\\\/\b\f\n\r\t\u0000"])",
        R"([18446744073709551615,-9223372036854775808,123456789012345678901234567890,9007199254740993])",
        R"([0.1,-2.5e-300,1e+21,-0,{"nested":[{"_placeholder":true,"num":0}]}])",
    };
    for (const auto args : cases) {
        BOOST_TEST_CONTEXT("arguments " << args)
        {
            const auto expected = array_from(args);
            auto ack = c->emit_with_ack("echo", corio::arguments(expected));
            BOOST_TEST_REQUIRE(ack.has_value());
            BOOST_TEST((ack->values() == expected));
            BOOST_TEST(ack->attachments().empty());
        }
    }
    // "[]" is no arguments: held as (no) values.
    BOOST_TEST(text == (std::vector<bool>{false, true, true, true}));
}

BOOST_AUTO_TEST_CASE(equal_across_the_two_forms)
{
    std::optional<bool> equal;
    std::optional<bool> unequal;
    std::optional<bool> still_text;
    io.of("/").on("compare", [&](corio::context&, corio::arguments args) {
        const auto copy = args;
        still_text = arguments_access::is_text(copy);
        equal = (copy == corio::arguments::of("é", 1, json::object{{"a", nullptr}}));
        unequal = (args == corio::arguments::of("é", 2, json::object{{"a", nullptr}}));
    });
    auto c = client();
    c->send_text(R"(2["compare","\u00e9",1,{"a":null}])");
    BOOST_TEST_REQUIRE(drive_until([&] { return equal.has_value(); }));
    BOOST_TEST(*still_text);
    BOOST_TEST(*equal);
    BOOST_TEST(!*unequal);
}

BOOST_AUTO_TEST_CASE(malformed_arguments_still_close_the_connection)
{
    bool called = false;
    io.of("/").on("echo", [&](corio::context&, corio::arguments args) {
        called = true;
        return args;
    });
    for (const std::string_view input : {R"(2["echo",])", R"(2["echo",1]x)", "2[\"echo\",\"\xff\"]",
                                         R"(2["disconnect",1])", R"(31[1,])"}) {
        BOOST_TEST_CONTEXT("input " << input)
        {
            auto c = client();
            c->send_text(std::string(input));
            BOOST_TEST(drive_until([&] { return c->engine_closed(); }));
            BOOST_TEST((c->server_close_reason() == corio::engine::close_reason::parse_error));
        }
    }
    BOOST_TEST(!called);
}

BOOST_AUTO_TEST_CASE(typed_handlers_read_the_values)
{
    io.of("/").on("typed", [](corio::context&, std::string s, std::int64_t i, labelled_point p, corio::arguments rest) {
        return corio::arguments::of(s + "!", i + 1, p.x, p.label, rest.size());
    });
    auto c = client();
    auto ack = c->emit_with_ack("typed", "a", 41, labelled_point{7, "p"}, true, nullptr);
    BOOST_TEST_REQUIRE(ack.has_value());
    BOOST_TEST((ack->values() == array_from(R"(["a!",42,7,"p",2])")));
}

BOOST_AUTO_TEST_CASE(binary_events_stay_values)
{
    std::optional<bool> text;
    io.of("/").on("echo", [&](corio::context&, corio::arguments args) {
        text = arguments_access::is_text(args);
        return args;
    });
    auto c = client();
    auto ack = c->emit_with_ack("echo", "x", corio::binary{std::string("\x00\x01\xff", 3)});
    BOOST_TEST_REQUIRE(ack.has_value());
    BOOST_TEST((text == std::optional<bool>(false)));
    BOOST_TEST_REQUIRE(ack->attachments().size() == 1u);
    BOOST_TEST(ack->attachments()[0] == std::string("\x00\x01\xff", 3));
    BOOST_TEST((ack->values() == array_from(R"(["x",{"_placeholder":true,"num":0}])")));
}

BOOST_AUTO_TEST_SUITE_END()
