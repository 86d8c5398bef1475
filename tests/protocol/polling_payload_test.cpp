#include <corio/protocol/polling_payload.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace protocol = corio::protocol;
using protocol::error;
using protocol::packet;
using protocol::packet_type;

BOOST_AUTO_TEST_SUITE(polling_payload)

namespace {

const std::string_view official_payload = "4hello\x1e" "bAQIDBA==";

std::vector<packet> official_packets()
{
    return {protocol::text_message("hello"), protocol::binary_message("\x01\x02\x03\x04")};
}

} // namespace

BOOST_AUTO_TEST_CASE(encode_official_example)
{
    const auto packets = official_packets();
    BOOST_TEST(protocol::encode_payload(packets) == official_payload);
}

BOOST_AUTO_TEST_CASE(decode_official_example)
{
    const auto r = protocol::decode_payload(official_payload, {});
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST((*r == official_packets()));
}

BOOST_AUTO_TEST_CASE(append_adds_separator_only_between_packets)
{
    std::string out;
    protocol::append_to_payload({packet_type::ping, false, ""}, out);
    BOOST_TEST(out == "2");
    protocol::append_to_payload(protocol::binary_message(""), out);
    BOOST_TEST(out == "2\x1e" "b");
    protocol::append_to_payload({packet_type::noop, false, ""}, out);
    BOOST_TEST(out == "2\x1e" "b\x1e" "6");
}

BOOST_AUTO_TEST_CASE(encode_nothing)
{
    BOOST_TEST(protocol::encode_payload({}).empty());
}

BOOST_AUTO_TEST_CASE(decode_single_and_many)
{
    const auto one = protocol::decode_payload("2", {});
    BOOST_TEST_REQUIRE(one.has_value());
    BOOST_TEST_REQUIRE(one->size() == 1u);
    BOOST_TEST(((*one)[0] == packet{packet_type::ping, false, ""}));

    const auto many = protocol::decode_payload("2probe\x1e" "42[\"a\xc3\xa9\"]\x1e" "b\x1e" "1", {});
    BOOST_TEST_REQUIRE(many.has_value());
    const std::vector<packet> expected{
        {packet_type::ping, false, "probe"},
        protocol::text_message("2[\"a\xc3\xa9\"]"),
        protocol::binary_message(""),
        {packet_type::close, false, ""},
    };
    BOOST_TEST((*many == expected));
}

BOOST_AUTO_TEST_CASE(round_trip)
{
    for (const std::string_view body :
         {std::string_view("4hello\x1e" "bAQIDBA=="), std::string_view("6"),
          std::string_view("40\x1e" "42[\"x\"]\x1e" "451-[\"y\",{\"_placeholder\":true,\"num\":0}]\x1e" "b/w==")}) {
        const auto r = protocol::decode_payload(body, {});
        BOOST_TEST_REQUIRE(r.has_value());
        BOOST_TEST(protocol::encode_payload(*r) == body);
    }
}

BOOST_AUTO_TEST_CASE(unpadded_binary_segment)
{
    const auto r = protocol::decode_payload("bAQIDBA", {});
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(((*r)[0] == protocol::binary_message("\x01\x02\x03\x04")));
}

BOOST_AUTO_TEST_CASE(payload_size_limit)
{
    protocol::decode_limits limits;
    limits.max_payload = 10;
    BOOST_TEST(protocol::decode_payload("4123456789", limits).has_value());
    const auto big = protocol::decode_payload("41234567890", limits);
    BOOST_TEST(big.error() == protocol::make_error_code(error::payload_too_large));
    // The size is checked before anything else.
    const auto big_and_bad = protocol::decode_payload("x\x1e\x1e" "bad base64", limits);
    BOOST_TEST(big_and_bad.error() == protocol::make_error_code(error::payload_too_large));
}

BOOST_AUTO_TEST_CASE(packet_count_limit)
{
    protocol::decode_limits limits;
    limits.max_packets_per_payload = 2;
    BOOST_TEST(protocol::decode_payload("4a\x1e" "4b", limits).has_value());
    const auto three = protocol::decode_payload("4a\x1e" "4b\x1e" "4c", limits);
    BOOST_TEST(three.error() == protocol::make_error_code(error::too_many_packets));
    // Counted before any segment is decoded.
    const auto three_bad = protocol::decode_payload("4a\x1e" "4b\x1e" "x", limits);
    BOOST_TEST(three_bad.error() == protocol::make_error_code(error::too_many_packets));
}

BOOST_AUTO_TEST_CASE(malformed_inputs)
{
    const std::vector<std::pair<std::string_view, error>> malformed{
        {"", error::empty_packet},
        {"\x1e", error::empty_packet},
        {"4a\x1e", error::empty_packet},
        {"\x1e" "4a", error::empty_packet},
        {"4a\x1e\x1e" "4b", error::empty_packet},
        {"x", error::unknown_packet_type},
        {"4a\x1e" "9", error::unknown_packet_type},
        {"4a\x1e" " 4b", error::unknown_packet_type},
        {"B", error::unknown_packet_type},
        {"bA", error::invalid_base64},
        {"b!!!!", error::invalid_base64},
        {"4a\x1e" "bZg=", error::invalid_base64},
        {"bAQIDBA=\x1e" "4a", error::invalid_base64},
        {"b AQIDBA==", error::invalid_base64},
    };
    for (const auto& [input, expected] : malformed) {
        BOOST_TEST_CONTEXT("input '" << input << "'")
        {
            const auto r = protocol::decode_payload(input, {});
            BOOST_TEST(r.has_error());
            BOOST_TEST(r.error() == protocol::make_error_code(expected));
        }
    }
}

BOOST_AUTO_TEST_CASE(text_that_is_not_utf8_is_refused)
{
    // The POST body of tests/fuzz/corpus/session/crash-733ca769…: a CONNECT
    // whose namespace is not UTF-8. Once the session upgraded, the server's
    // CONNECT_ERROR naming that namespace went out as a text frame that was
    // not UTF-8, which WebSocket forbids.
    const std::string fuzz_body("40/a\x9c\x92\x96\x91\xd3\x84\xdd\x91oken\":\"secret\"}");
    const std::vector<std::string_view> refused{
        fuzz_body,
        "4\xff",
        "4caf\xc3",                  // cut short
        "4\xed\xa0\x80",             // a surrogate
        "4ok\x1e" "4\xc0\x80",       // overlong, in the second packet
    };
    for (const auto input : refused) {
        BOOST_TEST_CONTEXT("input '" << input << "'")
        {
            const auto r = protocol::decode_payload(input, {});
            BOOST_TEST(r.has_error());
            BOOST_TEST(r.error() == protocol::make_error_code(error::invalid_utf8));
        }
    }
    // UTF-8 text, and binary packets (base64, whatever their bytes), pass.
    const auto r = protocol::decode_payload("4caf\xc3\xa9 \xf0\x9f\x98\x80\x1e" "b/w==", {});
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->at(0).data == "caf\xc3\xa9 \xf0\x9f\x98\x80");
    BOOST_TEST(r->at(1).data == "\xff");
}

BOOST_AUTO_TEST_SUITE_END()
