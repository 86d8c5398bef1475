// The Redis adapter's messages against bytes Node's adapter and emitter put
// on Redis (shared reference §1.9, captured from @socket.io/redis-adapter
// 8.3.0 and @socket.io/redis-emitter 5.1.0 with notepack.io 3.0.1).

#include "adapter_wire.hpp"

#include <corio/protocol/msgpack.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

namespace wire = corio::redis::wire;
namespace json = boost::json;

namespace {

/// Bytes from a readable form: `"text"` is the text's bytes, anything else
/// is hex.
std::string bytes(std::initializer_list<std::string_view> parts)
{
    std::string out;
    for (auto p : parts) {
        if (!p.empty() && p.front() == '"') {
            out.append(p.substr(1, p.size() - 2));
            continue;
        }
        for (std::size_t i = 0; i + 1 < p.size(); i += 2)
            out += static_cast<char>(std::stoi(std::string(p.substr(i, 2)), nullptr, 16));
    }
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(adapter_wire)

BOOST_AUTO_TEST_CASE(channel_names_are_nodes)
{
    wire::channels c("socket.io", "/", "Ab3x_9");
    BOOST_TEST(c.broadcast == "socket.io#/#");
    BOOST_TEST(c.broadcast_pattern == "socket.io#/#*");
    BOOST_TEST(c.request == "socket.io-request#/#");
    BOOST_TEST(c.response == "socket.io-response#/#");
    BOOST_TEST(c.own_response == "socket.io-response#/#Ab3x_9#");
    BOOST_TEST(c.response_channel_of("q1w2e3") == "socket.io-response#/#q1w2e3#");

    corio::broadcast_options one_room{.rooms = {"room1"}};
    BOOST_TEST(c.broadcast_channel(one_room) == "socket.io#/#room1#");
    corio::broadcast_options two_rooms{.rooms = {"a", "b"}};
    BOOST_TEST(c.broadcast_channel(two_rooms) == "socket.io#/#");
    BOOST_TEST(c.broadcast_channel({}) == "socket.io#/#");

    // A namespace with glob characters matches itself only.
    wire::channels odd("socket.io", "/a*b?[c]\\", "Ab3x_9");
    BOOST_TEST(odd.broadcast_pattern == "socket.io#/a\\*b\\?\\[c\\]\\\\#*");
}

BOOST_AUTO_TEST_CASE(decodes_the_emitters_broadcast)
{
    auto payload = bytes({"93", "a7", "\"emitter\"", "83", "a4", "\"type\"", "02", "a4", "\"data\"", "92", "a5",
                          "\"hello\"", "a5", "\"world\"", "a3", "\"nsp\"", "a1", "\"/\"", "83", "a5", "\"rooms\"", "91",
                          "a5", "\"room1\"", "a5", "\"flags\"", "80", "a6", "\"except\"", "90"});
    auto m = wire::decode_broadcast(payload, "/");
    BOOST_TEST_REQUIRE(m.has_value());
    BOOST_TEST(m->uid == "emitter");
    BOOST_TEST(json::serialize(*m->packet.data) == R"(["hello","world"])");
    BOOST_TEST(m->packet.nsp == "/");
    BOOST_TEST(m->opts.rooms == std::set<std::string>{"room1"});
    BOOST_TEST(m->opts.except.empty());
    BOOST_TEST(!m->opts.is_volatile);

    // Another namespace's packet is not ours.
    BOOST_TEST(!wire::decode_broadcast(payload, "/chat").has_value());
}

BOOST_AUTO_TEST_CASE(encodes_a_binary_broadcast_as_nodes_adapter_does)
{
    auto packet = corio::protocol::socket_packet::event("/", "x", json::array{corio::protocol::make_placeholder(0)},
                                                        {std::string("\x01\x02\x03", 3)});
    auto encoded = wire::encode_broadcast("fgXcCS", packet, {});
    auto expected = bytes({"93", "a6", "\"fgXcCS\"", "83", "a4", "\"type\"", "02", "a4", "\"data\"", "92", "a1", "\"x\"",
                           "c4", "03", "010203", "a3", "\"nsp\"", "a1", "\"/\"", "83", "a5", "\"rooms\"", "90", "a6",
                           "\"except\"", "90", "a5", "\"flags\"", "80"});
    BOOST_TEST(encoded == expected);

    auto back = wire::decode_broadcast(encoded, "/");
    BOOST_TEST_REQUIRE(back.has_value());
    BOOST_TEST((back->packet.data == packet.data));
    BOOST_TEST(back->packet.attachments == packet.attachments);
}

BOOST_AUTO_TEST_CASE(accepts_a_broadcast_without_flags_and_with_numeric_rooms)
{
    // [uid, {type:2, data:["e"]}, {rooms:[123], except:["sid"]}]: no nsp
    // means "/", and JavaScript rooms may be numbers.
    auto payload = corio::protocol::msgpack::encode(json::parse(
        R"(["Ab3x_9",{"type":2,"data":["e"]},{"rooms":[123],"except":["sid123"]}])"));
    auto m = wire::decode_broadcast(payload, "/");
    BOOST_TEST_REQUIRE(m.has_value());
    BOOST_TEST(m->opts.rooms == std::set<std::string>{"123"});
    BOOST_TEST(m->opts.except == std::set<std::string>{"sid123"});
}

BOOST_AUTO_TEST_CASE(rejects_broadcasts_that_are_not_events)
{
    for (auto text : {R"(["u",{"type":3,"data":["e"],"nsp":"/"},{}])", R"(["u",{"type":2,"data":[],"nsp":"/"},{}])",
                      R"(["u",{"type":2,"data":[1],"nsp":"/"},{}])", R"(["u",{"type":2,"nsp":"/"},{}])",
                      R"(["u"])", R"({"uid":"u"})", R"([1,{"type":2,"data":["e"]},{}])"}) {
        BOOST_TEST_CONTEXT(text)
        {
            BOOST_TEST(!wire::decode_broadcast(corio::protocol::msgpack::encode(json::parse(text)), "/").has_value());
            BOOST_TEST(!wire::decode_broadcast(text, "/").has_value());
        }
    }
    BOOST_TEST(!wire::decode_broadcast("", "/").has_value());
    BOOST_TEST(!wire::decode_broadcast(std::string("\x93\xa1", 2), "/").has_value());
}

BOOST_AUTO_TEST_CASE(requests_are_json_or_msgpack)
{
    auto fetch = wire::decode_message(R"({"uid":"fgXcCS","requestId":"Wx-IBB","type":5,"opts":{"rooms":[],"except":[]}})");
    BOOST_TEST_REQUIRE(fetch.has_value());
    BOOST_TEST_REQUIRE(fetch->value.is_object());
    BOOST_TEST((wire::type_of(fetch->value.get_object()) == 5));
    BOOST_TEST(wire::string_field(fetch->value.get_object(), "requestId") == "Wx-IBB");

    auto ack = corio::protocol::msgpack::encode(json::parse(R"({"type":9,"requestId":"q1w2e3","packet":"pong"})"));
    auto decoded = wire::decode_message(ack);
    BOOST_TEST_REQUIRE(decoded.has_value());
    BOOST_TEST(json::serialize(decoded->value) == R"({"type":9,"requestId":"q1w2e3","packet":"pong"})");

    BOOST_TEST(!wire::decode_message("{not json").has_value());
}

BOOST_AUTO_TEST_CASE(selectors_round_trip)
{
    corio::broadcast_options opts{.rooms = {"a", "b"}, .except = {"c"}};
    json::value v = wire::encode_selector(opts);
    BOOST_TEST(json::serialize(v) == R"({"rooms":["a","b"],"except":["c"]})");
    auto back = wire::decode_selector(&v);
    BOOST_TEST(back.rooms == opts.rooms);
    BOOST_TEST(back.except == opts.except);

    json::value flagged = json::parse(R"({"rooms":[],"except":[],"flags":{"volatile":true,"local":true}})");
    auto f = wire::decode_selector(&flagged);
    BOOST_TEST(f.is_volatile);
    BOOST_TEST(f.local);
    BOOST_TEST(f.compress);
    BOOST_TEST(wire::decode_selector(nullptr).rooms.empty());

    // socket.io's compress(false) travels as a flag; true is the default, left out.
    corio::broadcast_options uncompressed{.compress = false};
    json::value u = wire::encode_selector_with_flags(uncompressed);
    BOOST_TEST(json::serialize(u) == R"({"rooms":[],"except":[],"flags":{"compress":false}})");
    BOOST_TEST(!wire::decode_selector(&u).compress);
    json::value c = wire::encode_selector_with_flags(opts);
    BOOST_TEST(json::serialize(c) == R"({"rooms":["a","b"],"except":["c"],"flags":{}})");
}

BOOST_AUTO_TEST_CASE(sockets_of_a_fetch_response)
{
    corio::socket_info info{"qrNIpHvDN1y8xYHgAAAA", json::object{{"address", "::1"}}, {"qrNIpHvDN1y8xYHgAAAA", "room1"},
                            json::object{{"user", "bob"}}};
    json::value v = wire::encode_socket(info);
    BOOST_TEST(json::serialize(v) ==
               R"({"id":"qrNIpHvDN1y8xYHgAAAA","handshake":{"address":"::1"},"rooms":["qrNIpHvDN1y8xYHgAAAA","room1"],"data":{"user":"bob"}})");
    auto back = wire::decode_socket(v);
    BOOST_TEST_REQUIRE(back.has_value());
    BOOST_TEST(back->id == info.id);
    BOOST_TEST(back->rooms == info.rooms);
    BOOST_TEST(back->data == info.data);
    BOOST_TEST(back->handshake == info.handshake);

    BOOST_TEST(wire::decode_socket(json::value("sid1"))->id == "sid1"); // SOCKETS answers ids
    BOOST_TEST(!wire::decode_socket(json::parse(R"({"rooms":[]})")).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
