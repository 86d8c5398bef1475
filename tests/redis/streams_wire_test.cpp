// What the Redis Streams adapter puts in Redis (Node's
// @socket.io/redis-streams-adapter 0.3): a stream entry's fields, a kept
// session, the offsets, and which events a session missed. The fixtures
// marked "Node" are the base64 of @msgpack/msgpack's encode() (the package
// the Node adapter uses), made with tests/e2e's node_modules:
//   node -e 'const {encode} = require("@msgpack/msgpack");
//            console.log(Buffer.from(encode(VALUE)).toString("base64"))'
// The e2e tests cluster.test.mjs (streams:corio,node) and
// cluster_recovery.test.mjs run them against the Node adapter itself.

#include "streams_wire.hpp"

#include <corio/protocol/base64.hpp>
#include <corio/protocol/json_writer.hpp>

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <set>

namespace streams_wire = corio::redis::streams_wire;
namespace json = boost::json;
using corio::redis::sharded_wire::message_type;

namespace {

corio::broadcast_options selector(std::initializer_list<std::string> rooms, std::initializer_list<std::string> except = {})
{
    corio::broadcast_options o;
    o.rooms.insert(rooms.begin(), rooms.end());
    o.except.insert(except.begin(), except.end());
    return o;
}

} // namespace

BOOST_AUTO_TEST_SUITE(streams_wire_values)

BOOST_AUTO_TEST_CASE(an_entry_is_uid_nsp_type_and_json_data)
{
    auto fields = streams_wire::entry_fields("0123456789abcdef", "/chat", message_type::sockets_join,
                                             json::parse(R"({"opts":{"rooms":["a"],"except":[]},"rooms":["b"]})").as_object());
    BOOST_TEST((fields == std::vector<std::string>{"uid", "0123456789abcdef", "nsp", "/chat", "type", "4", "data",
                                                    R"({"opts":{"rooms":["a"],"except":[]},"rooms":["b"]})"}));
}

BOOST_AUTO_TEST_CASE(binary_data_is_base64_msgpack_and_decodes_back)
{
    json::object data{{"packet", {{"type", 2}, {"data", json::parse(R"(["bin",{"_placeholder":true,"num":0}])")}, {"nsp", "/"}}}};
    auto fields = streams_wire::entry_fields("u", "/", message_type::broadcast, data, {std::string("\x01\x02\x03", 3)});
    BOOST_TEST_REQUIRE(fields.size() == 8u);
    BOOST_TEST(!fields[7].starts_with("{"));
    auto doc = streams_wire::decode_data(fields[7], 3);
    BOOST_TEST_REQUIRE(doc.has_value());
    BOOST_TEST(corio::protocol::to_json(doc->value) == corio::protocol::to_json(data));
    BOOST_TEST_REQUIRE(doc->attachments.size() == 1u);
    BOOST_TEST(doc->attachments[0] == std::string("\x01\x02\x03", 3));
}

BOOST_AUTO_TEST_CASE(node_binary_data_decodes)
{
    // Node: {packet: {type: 2, data: ["bin", Buffer [1,2,3]], nsp: "/"}, opts: {rooms: ["news"], except: [], flags: {}}}
    auto doc = streams_wire::decode_data(
        "gqZwYWNrZXSDpHR5cGUCpGRhdGGSo2JpbsQDAQIDo25zcKEvpG9wdHODpXJvb21zkaRuZXdzpmV4Y2VwdJClZmxhZ3OA", 3);
    BOOST_TEST_REQUIRE(doc.has_value());
    BOOST_TEST(corio::protocol::to_json(doc->value.at("packet").at("data")) == R"(["bin",{"_placeholder":true,"num":0}])");
    BOOST_TEST(doc->attachments == std::vector<std::string>{std::string("\x01\x02\x03", 3)});
}

BOOST_AUTO_TEST_CASE(data_that_is_neither_json_nor_msgpack_of_an_object_fails)
{
    BOOST_TEST(!streams_wire::decode_data("{not json", 3).has_value());
    BOOST_TEST(!streams_wire::decode_data("!!!", 3).has_value());                                       // not base64
    BOOST_TEST(!streams_wire::decode_data(corio::protocol::base64_encode("\x93\x01\x02\x03"), 3).has_value()); // an array
    BOOST_TEST(!streams_wire::decode_data(corio::protocol::base64_encode("\xc1"), 3).has_value());       // never used
    BOOST_TEST(!streams_wire::decode_data("", 3).has_value());
}

BOOST_AUTO_TEST_CASE(a_type_is_decimal_digits)
{
    BOOST_TEST(streams_wire::to_type("3").value_or(-1) == 3);
    BOOST_TEST(streams_wire::to_type("13").value_or(-1) == 13);
    BOOST_TEST(!streams_wire::to_type("").has_value());
    BOOST_TEST(!streams_wire::to_type("3x").has_value());
    BOOST_TEST(!streams_wire::to_type("99999999999").has_value());
}

BOOST_AUTO_TEST_CASE(offsets_are_entry_ids_and_the_next_one_is_one_past)
{
    BOOST_TEST(streams_wire::is_entry_id("1733300000000-0"));
    BOOST_TEST(streams_wire::is_entry_id("0-12"));
    for (const char* bad : {"", "-", "1-", "-1", "1", "1-2-3", "a-1", "1-0 ", "Lx3c.1"})
        BOOST_TEST(!streams_wire::is_entry_id(bad), bad);
    BOOST_TEST(streams_wire::next_entry_id("1733300000000-0") == "1733300000000-1");
    BOOST_TEST(streams_wire::next_entry_id("5-41") == "5-42");
    BOOST_TEST(streams_wire::next_entry_id("5-18446744073709551615") == "6-0");
}

BOOST_AUTO_TEST_CASE(a_session_round_trips_and_reads_nodes)
{
    corio::persisted_session s{.sid = "sid-1", .pid = "pid-1", .rooms = {"sid-1", "news"},
                               .data = json::parse(R"({"name":"ada","n":1})")};
    // Node: {sid: "sid-1", pid: "pid-1", rooms: ["sid-1", "news"], data: {name: "ada", n: 1}}
    const std::string node = "hKNzaWSlc2lkLTGjcGlkpXBpZC0xpXJvb21zkqVzaWQtMaRuZXdzpGRhdGGCpG5hbWWjYWRhoW4B";
    BOOST_TEST(streams_wire::encode_session(s) == node);
    auto back = streams_wire::decode_session(node);
    BOOST_TEST_REQUIRE(back.has_value());
    BOOST_TEST(back->sid == "sid-1");
    BOOST_TEST(back->pid == "pid-1");
    BOOST_TEST((std::set<std::string>(back->rooms.begin(), back->rooms.end()) == std::set<std::string>{"sid-1", "news"}));
    BOOST_TEST(corio::protocol::to_json(back->data) == R"({"name":"ada","n":1})");
}

BOOST_AUTO_TEST_CASE(a_value_that_is_not_a_session_decodes_to_nothing)
{
    BOOST_TEST(!streams_wire::decode_session("!!!").has_value());
    BOOST_TEST(!streams_wire::decode_session(corio::protocol::base64_encode("\x81\xa3sid\xa1x")).has_value()); // no pid
    BOOST_TEST(!streams_wire::decode_session(corio::protocol::base64_encode("\x92\x01\x02")).has_value());
}

BOOST_AUTO_TEST_CASE(a_session_missed_what_reached_one_of_its_rooms_and_none_it_was_excepted_from)
{
    const std::vector<std::string> rooms{"sid-1", "news"};
    BOOST_TEST(streams_wire::reaches(rooms, selector({})));
    BOOST_TEST(streams_wire::reaches(rooms, selector({"news", "other"})));
    BOOST_TEST(streams_wire::reaches(rooms, selector({"sid-1"})));
    BOOST_TEST(!streams_wire::reaches(rooms, selector({"other"})));
    BOOST_TEST(!streams_wire::reaches(rooms, selector({}, {"news"})));
    BOOST_TEST(!streams_wire::reaches(rooms, selector({"news"}, {"sid-1"})));
}

BOOST_AUTO_TEST_SUITE_END()
