// The sharded adapter's messages (socket.io-adapter's ClusterAdapter
// protocol, as Node's createShardedAdapter puts it on Redis): channels, the
// channel of each broadcast in each subscription mode, and JSON or msgpack.
// The e2e cluster test runs them against Node's own sharded adapter.

#include "sharded_wire.hpp"

#include <corio/protocol/msgpack.hpp>

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

namespace sharded_wire = corio::redis::sharded_wire;
namespace json = boost::json;
using corio::redis::subscription_mode;

namespace {

const std::string uid = "0123456789abcdef";
const std::string socket_id = "AAAAAAAAAAAAAAAAAAAA"; // 20 characters, as Node's and ours

corio::broadcast_options to(std::initializer_list<std::string> rooms)
{
    corio::broadcast_options o;
    o.rooms.insert(rooms.begin(), rooms.end());
    return o;
}

} // namespace

BOOST_AUTO_TEST_SUITE(sharded_wire_messages)

BOOST_AUTO_TEST_CASE(channel_names_are_nodes)
{
    sharded_wire::channels c("socket.io", "/chat", uid);
    BOOST_TEST(c.main == "socket.io#/chat#");
    BOOST_TEST(c.own_response == "socket.io#/chat#0123456789abcdef#");
    BOOST_TEST(c.room("lobby") == "socket.io#/chat#lobby#");
    BOOST_TEST(c.response_of("fedcba9876543210") == "socket.io#/chat#fedcba9876543210#");
}

BOOST_AUTO_TEST_CASE(a_broadcast_to_one_room_takes_the_rooms_channel_where_the_mode_gives_it_one)
{
    sharded_wire::channels c("socket.io", "/", uid);
    using enum subscription_mode;
    BOOST_TEST(sharded_wire::broadcast_channel(c, dynamic, to({"lobby"})) == "socket.io#/#lobby#");
    BOOST_TEST(sharded_wire::broadcast_channel(c, dynamic, to({socket_id})) == c.main);
    BOOST_TEST(sharded_wire::broadcast_channel(c, dynamic, to({"a", "b"})) == c.main);
    BOOST_TEST(sharded_wire::broadcast_channel(c, dynamic, to({})) == c.main);
    BOOST_TEST(sharded_wire::broadcast_channel(c, dynamic_private, to({socket_id})) == c.room(socket_id));
    BOOST_TEST(sharded_wire::broadcast_channel(c, static_, to({"lobby"})) == c.main);

    BOOST_TEST(sharded_wire::subscribes_to_room(dynamic, false));
    BOOST_TEST(!sharded_wire::subscribes_to_room(dynamic, true));
    BOOST_TEST(sharded_wire::subscribes_to_room(dynamic_private, true));
    BOOST_TEST(!sharded_wire::subscribes_to_room(static_, false));
}

BOOST_AUTO_TEST_CASE(a_message_without_binary_is_json_with_the_uid_first)
{
    auto text = sharded_wire::encode(uid, "/", sharded_wire::message_type::sockets_join,
                                     json::object{{"opts", json::object{}}, {"rooms", json::array{"r"}}});
    BOOST_TEST(text.starts_with("{\"uid\":\"0123456789abcdef\""));
    auto v = json::parse(text);
    BOOST_TEST(v.at("nsp") == "/");
    BOOST_TEST(v.at("type") == 4);
    BOOST_TEST(v.at("data").at("rooms") == json::array{"r"});

    BOOST_TEST(sharded_wire::is_from(text, uid));
    BOOST_TEST(!sharded_wire::is_from(text, "0123456789abcdee"));
    BOOST_TEST(!sharded_wire::is_from(text, "0123456789abcde"));
    // Node's key order (uid after type and data) is decoded, not recognised.
    BOOST_TEST(!sharded_wire::is_from(R"({"type":4,"data":{},"uid":"0123456789abcdef","nsp":"/"})", uid));
}

BOOST_AUTO_TEST_CASE(a_message_with_binary_is_msgpack_with_bin)
{
    json::object data{{"packet", json::object{{"type", 2},
                                               {"data", json::array{"file", json::object{{"_placeholder", true},
                                                                                         {"num", 0}}}},
                                               {"nsp", "/"}}}};
    auto bytes = sharded_wire::encode(uid, "/", sharded_wire::message_type::broadcast, data, {std::string("\x00\xff", 2)});
    BOOST_TEST(sharded_wire::is_from(bytes, uid));
    BOOST_TEST(!sharded_wire::is_from(bytes, "fedcba9876543210"));
    auto doc = corio::protocol::msgpack::decode(bytes);
    BOOST_TEST_REQUIRE(doc.has_value());
    BOOST_TEST(doc->value.at("uid") == json::value(uid));
    BOOST_TEST(doc->value.at("type") == 3);
    BOOST_TEST_REQUIRE(doc->attachments.size() == 1u);
    BOOST_TEST(doc->attachments[0] == std::string("\x00\xff", 2));
}

BOOST_AUTO_TEST_CASE(responses_are_told_apart)
{
    using enum sharded_wire::message_type;
    for (auto t : {fetch_sockets_response, server_side_emit_response, broadcast_client_count, broadcast_ack})
        BOOST_TEST(sharded_wire::is_response(static_cast<int>(t)));
    for (auto t : {broadcast, sockets_join, fetch_sockets, server_side_emit, heartbeat})
        BOOST_TEST(!sharded_wire::is_response(static_cast<int>(t)));
}

BOOST_AUTO_TEST_SUITE_END()
