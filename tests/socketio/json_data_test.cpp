// Client data through the server unchanged: doubles to the last bit, data
// nested to decode_limits::max_json_depth (binary inside it too), and a
// client that nests deeper closed with a parse error while others carry on.

#include "server_fixture.hpp"

#include <corio/protocol/json_reader.hpp>
#include <corio/protocol/json_writer.hpp>
#include <corio/protocol/limits.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace corio_test;

namespace json_data_test {

const std::size_t limit = corio::protocol::decode_limits{}.max_json_depth;

/// `leaf` inside `depth` levels, arrays and `{"k":...}` objects in turn.
std::string nested_text(std::size_t depth, std::string_view leaf = "1.5")
{
    std::string open;
    std::string close;
    for (std::size_t i = 0; i < depth; ++i) {
        open += i % 2 ? R"({"k":)" : "[";
        close += i % 2 ? '}' : ']';
    }
    return open + std::string(leaf) + std::string(close.rbegin(), close.rend());
}

json::value parsed(const std::string& text)
{
    auto v = corio::protocol::parse_json(text, limit + 1);
    BOOST_TEST_REQUIRE(v.has_value());
    return std::move(*v);
}

} // namespace json_data_test

using namespace json_data_test;

BOOST_FIXTURE_TEST_SUITE(json_data, server_fixture)

BOOST_AUTO_TEST_CASE(doubles_come_back_exactly)
{
    io.of("/").on("echo", [](corio::context&, corio::arguments args) { return args; });
    auto c = client();
    // As JSON.stringify writes them; -2.5e-300 used to come back as
    // -2.5000000000000003e-300.
    const std::string text =
        "[-2.5e-300,0.1,5e-324,-5e-324,2.2250738585072014e-308,1.7976931348623157e+308,1e+21,1e-7,"
        "123456789012345680000,0.30000000000000004,4.37936164503e-142,-1.23456789e-300]";
    auto ack = c->emit_with_ack("echo", corio::arguments(parsed(text).as_array()));
    BOOST_TEST_REQUIRE(ack.has_value());
    BOOST_TEST(corio::protocol::to_json(ack->values()) == text);
}

BOOST_AUTO_TEST_CASE(data_at_the_depth_limit_comes_back_unchanged)
{
    std::string received;
    io.of("/").on("echo", [&](corio::context&, json::value v) {
        received = corio::protocol::to_json(v);
        return v;
    });
    // `rest` is renumbered and its placeholders moved (invoke_convert's walk).
    io.of("/").on("rest", [](corio::context&, std::string, corio::arguments rest) { return rest; });
    auto c = client();

    const std::string deep = nested_text(limit);
    auto ack = c->emit_with_ack("echo", parsed(deep));
    BOOST_TEST_REQUIRE(ack.has_value());
    BOOST_TEST((received == deep));
    BOOST_TEST_REQUIRE(ack->size() == 1u);
    BOOST_TEST((corio::protocol::to_json(ack->values()[0]) == deep));

    // A binary value at the bottom: the placeholder walks reach it.
    const std::string with_binary = nested_text(limit - 1, R"({"_placeholder":true,"num":0})");
    auto binary_ack = c->emit_with_ack("rest", "first", corio::binary{"\x01\x02"},
                                       corio::arguments(json::array{parsed(with_binary)}, {"deep bytes"}));
    BOOST_TEST_REQUIRE(binary_ack.has_value());
    BOOST_TEST_REQUIRE(binary_ack->size() == 2u);
    BOOST_TEST(corio::protocol::to_json(binary_ack->values()[0]) == R"({"_placeholder":true,"num":0})");
    BOOST_TEST((corio::protocol::to_json(binary_ack->values()[1])
                == nested_text(limit - 1, R"({"_placeholder":true,"num":1})")));
    BOOST_TEST((binary_ack->attachments() == std::vector<std::string>{"\x01\x02", "deep bytes"}));
}

BOOST_AUTO_TEST_CASE(deeper_data_closes_only_that_client_with_a_parse_error)
{
    std::vector<corio::disconnect_reason> reasons;
    int echoes = 0;
    io.of("/").on("echo", [&](corio::context&, corio::arguments args) {
        ++echoes;
        return args;
    });
    io.of("/").on_disconnect([&](corio::context&, corio::disconnect_reason r) { reasons.push_back(r); });
    auto bystander = client();
    auto c = client();

    c->emit("echo", parsed(nested_text(limit + 1)));
    BOOST_TEST(c->engine_closed());
    BOOST_TEST((c->server_close_reason() == corio::engine::close_reason::parse_error));
    BOOST_TEST(echoes == 0);
    BOOST_TEST_REQUIRE(reasons.size() == 1u);
    BOOST_TEST((reasons[0] == corio::disconnect_reason::parse_error));

    BOOST_TEST(!bystander->engine_closed());
    auto ack = bystander->emit_with_ack("echo", "still served");
    BOOST_TEST_REQUIRE(ack.has_value());
    BOOST_TEST(str(*ack, 0) == "still served");
    BOOST_TEST(io.of("/").socket_count() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
