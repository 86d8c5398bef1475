#include <corio/protocol/socket_packet.hpp>

#include <corio/protocol/attachments.hpp>
#include <corio/protocol/engine_packet.hpp>
#include <corio/protocol/json_writer.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace json = boost::json;
namespace protocol = corio::protocol;
using protocol::error;
using protocol::socket_packet;
using protocol::socket_packet_type;

BOOST_AUTO_TEST_SUITE(socket_packet_codec)

// The CONNECT answer written directly is the packet's own encoding, byte for
// byte, whatever the namespace, sid and pid hold.
BOOST_AUTO_TEST_CASE(connect_answer_written_directly_matches_the_packet)
{
    const char* namespaces[] = {"/", "", "/admin", "/a,b", "/caf\xc3\xa9"};
    const char* ids[] = {"AAAAAAAAAAAAAAAAAAAA", "a-_9zZ", "q\"uote\\back\nline\x01\x7f", "\xe2\x82\xac\xff"};
    for (const char* nsp : namespaces)
        for (const char* sid : ids)
            for (const char* pid : {"", "pid-1", "p\"\x1f"}) {
                BOOST_TEST_CONTEXT(nsp << " " << sid << " " << pid)
                {
                    json::object answer{{"sid", sid}};
                    if (*pid)
                        answer["pid"] = pid;
                    const auto expected = protocol::encode_socket_packet(socket_packet::connect(nsp, answer));
                    BOOST_TEST(protocol::encode_connect_answer(nsp, sid, pid) == expected);
                }
            }
}

namespace {

protocol::result<std::optional<socket_packet>> decode(std::string_view text, protocol::decode_limits limits = {})
{
    protocol::socket_packet_decoder decoder(limits);
    return decoder.on_text(text);
}

// Decodes a packet that must be complete after its text message.
socket_packet decode_complete(std::string_view text)
{
    auto r = decode(text);
    BOOST_TEST_INFO("decoding " << text << ": " << r.error().message());
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST_REQUIRE(r->has_value());
    return std::move(**r);
}

boost::system::error_code decode_error(std::string_view text, protocol::decode_limits limits = {})
{
    const auto r = decode(text, limits);
    return r.has_error() ? r.error() : boost::system::error_code{};
}

boost::system::error_code code(error e)
{
    return protocol::make_error_code(e);
}

socket_packet make(socket_packet_type type, std::string nsp, std::optional<std::uint64_t> id,
                   std::optional<json::value> data, std::vector<std::string> attachments = {})
{
    return {type, std::move(nsp), id, std::move(data), std::move(attachments)};
}

} // namespace

BOOST_AUTO_TEST_CASE(encode_examples)
{
    BOOST_TEST(protocol::encode_socket_packet(make(socket_packet_type::connect, "/", {}, {})) == "0");
    BOOST_TEST(protocol::encode_socket_packet(
                   make(socket_packet_type::connect, "/custom", {}, json::object{{"sid", "x"}}))
               == R"(0/custom,{"sid":"x"})");
    BOOST_TEST(protocol::encode_socket_packet(make(socket_packet_type::connect_error, "/random", {},
                                                   json::object{{"message", "Invalid namespace"}}))
               == R"(4/random,{"message":"Invalid namespace"})");
    BOOST_TEST(protocol::encode_socket_packet(make(socket_packet_type::event, "/", 456, json::array{1, "2"}))
               == R"(2456[1,"2"])");
    BOOST_TEST(protocol::encode_socket_packet(make(socket_packet_type::disconnect, "/admin", {}, {})) == "1/admin,");
    BOOST_TEST(protocol::encode_socket_packet(make(socket_packet_type::event, "", {}, json::array{"x"}))
               == R"(2["x"])");
}

BOOST_AUTO_TEST_CASE(encode_binary_event)
{
    const auto p = make(socket_packet_type::binary_event, "/", 789,
                        json::array{"message", protocol::make_placeholder(0), protocol::make_placeholder(1)},
                        {"\x01\x02", "\x03"});
    BOOST_TEST(protocol::encode_socket_packet(p)
               == R"(52-789["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])");
}

BOOST_AUTO_TEST_CASE(encode_event_with_attachments_as_binary)
{
    auto p = make(socket_packet_type::event, "/chat", {}, json::array{"x", protocol::make_placeholder(0)}, {"b"});
    BOOST_TEST(protocol::encode_socket_packet(p) == R"(51-/chat,["x",{"_placeholder":true,"num":0}])");
    p.type = socket_packet_type::ack;
    p.id = 7;
    p.data = json::array{protocol::make_placeholder(0)};
    BOOST_TEST(protocol::encode_socket_packet(p) == R"(61-/chat,7[{"_placeholder":true,"num":0}])");
}

BOOST_AUTO_TEST_CASE(encode_shared_carries_compress_to_every_message)
{
    auto p = make(socket_packet_type::event, "/", {}, json::array{"x", protocol::make_placeholder(0)}, {"b"});
    for (const auto& m : *protocol::encode_shared(p))
        BOOST_TEST(m.compress);
    const auto uncompressed = protocol::encode_shared(p, protocol::socket_parser::json, false);
    BOOST_TEST(uncompressed->size() == 2u);
    for (const auto& m : *uncompressed)
        BOOST_TEST(!m.compress);
}

BOOST_AUTO_TEST_CASE(encoding_a_packet_taken_moves_its_attachments)
{
    const std::string big(100000, 'z');
    auto p = make(socket_packet_type::ack, "/", 3,
                  json::array{protocol::make_placeholder(0), protocol::make_placeholder(1)}, {big, "small"});
    const auto copied = protocol::encode_socket_packet_messages(p);
    const char* bytes = p.attachments[0].data();
    const auto moved = protocol::encode_socket_packet_messages(std::move(p));
    BOOST_TEST((moved == copied), "the same messages");
    BOOST_TEST_REQUIRE(moved.size() == 3u);
    BOOST_TEST((moved[1].data.data() == bytes), "the attachment's bytes, not a copy");
    auto q = make(socket_packet_type::ack, "/", 4, json::array{protocol::make_placeholder(0)}, {big});
    bytes = q.attachments[0].data();
    const auto shared = protocol::encode_shared(std::move(q), protocol::socket_parser::json, false);
    BOOST_TEST((shared->at(1).data.data() == bytes));
    BOOST_TEST(!shared->at(1).compress);
}

BOOST_AUTO_TEST_CASE(decode_event)
{
    // The official `42[...]` without its Engine.IO message digit, which the
    // engine layer strips (decode_through_engine_layer feeds both layers).
    const auto p = decode_complete(R"(2["message",1,"2",{"3":[true]}])");
    BOOST_TEST((p == make(socket_packet_type::event, "/", {}, json::parse(R"(["message",1,"2",{"3":[true]}])"))));
}

BOOST_AUTO_TEST_CASE(decode_through_engine_layer)
{
    const auto message = protocol::decode_text_packet(R"(42["message",1,"2",{"3":[true]}])");
    BOOST_TEST_REQUIRE(message.has_value());
    const auto p = decode_complete(message->data);
    BOOST_TEST((p.type == socket_packet_type::event));
    BOOST_TEST(protocol::to_json(*p.data) == R"(["message",1,"2",{"3":[true]}])");

    // `4abc`: a fine Engine.IO message, but "abc" has no Socket.IO type.
    const auto bad = protocol::decode_text_packet("4abc");
    BOOST_TEST_REQUIRE(bad.has_value());
    BOOST_TEST(decode_error(bad->data) == code(error::unknown_socket_packet_type));
}

BOOST_AUTO_TEST_CASE(decode_event_with_ack_and_answer)
{
    const auto p = decode_complete(R"(2456["message-with-ack",1,"2",{"3":[false]}])");
    BOOST_TEST((p.type == socket_packet_type::event));
    BOOST_TEST_REQUIRE(p.id.has_value());
    BOOST_TEST(*p.id == 456u);
    BOOST_TEST(protocol::to_json(*p.data) == R"(["message-with-ack",1,"2",{"3":[false]}])");

    const auto answer = make(socket_packet_type::ack, p.nsp, p.id, json::parse(R"([1,"2",{"3":[false]}])"));
    BOOST_TEST("4" + protocol::encode_socket_packet(answer) == R"(43456[1,"2",{"3":[false]}])");
}

BOOST_AUTO_TEST_CASE(decode_binary_event)
{
    protocol::socket_packet_decoder decoder;
    auto r = decoder.on_text(R"(52-["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(!r->has_value());
    BOOST_TEST(decoder.awaiting_attachments());

    r = decoder.on_binary("\x01\x02\x03");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(!r->has_value());
    BOOST_TEST(decoder.awaiting_attachments());

    r = decoder.on_binary("\x04\x05");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST_REQUIRE(r->has_value());
    BOOST_TEST(!decoder.awaiting_attachments());

    const auto& p = **r;
    BOOST_TEST((p.type == socket_packet_type::binary_event));
    BOOST_TEST(p.nsp == "/");
    BOOST_TEST(!p.id.has_value());
    BOOST_TEST_REQUIRE(p.attachments.size() == 2u);
    BOOST_TEST(p.attachments[0] == "\x01\x02\x03");
    BOOST_TEST(p.attachments[1] == "\x04\x05");
    BOOST_TEST(protocol::to_json(*p.data)
               == R"(["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])");
    BOOST_TEST(protocol::encode_socket_packet(p)
               == R"(52-["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])");

    // The decoder is ready for the next packet.
    BOOST_TEST(decoder.on_text(R"(2["next"])").has_value());
}

BOOST_AUTO_TEST_CASE(decode_binary_ack_in_namespace)
{
    protocol::socket_packet_decoder decoder;
    auto r = decoder.on_text(R"(61-/chat,789[{"_placeholder":true,"num":0}])");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(!r->has_value());
    r = decoder.on_binary(std::string("\x00", 1));
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST_REQUIRE(r->has_value());
    BOOST_TEST(((**r) == make(socket_packet_type::binary_ack, "/chat", 789, json::array{protocol::make_placeholder(0)},
                              {std::string("\x00", 1)})));
}

BOOST_AUTO_TEST_CASE(binary_packet_without_attachments_completes_at_once)
{
    protocol::socket_packet_decoder decoder;
    const auto r = decoder.on_text(R"(50-["x"])");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST_REQUIRE(r->has_value());
    BOOST_TEST(((*r)->type == socket_packet_type::binary_event));
    BOOST_TEST(!decoder.awaiting_attachments());
    BOOST_TEST(protocol::encode_socket_packet(**r) == R"(50-["x"])");
}

BOOST_AUTO_TEST_CASE(namespaces)
{
    BOOST_TEST((decode_complete("0/random") == make(socket_packet_type::connect, "/random", {}, {})));
    BOOST_TEST((decode_complete("0/random,") == make(socket_packet_type::connect, "/random", {}, {})));
    BOOST_TEST((decode_complete(R"(0/custom,{"token":"abc"})")
                == make(socket_packet_type::connect, "/custom", {}, json::object{{"token", "abc"}})));
    BOOST_TEST((decode_complete("0") == make(socket_packet_type::connect, "/", {}, {})));
    BOOST_TEST((decode_complete("1/admin,") == make(socket_packet_type::disconnect, "/admin", {}, {})));
    BOOST_TEST((decode_complete(R"(2/a/b,12["x"])") == make(socket_packet_type::event, "/a/b", 12, json::array{"x"})));
    BOOST_TEST((decode_complete(R"(4"not allowed")")
                == make(socket_packet_type::connect_error, "/", {}, json::string("not allowed"))));
}

BOOST_AUTO_TEST_CASE(round_trips)
{
    for (const std::string_view text : {
             "0",
             "0/random,",
             R"(0/custom,{"token":"abc"})",
             "1",
             "1/admin,",
             R"(2["message",1,"2",{"3":[true]}])",
             R"(2456["message-with-ack",1,"2",{"3":[false]}])",
             R"(3456[1,"2",{"3":[false]}])",
             R"(2/chat,7["x",1.5,-0.25,1e+21,null])",
             R"(4{"message":"Invalid namespace"})",
             R"(4/random,{"message":"Invalid namespace"})",
             R"(2["\u0000\"é"])",
         })
        BOOST_TEST(protocol::encode_socket_packet(decode_complete(text)) == text);

    // Binary packets, with their attachments.
    for (const std::string_view text : {
             R"(52-["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])",
             R"(52-789["message",{"_placeholder":true,"num":1},{"nested":[{"_placeholder":true,"num":0}]}])",
             R"(61-/chat,3[{"_placeholder":true,"num":0}])",
         }) {
        protocol::socket_packet_decoder decoder;
        auto r = decoder.on_text(text);
        while (r && !r->has_value())
            r = decoder.on_binary("bytes");
        BOOST_TEST_REQUIRE(r.has_value());
        BOOST_TEST(protocol::encode_socket_packet(**r) == text);
    }
}

BOOST_AUTO_TEST_CASE(payload_shapes)
{
    const std::vector<std::pair<std::string_view, error>> cases{
        {"0[]", error::invalid_payload},
        {R"(0"token")", error::invalid_payload},
        {"0null", error::invalid_payload},
        {"1{}", error::invalid_payload},
        {"1[]", error::invalid_payload},
        {"2", error::invalid_payload},
        {"2/chat,", error::invalid_payload},
        {"21", error::invalid_payload},
        {"2[]", error::invalid_payload},
        {"2{}", error::invalid_payload},
        {R"(2"message")", error::invalid_payload},
        {"2[null]", error::invalid_payload},
        {R"(2[["x"]])", error::invalid_payload},
        {"31{}", error::invalid_payload},
        {"31", error::invalid_payload},
        {"4", error::invalid_payload},
        {"4[]", error::invalid_payload},
        {"41", error::invalid_payload},
        {"50-[]", error::invalid_payload},
        {"60-1", error::invalid_payload},
    };
    for (const auto& [input, expected] : cases)
        BOOST_TEST_CONTEXT("input " << input) { BOOST_TEST(decode_error(input) == code(expected)); }
    BOOST_TEST(decode(R"(0{})").has_value());
    BOOST_TEST(decode(R"(31[])").has_value());
    BOOST_TEST(decode(R"(2[""])").has_value());
}

BOOST_AUTO_TEST_CASE(reserved_event_names)
{
    for (const std::string_view name :
         {"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"}) {
        BOOST_TEST(protocol::is_reserved_event_name(name));
        const std::string text = "2[\"" + std::string(name) + "\"]";
        BOOST_TEST_CONTEXT("input " << text) { BOOST_TEST(decode_error(text) == code(error::invalid_payload)); }
        const std::string binary = "50-[\"" + std::string(name) + "\"]";
        BOOST_TEST_CONTEXT("input " << binary) { BOOST_TEST(decode_error(binary) == code(error::invalid_payload)); }
    }
    for (const std::string_view name : {"message", "Connect", "connect ", "", "disconnected", "error"})
        BOOST_TEST(!protocol::is_reserved_event_name(name));
}

BOOST_AUTO_TEST_CASE(numeric_event_names)
{
    // socket.io-parser accepts a number as the event name; Node dispatches it
    // under String(n), which is the name the decoder gives it.
    const std::vector<std::pair<std::string_view, std::string_view>> cases{
        {"2[1,2]", "1"},
        {"2[-3]", "-3"},
        {"2[1.5]", "1.5"},
        {"2[1.0]", "1"},
        {"2[-0]", "0"},
        {"2[1e21]", "1e+21"},
        {"2[1e-7]", "1e-7"},
        {"2[9007199254740993]", "9007199254740992"},
        {"2[18446744073709551615]", "18446744073709552000"},
        {"2[1e400]", "Infinity"},
        {"2[-1e400]", "-Infinity"},
    };
    for (const auto& [input, name] : cases) {
        BOOST_TEST_CONTEXT("input " << input)
        {
            const auto p = decode_complete(input);
            BOOST_TEST(p.data->as_array().front() == json::value(json::string(name)));
        }
    }
    const auto with_args = decode_complete("2/chat,7[42,\"x\"]");
    BOOST_TEST(protocol::to_json(*with_args.data) == R"(["42","x"])");
    BOOST_TEST(*with_args.id == 7u);
    const auto binary = decode_complete("50-[12]");
    BOOST_TEST(binary.data->as_array().front() == json::value("12"));
    // Only strings and numbers: socket.io refuses the rest too.
    for (const std::string_view bad : {"2[true]", "2[null]", "2[{}]", "2[[1]]"})
        BOOST_TEST_CONTEXT("input " << bad) { BOOST_TEST(decode_error(bad) == code(error::invalid_payload)); }
}

BOOST_AUTO_TEST_CASE(ack_id_limits)
{
    const auto fifteen = decode_complete(R"(2999999999999999["x"])");
    BOOST_TEST(*fifteen.id == 999999999999999u);
    BOOST_TEST(decode_error(R"(21234567890123456["x"])") == code(error::invalid_ack_id));

    protocol::decode_limits limits;
    limits.max_ack_id_digits = 3;
    BOOST_TEST(decode(R"(2123["x"])", limits).has_value());
    BOOST_TEST(decode_error(R"(21234["x"])", limits) == code(error::invalid_ack_id));

    // A generous digit limit still cannot overflow the id.
    limits.max_ack_id_digits = 40;
    const auto max = decode(R"(218446744073709551615["x"])", limits);
    BOOST_TEST_REQUIRE(max.has_value());
    BOOST_TEST(*(*max)->id == 18446744073709551615u);
    BOOST_TEST(decode_error(R"(218446744073709551616["x"])", limits) == code(error::invalid_ack_id));
    BOOST_TEST(decode_error(R"(299999999999999999999999["x"])", limits) == code(error::invalid_ack_id));
}

BOOST_AUTO_TEST_CASE(attachment_count_limits)
{
    protocol::decode_limits limits;
    limits.max_attachments = 2;
    protocol::socket_packet_decoder decoder(limits);
    BOOST_TEST(decoder.on_text(R"(52-["x"])").has_value());
    BOOST_TEST(decoder.awaiting_attachments());

    protocol::socket_packet_decoder strict(limits);
    const auto r = strict.on_text(R"(53-["x"])");
    BOOST_TEST(r.error() == code(error::too_many_attachments));
    BOOST_TEST(!strict.awaiting_attachments());

    BOOST_TEST(decode_error(R"(5257-["x"])") == code(error::too_many_attachments));
    BOOST_TEST(decode_error(R"(599999999999999999999999-["x"])") == code(error::invalid_attachment_count));
}

BOOST_AUTO_TEST_CASE(json_depth_limit)
{
    protocol::decode_limits limits;
    limits.max_json_depth = 4;
    // The limit counts an argument's nesting; the event's or ack's own array
    // (holding the name and arguments) does not count.
    BOOST_TEST(decode(R"(2["x",[[[[1]]]]])", limits).has_value());
    BOOST_TEST(decode(R"(2["x",{"a":{"b":{"c":{}}}}])", limits).has_value());
    BOOST_TEST(decode(R"(31[[[[{}]]],1])", limits).has_value());
    BOOST_TEST(decode_error(R"(2["x",[[[[[1]]]]]])", limits) == code(error::json_too_deep));
    BOOST_TEST(decode_error(R"(2["x",{"a":{"b":{"c":{"d":[]}}}}])", limits) == code(error::json_too_deep));
    BOOST_TEST(decode_error(R"(31[1,[[[[{}]]]]])", limits) == code(error::json_too_deep));
    // CONNECT's auth object is the value itself.
    BOOST_TEST(decode(R"(0{"a":{"b":{"c":{}}}})", limits).has_value());
    BOOST_TEST(decode_error(R"(0{"a":{"b":{"c":{"d":{}}}}})", limits) == code(error::json_too_deep));

    // The default limit, at it and against a hostile nesting.
    const std::size_t limit = protocol::decode_limits{}.max_json_depth;
    const std::string at_limit = "2[\"x\"," + std::string(limit, '[') + std::string(limit, ']') + "]";
    BOOST_TEST(decode(at_limit).has_value());
    const std::string over_limit = "2[\"x\"," + std::string(limit + 1, '[') + std::string(limit + 1, ']') + "]";
    BOOST_TEST(decode_error(over_limit) == code(error::json_too_deep));
    const std::string deep = "2[\"x\"," + std::string(100'000, '[') + std::string(100'000, ']') + "]";
    BOOST_TEST(decode_error(deep) == code(error::json_too_deep));
}

BOOST_AUTO_TEST_CASE(exact_doubles)
{
    // Boost.JSON 1.81's own parser read this as -2.5000000000000003e-300.
    const auto p = decode_complete(R"(2["x",-2.5e-300,0.1,5e-324,1.7976931348623157e+308,1e+21,123456789012345680000])");
    BOOST_TEST(p.data->as_array()[1].as_double() == -2.5e-300);
    BOOST_TEST(protocol::encode_socket_packet(p)
               == R"(2["x",-2.5e-300,0.1,5e-324,1.7976931348623157e+308,1e+21,123456789012345680000])");
}

BOOST_AUTO_TEST_CASE(message_size_limit)
{
    protocol::decode_limits limits;
    limits.max_payload = 8;
    BOOST_TEST(decode(R"(2["abc"])", limits).has_value());
    BOOST_TEST(decode_error(R"(2["abcd"])", limits) == code(error::payload_too_large));

    protocol::socket_packet_decoder decoder(limits);
    BOOST_TEST(decoder.on_text(R"(51-["x"])").has_value());
    const auto r = decoder.on_binary("123456789");
    BOOST_TEST(r.error() == code(error::payload_too_large));
    BOOST_TEST(!decoder.awaiting_attachments());
}

BOOST_AUTO_TEST_CASE(attachment_bytes_limit)
{
    protocol::decode_limits limits;
    limits.max_attachment_bytes = 10;
    const std::string_view text = R"(53-["x",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1},)"
                                  R"({"_placeholder":true,"num":2}])";
    // Exactly at the bound: complete.
    protocol::socket_packet_decoder decoder(limits);
    BOOST_TEST(decoder.on_text(text).has_value());
    BOOST_TEST(decoder.on_binary("1234").has_value());
    BOOST_TEST(decoder.on_binary("1234").has_value());
    const auto done = decoder.on_binary("12");
    BOOST_TEST_REQUIRE(done.has_value());
    BOOST_TEST(done->has_value());

    // One byte over, on the attachment that crosses it: refused, and the
    // decoder holds nothing more.
    BOOST_TEST(decoder.on_text(text).has_value());
    BOOST_TEST(decoder.on_binary("1234").has_value());
    BOOST_TEST(decoder.on_binary("1234").has_value());
    BOOST_TEST(decoder.on_binary("123").error() == code(error::attachments_too_large));
    BOOST_TEST(!decoder.awaiting_attachments());
    // The count starts afresh for the next packet.
    BOOST_TEST(decoder.on_text(text).has_value());
    BOOST_TEST(decoder.on_binary("1234567890").has_value());
    BOOST_TEST(decoder.on_binary("").has_value());
    BOOST_TEST(decoder.on_binary("1").error() == code(error::attachments_too_large));
    BOOST_TEST(decoder.on_text(R"(51-["x",{"_placeholder":true,"num":0}])").has_value());
    const auto next = decoder.on_binary("1234567890");
    BOOST_TEST_REQUIRE(next.has_value());
    BOOST_TEST(next->has_value());
}

BOOST_AUTO_TEST_CASE(text_while_awaiting_attachments)
{
    protocol::socket_packet_decoder decoder;
    BOOST_TEST(decoder.on_text(R"(52-["x",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])").has_value());
    BOOST_TEST(decoder.on_binary("one").has_value());
    const auto r = decoder.on_text(R"(2["y"])");
    BOOST_TEST(r.error() == code(error::unexpected_text));
    // Reset: the next packet decodes on its own, and stray binary is refused.
    BOOST_TEST(!decoder.awaiting_attachments());
    BOOST_TEST(decoder.on_binary("two").error() == code(error::unexpected_binary));
    const auto next = decoder.on_text(R"(2["y"])");
    BOOST_TEST_REQUIRE(next.has_value());
    BOOST_TEST(next->has_value());
}

BOOST_AUTO_TEST_CASE(binary_when_none_awaited)
{
    protocol::socket_packet_decoder decoder;
    BOOST_TEST(decoder.on_binary("\x01").error() == code(error::unexpected_binary));
    BOOST_TEST(decoder.on_text(R"(2["x"])").has_value());
    BOOST_TEST(decoder.on_binary("\x01").error() == code(error::unexpected_binary));
}

BOOST_AUTO_TEST_CASE(placeholder_out_of_range)
{
    protocol::socket_packet_decoder decoder;
    BOOST_TEST(decoder.on_text(R"(51-["x",{"_placeholder":true,"num":1}])").has_value());
    const auto r = decoder.on_binary("only one");
    BOOST_TEST(r.error() == code(error::invalid_placeholder));
    BOOST_TEST(!decoder.awaiting_attachments());

    BOOST_TEST(decode_error(R"(50-["x",{"_placeholder":true,"num":0}])") == code(error::invalid_placeholder));
    BOOST_TEST(decode_error(R"(50-["x",{"_placeholder":true}])") == code(error::invalid_placeholder));
    // In a plain event, placeholder-looking JSON is just JSON, as in socket.io.
    BOOST_TEST(decode(R"(2["x",{"_placeholder":true,"num":0}])").has_value());
    BOOST_TEST(decode(R"(2["x",{"_placeholder":true}])").has_value());
    // Not a placeholder: `_placeholder` must be the boolean true.
    BOOST_TEST(decode(R"(2["x",{"_placeholder":"true","num":0}])").has_value());
}

BOOST_AUTO_TEST_CASE(decoder_recovers_after_every_error)
{
    protocol::socket_packet_decoder decoder;
    for (const std::string_view bad : {"", "9", "5x-", "2abc", R"(2["connect"])", R"(51-["x"])"}) {
        (void)decoder.on_text(bad);
        (void)decoder.on_text(R"(2["x")");
        BOOST_TEST(!decoder.awaiting_attachments());
        const auto r = decoder.on_text(R"(2["ok"])");
        BOOST_TEST_REQUIRE(r.has_value());
        BOOST_TEST(r->has_value());
    }
}

BOOST_AUTO_TEST_CASE(malformed_inputs)
{
    const std::size_t over = protocol::decode_limits{}.max_json_depth + 1;
    const std::string too_deep = "2[\"x\"," + std::string(over, '[') + std::string(over, ']') + "]";
    const std::vector<std::pair<std::string_view, error>> malformed{
        // type
        {"", error::empty_packet},
        {"7", error::unknown_socket_packet_type},
        {"9[\"x\"]", error::unknown_socket_packet_type},
        {"abc", error::unknown_socket_packet_type},
        {"-1", error::unknown_socket_packet_type},
        {"/chat,", error::unknown_socket_packet_type},
        {"[\"x\"]", error::unknown_socket_packet_type},
        // attachment count
        {"5", error::invalid_attachment_count},
        {"6", error::invalid_attachment_count},
        {"5-[\"x\"]", error::invalid_attachment_count},
        {"51[\"x\"]", error::invalid_attachment_count},
        {"51", error::invalid_attachment_count},
        {"5a-[\"x\"]", error::invalid_attachment_count},
        {"5 1-[\"x\"]", error::invalid_attachment_count},
        {"5+1-[\"x\"]", error::invalid_attachment_count},
        {"599999999999999999999999-[\"x\"]", error::invalid_attachment_count},
        {"51000-[\"x\"]", error::too_many_attachments},
        // ack id
        {"21234567890123456[\"x\"]", error::invalid_ack_id},
        {"3[1]", error::invalid_ack_id},
        {"3/chat,[1]", error::invalid_ack_id},
        {"61-[{\"_placeholder\":true,\"num\":0}]", error::invalid_ack_id},
        // JSON
        {"2abc[\"message-with-ack\"]", error::invalid_json},
        {"2abc", error::invalid_json},
        {"21abc", error::invalid_json},
        {"2[\"x\"", error::invalid_json},
        {"2[\"x\",]", error::invalid_json},
        {"2[\"x\"]x", error::invalid_json},
        {"2[\"x\"][\"y\"]", error::invalid_json},
        {"2[\"x\"/*c*/]", error::invalid_json},
        {"2['x']", error::invalid_json},
        {"2[\"x\",NaN]", error::invalid_json},
        {"2[\"\xff\"]", error::invalid_json},
        {"2[\"\xc3\"]", error::invalid_json},
        {"2[\"a\nb\"]", error::invalid_json},
        {"0/custom,{", error::invalid_json},
        {"0/custom,{\"a\":}", error::invalid_json},
        {too_deep, error::json_too_deep},
        // shape
        {"2{}", error::invalid_payload},
        {"2[]", error::invalid_payload},
        {"2[\"disconnect\"]", error::invalid_payload},
        {"1{\"reason\":\"x\"}", error::invalid_payload},
        {"0[\"x\"]", error::invalid_payload},
        {"4", error::invalid_payload},
        // placeholders
        {"50-[\"x\",{\"_placeholder\":true,\"num\":0}]", error::invalid_placeholder},
        {"50-[\"x\",{\"_placeholder\":true,\"num\":-1}]", error::invalid_placeholder},
    };
    for (const auto& [input, expected] : malformed) {
        BOOST_TEST_CONTEXT("input '" << input << "'")
        {
            protocol::socket_packet_decoder decoder;
            const auto r = decoder.on_text(input);
            BOOST_TEST(r.has_error());
            BOOST_TEST(r.error() == code(expected));
            BOOST_TEST(!decoder.awaiting_attachments());
        }
    }

    // Through both layers, as the official suite writes them.
    for (const std::string_view input : {"4abc", "42{}", "42abc[\"message-with-ack\"]", "42[\"connect\"]"}) {
        BOOST_TEST_CONTEXT("engine message '" << input << "'")
        {
            const auto message = protocol::decode_text_packet(input);
            BOOST_TEST_REQUIRE(message.has_value());
            BOOST_TEST(decode(message->data).has_error());
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
