#include <corio/protocol/socket_packet.hpp>

#include <corio/protocol/json_reader.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <boost/test/unit_test.hpp>

#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace json = boost::json;
namespace protocol = corio::protocol;
using protocol::socket_packet;
using protocol::socket_packet_type;

BOOST_AUTO_TEST_SUITE(argument_text)

namespace {

protocol::result<std::optional<socket_packet>> decode(std::string_view text, bool keep_text,
                                                      protocol::decode_limits limits = {})
{
    protocol::socket_packet_decoder decoder(limits);
    decoder.keep_argument_text(keep_text);
    return decoder.on_text(text);
}

// As decode(text, true), handing the decoder a string it may take over.
protocol::result<std::optional<socket_packet>> decode_owned(std::string text, protocol::decode_limits limits)
{
    protocol::socket_packet_decoder decoder(limits);
    decoder.keep_argument_text(true);
    return decoder.on_text(std::move(text));
}

// The packet with its argument text parsed back into `data`, as the tree
// path would have decoded it.
socket_packet as_values(socket_packet p)
{
    if (!p.args_text)
        return p;
    auto parsed = protocol::parse_json(*p.args_text, std::numeric_limits<std::size_t>::max());
    BOOST_TEST_REQUIRE(parsed.has_value());
    json::array values = std::move(parsed->as_array());
    if (p.data)
        values.insert(values.begin(), std::move(*p.data));
    p.data = std::move(values);
    p.args_text.reset();
    return p;
}

// Decodes `input` both ways and checks that they agree: the same error, or
// the same packet once the text is parsed, encoded to what decodes the same.
// The text way gives the same whether the decoder may take the input's
// buffer or must copy from it.
void check_same(std::string_view input, protocol::decode_limits limits = {})
{
    BOOST_TEST_CONTEXT("input '" << input << "'")
    {
        const auto tree = decode(input, false, limits);
        const auto text = decode(input, true, limits);
        const auto owned = decode_owned(std::string(input), limits);
        BOOST_TEST_REQUIRE(owned.has_value() == text.has_value());
        if (owned.has_value())
            BOOST_TEST((*owned == *text));
        else
            BOOST_TEST(owned.error() == text.error());
        BOOST_TEST_REQUIRE(tree.has_value() == text.has_value());
        if (tree.has_error()) {
            BOOST_TEST(tree.error() == text.error());
            return;
        }
        BOOST_TEST_REQUIRE(tree->has_value() == text->has_value());
        if (!tree->has_value())
            return;
        BOOST_TEST((as_values(**text) == **tree));
        const auto again = decode(protocol::encode_socket_packet(**text), false, limits);
        BOOST_TEST_REQUIRE(again.has_value());
        BOOST_TEST_REQUIRE(again->has_value());
        BOOST_TEST((**again == **tree));
    }
}

} // namespace

BOOST_AUTO_TEST_CASE(kept_for_plain_events_and_acks_with_string_names)
{
    const auto event = decode(R"(2/chat,7["echo",{"a":[1,2]},"x"])", true);
    BOOST_TEST_REQUIRE(event.has_value());
    BOOST_TEST_REQUIRE(event->has_value());
    BOOST_TEST(((*event)->data == json::value("echo")));
    BOOST_TEST((*event)->args_text.value() == R"([{"a":[1,2]},"x"])");
    BOOST_TEST(protocol::encode_socket_packet(**event) == R"(2/chat,7["echo",{"a":[1,2]},"x"])");

    const auto alone = decode(R"(2["echo"])", true);
    BOOST_TEST((*alone)->args_text.value() == "[]");
    BOOST_TEST(protocol::encode_socket_packet(**alone) == R"(2["echo"])");

    const auto ack = decode(R"(31 [1, "a"] )", true);
    BOOST_TEST(!(*ack)->data);
    BOOST_TEST((*ack)->args_text.value() == R"([1, "a"])");

    // Off by default; numeric names, binary packets and CONNECT keep values.
    for (const std::string_view input : {R"(2[1,"a"])", R"(51-["x",{"_placeholder":true,"num":0}])", R"(0{"a":1})"}) {
        BOOST_TEST_CONTEXT("input " << input)
        {
            const auto r = decode(input, true);
            BOOST_TEST_REQUIRE(r.has_value());
            if (r->has_value())
                BOOST_TEST(!(*r)->args_text);
        }
    }
    BOOST_TEST(!decode(R"(2["x",1])", false).value()->args_text);
}

// The arguments' bytes go back out as they came: escapes, non-ASCII text and
// numbers beyond what a double or 64-bit integer holds.
BOOST_AUTO_TEST_CASE(written_back_verbatim)
{
    const std::string_view args = R"(["\u00e9\n\"]","é€😀",123456789012345678901234567890,-0.0,1e400,{"k":"\\"}])";
    const std::string input = "21[\"ec\\\"ho\"," + std::string(args.substr(1));
    const auto event = decode(input, true);
    BOOST_TEST_REQUIRE(event.has_value());
    BOOST_TEST(((*event)->data == json::value("ec\"ho")));
    BOOST_TEST((*event)->args_text.value() == args);
    BOOST_TEST(protocol::encode_socket_packet(**event) == input);

    socket_packet ack;
    ack.type = socket_packet_type::ack;
    ack.id = 1;
    ack.args_text = (*event)->args_text;
    BOOST_TEST(protocol::encode_socket_packet(ack) == "31" + std::string(args));
}

// Encoding from an rvalue may take over the arguments' buffer; the bytes are
// those the copying overload writes.
BOOST_AUTO_TEST_CASE(encoded_in_place_when_moved)
{
    auto event = decode_owned(R"(2/chat,7["echo", 1,"é"] )", {});
    BOOST_TEST_REQUIRE(event.has_value());
    BOOST_TEST_REQUIRE(event->has_value());
    socket_packet ack;
    ack.type = socket_packet_type::ack;
    ack.nsp = "/chat";
    ack.id = 7;
    ack.args_text = std::move((*event)->args_text);
    const auto copied = protocol::encode_socket_packet(ack);
    BOOST_TEST(copied == R"(3/chat,7[1,"é"])");
    BOOST_TEST(protocol::encode_socket_packet(std::move(ack)) == copied);

    // With values, or attachments, as the copying overload.
    socket_packet binary = socket_packet::ack("/", 3, json::array{"a"});
    binary.attachments.push_back("xyz");
    BOOST_TEST(protocol::encode_socket_packet(socket_packet(binary)) == protocol::encode_socket_packet(binary));
    socket_packet text_binary;
    text_binary.type = socket_packet_type::ack;
    text_binary.id = 3;
    text_binary.args_text = R"([{"_placeholder":true,"num":0}])";
    text_binary.attachments.push_back("xyz");
    const auto expected = protocol::encode_socket_packet(text_binary);
    BOOST_TEST(expected == R"(61-3[{"_placeholder":true,"num":0}])");
    BOOST_TEST(protocol::encode_socket_packet(std::move(text_binary)) == expected);
}

// Whatever the input, keeping the text changes neither what is refused (nor
// with which error) nor the values accepted.
BOOST_AUTO_TEST_CASE(same_outcome_as_values)
{
    const std::size_t over = protocol::decode_limits{}.max_json_depth + 1;
    const std::string too_deep = "2[\"x\"," + std::string(over, '[') + std::string(over, ']') + "]";
    const std::string at_limit = "2[\"x\"," + std::string(over - 1, '[') + std::string(over - 1, ']') + "]";
    const std::string ack_too_deep = "31[" + std::string(over, '[') + std::string(over, ']') + "]";
    const std::vector<std::string_view> inputs{
        R"(2["x"])", R"(2["x",1,"a",null,true,false,{},[]])", R"(2 ["x" , 1 , [ 2 ] ] )", "2\t[\n\"x\"\r,\"y\"]\n",
        R"(2["a,]\"b",1])", R"(2["\u0041\u00e9",1])", R"(2["",""])", R"(2/chat,12["x",{"a":{"b":[1.5,-2e-300]}}])",
        R"(2["x",18446744073709551616,-9223372036854775809,9007199254740993])",
        R"(2["x",{"_placeholder":true,"num":0}])", R"(2[1])", R"(2[1.5,"a"])", R"(2[-0])", R"(2[1e400])",
        R"(2[["x"]])", R"(2[{"a":1}])", R"(2[null])", R"(2[])", R"(2[ ])", R"(2{})", R"(2"x")", "2",
        R"(2["connect"])", R"(2["disconnect",1])", R"(2["newListener"])", R"(2["Connect"])",
        R"(2["x")", R"(2["x",])", R"(2["x"]x)", R"(2["x"]["y"])", R"(2["x"/*c*/])", "2['x']", R"(2["x",NaN])",
        "2[\"\xff\"]", "2[\"x\",\"\xc3\"]", "2[\"a\nb\"]", "2abc", too_deep, at_limit,
        "31[]", "31[ ]", R"(31[1,"a",{"b":[]}])", "31 [1] ", "31{}", "31\"x\"", "31", "3[1]", "31[1,]", "31[\"\xff\"]",
        ack_too_deep, R"(51-["x",{"_placeholder":true,"num":0}])", R"(0{"a":1})", "1", "4{\"message\":\"m\"}"};
    for (const auto input : inputs)
        check_same(input);

    protocol::decode_limits limits;
    limits.max_json_depth = 4;
    for (const std::string_view input : {R"(2["x",[[[[1]]]]])", R"(2["x",[[[[[1]]]]]])", R"(31[[[[{}]]],1])",
                                         R"(31[1,[[[[{}]]]]])", R"(2["x",{"a":{"b":{"c":{"d":[]}}}}])"})
        check_same(input, limits);
}

// A packet built to send arguments as text goes out as msgpack too, as the
// values the text stands for.
BOOST_AUTO_TEST_CASE(msgpack_encodes_the_values)
{
    socket_packet text;
    text.type = socket_packet_type::event;
    text.data = json::string("x");
    text.args_text = R"([1,"a",{"b":null}])";
    socket_packet values;
    values.type = socket_packet_type::event;
    values.data = json::array{"x", 1, "a", json::object{{"b", nullptr}}};
    BOOST_TEST(protocol::encode_msgpack_socket_packet(text) == protocol::encode_msgpack_socket_packet(values));
}

BOOST_AUTO_TEST_SUITE_END()
