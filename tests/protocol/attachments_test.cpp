#include <corio/protocol/attachments.hpp>

#include <corio/protocol/json_writer.hpp>

#include "deep_json.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace json = boost::json;
namespace protocol = corio::protocol;
using protocol::error;

BOOST_AUTO_TEST_SUITE(attachments)

BOOST_AUTO_TEST_CASE(placeholder_form)
{
    BOOST_TEST(protocol::to_json(protocol::make_placeholder(0)) == R"({"_placeholder":true,"num":0})");
    BOOST_TEST(protocol::to_json(protocol::make_placeholder(42)) == R"({"_placeholder":true,"num":42})");
    // Equal to what the parser produces for the same text.
    BOOST_TEST(protocol::make_placeholder(3) == json::parse(R"({"_placeholder":true,"num":3})"));
}

BOOST_AUTO_TEST_CASE(placeholder_index_accepts)
{
    BOOST_TEST((protocol::placeholder_index(protocol::make_placeholder(5)) == std::optional<std::size_t>(5)));
    const std::vector<std::pair<std::string_view, std::size_t>> cases{
        {R"({"_placeholder":true,"num":0})", 0},
        {R"({"num":7,"_placeholder":true})", 7},
        {R"({"_placeholder":true,"num":2.0})", 2},
        {R"({"_placeholder":true,"num":1,"extra":"ignored"})", 1},
    };
    for (const auto& [text, index] : cases)
        BOOST_TEST_CONTEXT(text)
        {
            BOOST_TEST((protocol::placeholder_index(json::parse(text)) == std::optional<std::size_t>(index)));
        }
}

BOOST_AUTO_TEST_CASE(placeholder_index_rejects)
{
    for (const std::string_view text : {
             R"({"_placeholder":false,"num":0})",
             R"({"_placeholder":"true","num":0})",
             R"({"_placeholder":1,"num":0})",
             R"({"num":0})",
             R"({"_placeholder":true})",
             R"({"_placeholder":true,"num":-1})",
             R"({"_placeholder":true,"num":1.5})",
             R"({"_placeholder":true,"num":"0"})",
             R"({"_placeholder":true,"num":null})",
             R"({"_placeholder":true,"num":[0]})",
             R"({"_placeholder":true,"num":1e300})",
             R"([{"_placeholder":true,"num":0}])",
             R"("_placeholder")",
             "0",
             "null",
         })
        BOOST_TEST_CONTEXT(text) { BOOST_TEST(!protocol::placeholder_index(json::parse(text)).has_value()); }
}

BOOST_AUTO_TEST_CASE(reconstruct_check_accepts)
{
    const std::vector<std::pair<std::string_view, std::size_t>> cases{
        {"null", 0},
        {"1", 0},
        {R"(["x",{"a":[1,2]},"y"])", 0},
        {R"(["x",{"_placeholder":true,"num":0}])", 1},
        {R"(["x",{"_placeholder":true,"num":1},{"deep":[[{"_placeholder":true,"num":0}]]}])", 2},
        // The same buffer may be referred to twice, and not every buffer must be.
        {R"([{"_placeholder":true,"num":0},{"_placeholder":true,"num":0}])", 3},
        // Not placeholders, so their `num` does not matter.
        {R"([{"_placeholder":false,"num":9},{"_placeholder":"yes"},{"num":-1}])", 0},
        {R"({"_placeholder":true,"num":0})", 1},
    };
    for (const auto& [text, count] : cases)
        BOOST_TEST_CONTEXT(text << " with " << count)
        {
            BOOST_TEST(protocol::reconstruct_check(json::parse(text), count).has_value());
        }
}

BOOST_AUTO_TEST_CASE(reconstruct_check_malformed)
{
    const std::vector<std::pair<std::string_view, std::size_t>> malformed{
        {R"(["x",{"_placeholder":true,"num":0}])", 0},
        {R"(["x",{"_placeholder":true,"num":1}])", 1},
        {R"(["x",{"_placeholder":true,"num":2},{"_placeholder":true,"num":0}])", 2},
        {R"(["x",{"_placeholder":true,"num":-1}])", 1},
        {R"(["x",{"_placeholder":true,"num":0.5}])", 1},
        {R"(["x",{"_placeholder":true,"num":"0"}])", 1},
        {R"(["x",{"_placeholder":true}])", 1},
        {R"(["x",{"a":{"b":[{"_placeholder":true,"num":5}]}}])", 5},
        {R"({"_placeholder":true,"num":18446744073709551615})", 1},
    };
    for (const auto& [text, count] : malformed)
        BOOST_TEST_CONTEXT(text << " with " << count)
        {
            const auto r = protocol::reconstruct_check(json::parse(text), count);
            BOOST_TEST(r.has_error());
            BOOST_TEST(r.error() == protocol::make_error_code(error::invalid_placeholder));
        }
}

BOOST_AUTO_TEST_CASE(reconstruct_check_deep_tree_built_in_code)
{
    // Deeper than any parser limit, to show the walk does not recurse.
    json::value root = json::array{};
    json::value* leaf = &root;
    for (int i = 0; i < 5000; ++i) {
        leaf->get_array().emplace_back(json::array{});
        leaf = &leaf->get_array().back();
    }
    leaf->get_array().emplace_back(protocol::make_placeholder(1));
    BOOST_TEST(protocol::reconstruct_check(root, 2).has_value());
    BOOST_TEST(protocol::reconstruct_check(root, 1).error() == protocol::make_error_code(error::invalid_placeholder));
}

BOOST_AUTO_TEST_CASE(for_each_placeholder_in_document_order)
{
    json::value data = json::parse(R"([{"_placeholder":true,"num":2},{"a":[{"_placeholder":true,"num":0}],)"
                                   R"("b":{"_placeholder":true,"num":"x","inner":{"_placeholder":true,"num":9}}},)"
                                   R"([[{"_placeholder":true,"num":1}]],{"_placeholder":false,"num":7}])");
    std::vector<std::string> seen;
    BOOST_TEST(protocol::for_each_placeholder(std::as_const(data), [&](const json::value& p) {
        seen.push_back(protocol::to_json(p.at("num")));
        return true;
    }));
    // Not inside a placeholder (even one with an invalid num), and
    // `_placeholder` must be true.
    BOOST_TEST((seen == std::vector<std::string>{"2", "0", R"("x")", "1"}));

    // A visit may replace the placeholder, and stop the walk.
    int visits = 0;
    BOOST_TEST(!protocol::for_each_placeholder(data, [&](json::value& p) {
        p = "replaced";
        return ++visits < 2;
    }));
    BOOST_TEST(visits == 2);
    BOOST_TEST(protocol::to_json(data)
               == R"(["replaced",{"a":["replaced"],"b":{"_placeholder":true,"num":"x",)"
                  R"("inner":{"_placeholder":true,"num":9}}},[[{"_placeholder":true,"num":1}]],)"
                  R"({"_placeholder":false,"num":7}])");

    json::value scalar = 1;
    BOOST_TEST(protocol::for_each_placeholder(scalar, [](json::value&) { return false; }));
}

BOOST_AUTO_TEST_CASE(for_each_placeholder_at_any_depth)
{
    // Deeper than any parser limit, on a stack a recursion per level would
    // overflow.
    json::value root = json::parse(corio::test::nested_text(20'000, corio::test::nesting::mixed,
                                                            R"({"_placeholder":true,"num":0})"),
                                   {}, {.max_depth = 30'000});
    std::size_t found = 0;
    corio::test::run_on_stack(256 * 1024, [&] {
        protocol::for_each_placeholder(std::as_const(root), [&](const json::value&) { return ++found, true; });
    });
    BOOST_TEST(found == 1u);
    corio::test::dismantle(root);
}

BOOST_AUTO_TEST_CASE(builder)
{
    protocol::attachment_builder builder;
    BOOST_TEST(builder.size() == 0u);
    json::array data{"upload"};
    data.emplace_back(builder.add("first"));
    data.emplace_back(json::object{{"file", builder.add(std::string("\x00\xff", 2))}});
    BOOST_TEST(builder.size() == 2u);
    BOOST_TEST(protocol::to_json(data)
               == R"(["upload",{"_placeholder":true,"num":0},{"file":{"_placeholder":true,"num":1}}])");
    const auto buffers = std::move(builder).take();
    BOOST_TEST_REQUIRE(buffers.size() == 2u);
    BOOST_TEST(buffers[0] == "first");
    BOOST_TEST(buffers[1] == std::string("\x00\xff", 2));
    BOOST_TEST(protocol::reconstruct_check(data, buffers.size()).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
