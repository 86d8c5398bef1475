#include <corio/protocol/polling_payload_v3.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace protocol = corio::protocol;
namespace v3 = corio::protocol::v3;
using protocol::error;
using protocol::packet;
using protocol::packet_type;
using v3::payload_form;

BOOST_AUTO_TEST_SUITE(polling_payload_v3)

namespace {

std::string encode(const std::vector<packet>& packets, payload_form form)
{
    std::string out;
    for (const auto& p : packets)
        v3::append_to_payload(p, form, out);
    return out;
}

packet ping() { return {packet_type::ping, false, ""}; }

} // namespace

// The engine.io-protocol README's examples.
BOOST_AUTO_TEST_CASE(text_lengths_count_utf16_code_units)
{
    BOOST_TEST(encode({protocol::text_message("€")}, payload_form::text) == "2:4€");
    BOOST_TEST(encode({protocol::text_message("😀")}, payload_form::text) == "3:4😀");
    BOOST_TEST(encode({protocol::text_message("hello"), ping()}, payload_form::text) == "6:4hello1:2");
    BOOST_TEST(v3::utf16_length("a€😀") == 4u);
}

BOOST_AUTO_TEST_CASE(binary_in_text_form_is_base64)
{
    BOOST_TEST(encode({protocol::binary_message("\x01\x02\x03")}, payload_form::text) == "6:b4AQID");
}

BOOST_AUTO_TEST_CASE(binary_form_prefixes_kind_and_decimal_length)
{
    const std::string expected("\x00\x06\xff" "4hello" "\x01\x04\xff\x04\x01\x02\x03", 16);
    BOOST_TEST(encode({protocol::text_message("hello"), protocol::binary_message("\x01\x02\x03")},
                      payload_form::binary) == expected);
    // Lengths of several digits are written digit by digit; text lengths in bytes.
    const auto long_text = encode({protocol::text_message(std::string(10, 'x') + "€")}, payload_form::binary);
    BOOST_TEST(long_text.substr(0, 4) == std::string("\x00\x01\x04\xff", 4));
}

BOOST_AUTO_TEST_CASE(text_round_trip_with_non_bmp_characters)
{
    const std::vector<packet> packets{protocol::text_message("a😀€b"), ping(),
                                      protocol::binary_message(std::string("\x00\xff", 2))};
    const auto r = v3::decode_payload(encode(packets, payload_form::text), {});
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST((*r == packets));
}

BOOST_AUTO_TEST_CASE(binary_round_trip)
{
    const std::vector<packet> packets{protocol::text_message("a😀€b"), protocol::binary_message(std::string(300, '\0'))};
    const auto r = v3::decode_payload(encode(packets, payload_form::binary), {});
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST((*r == packets));
}

BOOST_AUTO_TEST_CASE(empty_packets_are_skipped)
{
    const auto r = v3::decode_payload("0:1:2", {});
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST((*r == std::vector<packet>{ping()}));
}

BOOST_AUTO_TEST_CASE(malformed_text_payloads_are_refused)
{
    BOOST_TEST((v3::decode_payload("", {}).error() == error::empty_packet));
    for (std::string_view bad : {"2", ":2", "x:2", "2:2", "3:4€", "1:4😀", "01234567890:4", "1:21"}) {
        BOOST_TEST_CONTEXT(bad) { BOOST_TEST((v3::decode_payload(bad, {}).error() == error::invalid_payload_length)); }
    }
    BOOST_TEST((v3::decode_payload("1:9", {}).error() == error::unknown_packet_type));
    BOOST_TEST((v3::decode_payload("3:b3A", {}).error() == error::unknown_packet_type));
    BOOST_TEST((v3::decode_payload("3:b4!", {}).error() == error::invalid_base64));
    BOOST_TEST((v3::decode_payload("2:4\xff", {}).error() == error::invalid_utf8));
}

BOOST_AUTO_TEST_CASE(malformed_binary_payloads_are_refused)
{
    const auto bad = [](std::string_view body) { return v3::decode_payload(body, {}).error(); };
    BOOST_TEST((bad(std::string_view("\x00\xff", 2)) == error::invalid_payload_length));       // no digits
    BOOST_TEST((bad(std::string_view("\x00\x02", 2)) == error::invalid_payload_length));       // no 0xFF
    BOOST_TEST((bad(std::string_view("\x00\x0a\xff" "4", 4)) == error::invalid_payload_length)); // digit over 9
    BOOST_TEST((bad(std::string_view("\x00\x05\xff" "4hi", 6)) == error::invalid_payload_length)); // short
    BOOST_TEST((bad(std::string_view("\x01\x02\xff\x02\x01", 5)) == error::unknown_packet_type));
    BOOST_TEST((bad(std::string_view("\x00\x02\xff" "4\xff", 5)) == error::invalid_utf8));
    BOOST_TEST((bad(std::string_view("\x00\x01\xff" "4\x07", 5)) == error::invalid_payload_length)); // trailing kind
}

BOOST_AUTO_TEST_CASE(limits_apply)
{
    protocol::decode_limits limits;
    limits.max_packets_per_payload = 2;
    BOOST_TEST((v3::decode_payload("1:21:21:2", limits).error() == error::too_many_packets));
    limits.max_payload = 4;
    BOOST_TEST((v3::decode_payload("1:21:2", limits).error() == error::payload_too_large));
}

BOOST_AUTO_TEST_CASE(websocket_packets)
{
    BOOST_TEST((*v3::decode_text_packet("b4AQID") == protocol::binary_message("\x01\x02\x03")));
    BOOST_TEST((*v3::decode_text_packet("2probe") == packet{packet_type::ping, false, "probe"}));
    BOOST_TEST((*v3::decode_binary_packet("\x04\x01") == protocol::binary_message("\x01")));
    BOOST_TEST((v3::decode_binary_packet("").error() == error::empty_packet));
    BOOST_TEST((v3::decode_binary_packet("\x02").error() == error::unknown_packet_type));
}

BOOST_AUTO_TEST_SUITE_END()
