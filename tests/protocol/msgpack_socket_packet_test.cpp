// The msgpack parser (socket.io-msgpack-parser 3.0.x): encoding, decoding and
// what it refuses. The bytes are those the official parser writes, as given
// in its README and captured from the official client (tests/e2e checks the
// client itself against the server).

#include <corio/protocol/socket_packet.hpp>

#include <corio/protocol/attachments.hpp>
#include <corio/protocol/json_writer.hpp>

#include "hex.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace json = boost::json;
namespace protocol = corio::protocol;
using corio_test::from_hex;
using corio_test::to_hex;
using protocol::error;
using protocol::socket_packet;
using protocol::socket_packet_type;

BOOST_AUTO_TEST_SUITE(msgpack_socket_packet)

namespace {

protocol::result<std::optional<socket_packet>> decode_bytes(std::string bytes, protocol::decode_limits limits = {})
{
    protocol::socket_packet_decoder decoder(limits, protocol::socket_parser::msgpack);
    return decoder.on_binary(std::move(bytes));
}

socket_packet decode_complete(std::string_view hex)
{
    auto r = decode_bytes(from_hex(hex));
    BOOST_TEST_INFO("decoding " << hex << ": " << (r ? "" : r.error().message()));
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST_REQUIRE(r->has_value());
    return std::move(**r);
}

boost::system::error_code decode_error(std::string_view hex, protocol::decode_limits limits = {})
{
    const auto r = decode_bytes(from_hex(hex), limits);
    return r.has_error() ? r.error() : boost::system::error_code{};
}

boost::system::error_code code(error e)
{
    return protocol::make_error_code(e);
}

std::string encoded_hex(const socket_packet& p)
{
    const auto messages = protocol::encode_socket_packet_messages(p, protocol::socket_parser::msgpack);
    BOOST_TEST_REQUIRE(messages.size() == 1u);
    BOOST_TEST(messages.front().binary);
    return to_hex(messages.front().data);
}

// Bytes of the fixstr `s`, as hex.
std::string str(std::string_view s)
{
    return to_hex(std::string(1, static_cast<char>(0xa0 + s.size())) + std::string(s));
}

} // namespace

BOOST_AUTO_TEST_CASE(decodes_the_readme_example)
{
    // socket.emit("hello", "you"), as the official client writes it.
    const auto p = decode_complete("83 a474797065 02 a36e7370 a12f a464617461 92 a568656c6c6f a3796f75");
    BOOST_TEST((p.type == socket_packet_type::event));
    BOOST_TEST(p.nsp == "/");
    BOOST_TEST(!p.id);
    BOOST_TEST(protocol::to_json(*p.data) == R"(["hello","you"])");
}

BOOST_AUTO_TEST_CASE(undefined_connect_data_is_no_auth)
{
    // The official client's CONNECT without auth: data is notepack's undefined.
    const auto p = decode_complete("83 a474797065 00 a464617461 d40000 a36e7370 a12f");
    BOOST_TEST((p.type == socket_packet_type::connect));
    BOOST_TEST(!p.data);
}

BOOST_AUTO_TEST_CASE(binary_is_inline_and_becomes_attachments)
{
    // An EVENT with an ack id and a Buffer, from the reference capture.
    const auto p = decode_complete("84 a474797065 02 a464617461 92 a26576 c4020102 a36e7370 a12f a26964 07");
    BOOST_TEST((p.type == socket_packet_type::event));
    BOOST_TEST((p.id == 7u));
    BOOST_TEST(protocol::to_json(*p.data) == R"(["ev",{"_placeholder":true,"num":0}])");
    BOOST_TEST_REQUIRE(p.attachments.size() == 1u);
    BOOST_TEST(p.attachments.front() == std::string("\x01\x02", 2));
    // A Node ArrayBuffer (ext 8 of type 0) is binary too.
    const auto q = decode_complete("83 a474797065 02 a36e7370 a12f a464617461 92 a26576 c70200 0102");
    BOOST_TEST(q.attachments.front() == std::string("\x01\x02", 2));
}

BOOST_AUTO_TEST_CASE(attachments_are_the_bins_data_keeps_in_document_order)
{
    // ["ev", {"a": <01>, "b": <02>, "a": <03>}]: the repeated key takes the
    // last bin, keeping its first place, and the overwritten bin is gone.
    const auto p = decode_complete("83 a474797065 02 a36e7370 a12f a464617461 92 a26576 83 a161 c40101 a162 c40102"
                                   " a161 c40103");
    BOOST_TEST(protocol::to_json(*p.data) ==
               R"(["ev",{"a":{"_placeholder":true,"num":0},"b":{"_placeholder":true,"num":1}}])");
    BOOST_TEST_REQUIRE(p.attachments.size() == 2u);
    BOOST_TEST(p.attachments[0] == "\x03");
    BOOST_TEST(p.attachments[1] == "\x02");
    // A bin outside data is no attachment; encoding gives the same packet back.
    const auto q = decode_complete("84 a474797065 02 a36e7370 a12f a378797a c40109 a464617461 92 a26576 c40101");
    BOOST_TEST_REQUIRE(q.attachments.size() == 1u);
    BOOST_TEST(q.attachments[0] == "\x01");
    for (const auto* packet : {&p, &q})
        BOOST_TEST((decode_complete(encoded_hex(*packet)) == *packet));
}

BOOST_AUTO_TEST_CASE(encodes_as_the_official_parser_reads)
{
    BOOST_TEST(encoded_hex(socket_packet::event("/", "hello", json::array{"you"})) ==
               "83" + str("type") + "02" + str("nsp") + str("/") + str("data") + "92" + str("hello") + str("you"));
    // Binary events and acks keep their type: the bin is inline.
    auto with_binary = socket_packet::ack("/chat", 12, json::array{protocol::make_placeholder(0)}, {"\x01"});
    BOOST_TEST(encoded_hex(with_binary) == "84" + str("type") + "03" + str("nsp") + str("/chat") + str("data") + "91" +
                                               "c40101" + str("id") + "0c");
    BOOST_TEST(encoded_hex(socket_packet::disconnect("/")) == "82" + str("type") + "01" + str("nsp") + str("/"));
}

BOOST_AUTO_TEST_CASE(round_trips)
{
    const std::vector<socket_packet> packets{
        socket_packet::connect("/", json::object{{"sid", "abc"}}),
        socket_packet::connect("/admin"),
        socket_packet::connect_error("/x", json::object{{"message", "Invalid namespace"}}),
        socket_packet::disconnect("/a"),
        socket_packet::event("/", "n", json::array{1, -2, 3.5, nullptr, true, json::object{{"k", "v"}}}),
        socket_packet::event("/b", "bin", json::array{protocol::make_placeholder(0), protocol::make_placeholder(1)},
                             {std::string("\0\1", 2), std::string(300, 'x')}, 99),
        socket_packet::ack("/", 0, json::array{}),
    };
    for (const auto& p : packets) {
        const auto messages = protocol::encode_socket_packet_messages(p, protocol::socket_parser::msgpack);
        auto r = decode_bytes(messages.front().data);
        BOOST_TEST_REQUIRE(r.has_value());
        BOOST_TEST_REQUIRE(r->has_value());
        BOOST_TEST((**r == p));
    }
}

BOOST_AUTO_TEST_CASE(numeric_event_names_become_text_as_with_json)
{
    const auto p = decode_complete("83 a474797065 02 a36e7370 a12f a464617461 91 01");
    BOOST_TEST(protocol::to_json(*p.data) == R"(["1"])");
}

BOOST_AUTO_TEST_CASE(refuses_what_the_json_parser_refuses)
{
    // Not MessagePack, or trailing bytes.
    BOOST_TEST(decode_error("c1") == code(error::invalid_msgpack));
    BOOST_TEST(decode_error("82 a474797065 01 a36e7370 a12f 00") == code(error::invalid_msgpack));
    // Not a map.
    BOOST_TEST(decode_error("92 02 a12f") == code(error::invalid_payload));
    // Types 5 and 6 do not exist here; nor does a missing or string type.
    BOOST_TEST(decode_error("82 a474797065 05 a36e7370 a12f") == code(error::unknown_socket_packet_type));
    BOOST_TEST(decode_error("81 a36e7370 a12f") == code(error::unknown_socket_packet_type));
    BOOST_TEST(decode_error("82 a474797065 a132 a36e7370 a12f") == code(error::unknown_socket_packet_type));
    // The namespace is mandatory, a string, and starts with "/".
    BOOST_TEST(decode_error("81 a474797065 01") == code(error::invalid_namespace));
    BOOST_TEST(decode_error("82 a474797065 01 a36e7370 01") == code(error::invalid_namespace));
    BOOST_TEST(decode_error("82 a474797065 01 a36e7370 a161") == code(error::invalid_namespace));
    // Data of the wrong shape, and reserved event names.
    BOOST_TEST(decode_error("83 a474797065 02 a36e7370 a12f a464617461 90") == code(error::invalid_payload));
    BOOST_TEST(decode_error("83 a474797065 02 a36e7370 a12f a464617461 a178") == code(error::invalid_payload));
    BOOST_TEST(decode_error("83 a474797065 02 a36e7370 a12f a464617461 91 a7636f6e6e656374") ==
               code(error::invalid_payload));
    BOOST_TEST(decode_error("83 a474797065 01 a36e7370 a12f a464617461 90") == code(error::invalid_payload));
    // Ack ids: an ACK needs one; negative, fractional or too long ones are refused.
    BOOST_TEST(decode_error("83 a474797065 03 a36e7370 a12f a464617461 90") == code(error::invalid_ack_id));
    BOOST_TEST(decode_error("84 a474797065 03 a36e7370 a12f a464617461 90 a26964 ff") == code(error::invalid_ack_id));
    BOOST_TEST(decode_error("84 a474797065 03 a36e7370 a12f a464617461 90 a26964 cb3ff8000000000000") ==
               code(error::invalid_ack_id));
    BOOST_TEST(decode_error("84 a474797065 03 a36e7370 a12f a464617461 90 a26964 cf0de0b6b3a7640000") ==
               code(error::invalid_ack_id));
    // A placeholder-like map that points at no bin.
    BOOST_TEST(decode_error("83 a474797065 02 a36e7370 a12f a464617461 92 a178 82 ac5f706c616365686f6c646572 c3 "
                            "a36e756d 00") == code(error::invalid_placeholder));
}

BOOST_AUTO_TEST_CASE(enforces_the_decode_limits)
{
    const std::string two_bins = "83 a474797065 02 a36e7370 a12f a464617461 93 a178 c40101 c40102";
    BOOST_TEST(decode_error(two_bins, {.max_attachments = 1}) == code(error::too_many_attachments));
    BOOST_TEST(decode_error(two_bins, {.max_attachment_bytes = 1}) == code(error::attachments_too_large));
    BOOST_TEST(decode_error(two_bins, {.max_payload = 10}) == code(error::payload_too_large));
    // [[1]] is 2 deep: one over a limit of 1.
    const std::string nested = "83 a474797065 02 a36e7370 a12f a464617461 92 a178 91 91 01";
    BOOST_TEST(decode_error(nested, {.max_json_depth = 1}) == code(error::invalid_msgpack));
    BOOST_TEST(decode_error(nested, {.max_json_depth = 2}) == boost::system::error_code{});
}

BOOST_AUTO_TEST_CASE(text_messages_are_refused)
{
    protocol::socket_packet_decoder decoder({}, protocol::socket_parser::msgpack);
    const auto r = decoder.on_text(R"(42["hello"])");
    BOOST_TEST_REQUIRE(r.has_error());
    BOOST_TEST(r.error() == code(error::unexpected_text_for_msgpack));
}

BOOST_AUTO_TEST_SUITE_END()
