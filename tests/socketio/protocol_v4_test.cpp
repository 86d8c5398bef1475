// Socket.IO protocol v4 clients (socket.io-client 2.x over Engine.IO v3),
// played by the in-process client with client_options::engine_protocol = 3.
#include "server_fixture.hpp"

#include <boost/test/unit_test.hpp>

using namespace corio_test;

BOOST_FIXTURE_TEST_SUITE(protocol_v4, server_fixture)

namespace {

corio::testing::client_options v4_client()
{
    corio::testing::client_options o;
    o.engine_protocol = 3;
    return o;
}

} // namespace

BOOST_AUTO_TEST_CASE(the_server_connects_the_client_to_root_and_answers_without_a_sid)
{
    int connects = 0;
    io.of("/").on_connect([&](corio::context&) { ++connects; });
    auto c = client(v4_client());
    BOOST_TEST(c->connected());
    BOOST_TEST(connects == 1);
    BOOST_TEST(c->sid().empty());
    // A second CONNECT for `/` changes nothing.
    c->send_text("0");
    c->run_until_idle();
    BOOST_TEST(connects == 1);
}

BOOST_AUTO_TEST_CASE(socket_ids_are_the_engine_id_and_nsp_hash_engine_id)
{
    std::string root_id, root_client, admin_id;
    io.of("/").on_connect([&](corio::context& ctx) {
        root_id = ctx.id();
        root_client = ctx.client_id();
    });
    io.of("/admin").on_connect([&](corio::context& ctx) { admin_id = ctx.id(); });
    auto c = client(v4_client());
    BOOST_TEST_REQUIRE(c->connect("/admin"));
    BOOST_TEST(root_id == root_client);
    BOOST_TEST(admin_id == "/admin#" + root_client);
}

BOOST_AUTO_TEST_CASE(the_namespace_query_is_the_auth)
{
    json::object seen;
    io.of("/admin").on_connect([&](corio::context& ctx) { seen = ctx.handshake().auth; });
    auto c = client(v4_client());
    BOOST_TEST_REQUIRE(c->connect("/admin", {{"token", "a b&c"}, {"n", 1}}));
    BOOST_TEST(json::serialize(seen) == R"({"token":"a b&c","n":"1"})");
    // Events go to the namespace by its name, without the query.
    io.of("/admin").on("ping", [](corio::context&) { return "pong"; });
    auto ack = c->emit_with_ack_to("/admin", "ping", {});
    BOOST_TEST_REQUIRE(ack.has_value());
    BOOST_TEST(str(*ack, 0) == "pong");
}

BOOST_AUTO_TEST_CASE(a_refusal_is_sent_as_its_data_or_else_its_message_alone)
{
    io.of("/a").use([](corio::context&) { return corio::refuse("unauthorized"); });
    io.of("/b").use([](corio::context&) {
        return corio::refuse_with(json::object{{"message", "no"}, {"data", {{"retry", false}}}});
    });
    auto c = client(v4_client());
    BOOST_TEST(!c->connect("/a"));
    BOOST_TEST(json::serialize(*c->connect_error("/a")) == R"("unauthorized")");
    BOOST_TEST(!c->connect("/b"));
    BOOST_TEST(json::serialize(*c->connect_error("/b")) == R"({"retry":false})");
    // An unknown namespace is refused as for v5 clients.
    BOOST_TEST(!c->connect("/nowhere"));
    BOOST_TEST(json::serialize(*c->connect_error("/nowhere")) == R"({"message":"Invalid namespace"})");
}

BOOST_AUTO_TEST_CASE(events_acks_and_binary_are_as_in_v5)
{
    io.of("/").on("upload", [](corio::context& ctx, std::string name, corio::binary data) {
        ctx.ack(name, corio::binary{data.bytes + "!"});
    });
    auto c = client(v4_client());
    auto ack = c->emit_with_ack("upload", "f", corio::binary{std::string("\0\1", 2)});
    BOOST_TEST_REQUIRE(ack.has_value());
    BOOST_TEST(str(*ack, 0) == "f");
    BOOST_TEST(ack->attachments().at(0) == std::string("\0\1!", 3));
}

BOOST_AUTO_TEST_CASE(a_refusal_of_root_is_a_bare_string_too)
{
    io.of("/").use([](corio::context&) { return corio::refuse("go away"); });
    auto c = client(v4_client());
    BOOST_TEST(!c->connected());
    BOOST_TEST_REQUIRE(c->connect_error().has_value());
    BOOST_TEST(json::serialize(*c->connect_error()) == R"("go away")");
}

BOOST_AUTO_TEST_SUITE_END()
