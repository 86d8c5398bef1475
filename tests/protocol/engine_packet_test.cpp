#include <corio/protocol/engine_packet.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace protocol = corio::protocol;
using protocol::error;
using protocol::packet;
using protocol::packet_type;

BOOST_AUTO_TEST_SUITE(engine_packet)

BOOST_AUTO_TEST_CASE(encode_each_type)
{
    const std::vector<std::pair<packet, std::string_view>> cases{
        {{packet_type::open, false, R"({"sid":"abc","upgrades":["websocket"],"pingInterval":25000})"},
         R"(0{"sid":"abc","upgrades":["websocket"],"pingInterval":25000})"},
        {{packet_type::close, false, ""}, "1"},
        {{packet_type::ping, false, ""}, "2"},
        {{packet_type::ping, false, "probe"}, "2probe"},
        {{packet_type::pong, false, "probe"}, "3probe"},
        {protocol::text_message("hello"), "4hello"},
        {{packet_type::upgrade, false, ""}, "5"},
        {{packet_type::noop, false, ""}, "6"},
    };
    for (const auto& [p, text] : cases) {
        BOOST_TEST(protocol::encode_text_packet(p) == text);
        std::string out = "x";
        protocol::encode_text_packet(p, out);
        BOOST_TEST(out == "x" + std::string(text));
    }
}

BOOST_AUTO_TEST_CASE(decode_each_type)
{
    for (char c = '0'; c <= '6'; ++c) {
        const std::string text = std::string(1, c) + "data\xc3\xa9";
        const auto r = protocol::decode_text_packet(text);
        BOOST_TEST_REQUIRE(r.has_value());
        BOOST_TEST(static_cast<int>(r->type) == c - '0');
        BOOST_TEST(!r->binary);
        BOOST_TEST(r->data == "data\xc3\xa9");
    }
}

BOOST_AUTO_TEST_CASE(decode_message_without_data)
{
    const auto r = protocol::decode_text_packet("4");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST((*r == protocol::text_message("")));
}

BOOST_AUTO_TEST_CASE(socket_io_text_passes_through)
{
    // `4abc` is a valid Engine.IO message whose Socket.IO content is bad; the
    // Socket.IO decoder, not this one, rejects it.
    const auto r = protocol::decode_text_packet("4abc");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST((*r == protocol::text_message("abc")));
}

BOOST_AUTO_TEST_CASE(round_trip)
{
    for (const std::string_view text : {"0{\"sid\":\"x\"}", "2", "3probe", "42[\"a\"]", "5", "6"}) {
        const auto r = protocol::decode_text_packet(text);
        BOOST_TEST_REQUIRE(r.has_value());
        BOOST_TEST(protocol::encode_text_packet(*r) == text);
    }
}

BOOST_AUTO_TEST_CASE(binary_message_helper)
{
    const auto p = protocol::binary_message(std::string("\x00\x01", 2));
    BOOST_TEST(p.binary);
    BOOST_TEST((p.type == packet_type::message));
    BOOST_TEST(p.data.size() == 2u);
}

BOOST_AUTO_TEST_CASE(malformed_inputs)
{
    const std::vector<std::pair<std::string_view, error>> malformed{
        {"", error::empty_packet},
        {"7", error::unknown_packet_type},
        {"9hello", error::unknown_packet_type},
        {"a", error::unknown_packet_type},
        {"b", error::unknown_packet_type},
        {"bAQID", error::unknown_packet_type},
        {"/4", error::unknown_packet_type},
        {" 4hello", error::unknown_packet_type},
        {"\x1e", error::unknown_packet_type},
        {"\xff", error::unknown_packet_type},
        {std::string_view("\0", 1), error::unknown_packet_type},
    };
    for (const auto& [input, expected] : malformed) {
        BOOST_TEST_CONTEXT("input '" << input << "'")
        {
            const auto r = protocol::decode_text_packet(input);
            BOOST_TEST(r.has_error());
            BOOST_TEST(r.error() == protocol::make_error_code(expected));
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
