// A server with the msgpack parser (server_options::parser), driven by the
// testing client, which follows the server's parser: the same handlers,
// rooms, acks and binary as with the default parser, and malformed input
// closes only its sender.

#include <corio/testing/client.hpp>

#include <corio/protocol/socket_packet.hpp>
#include <corio/server.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/json/value.hpp>
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

namespace net = boost::asio;
namespace json = boost::json;
using corio::testing::client;
using corio::testing::client_options;

BOOST_AUTO_TEST_SUITE(msgpack_parser)

namespace {

// The guide's example (docs/guide.md, section 23).
corio::server_options msgpack_options()
{
    corio::server_options opts;
    opts.parser = corio::protocol::socket_parser::msgpack; // Node: new Server({parser: msgpackParser})
    return opts;
}

struct fixture {
    fixture() : io(ioc.get_executor(), msgpack_options())
    {
        io.of("/").on("echo", [](corio::context&, corio::arguments args) { return args; });
        io.of("/").on("join", [](corio::context& ctx, std::string room) { ctx.join(room); });
        io.of("/").on("tell",
                      [this](corio::context&, std::string room, std::string text) { io.to(room).emit("told", text); });
        io.of("/").on("ask", [](corio::context& ctx) -> net::awaitable<int> {
            auto answer = co_await ctx.emit_with_ack("question", 41);
            if (!answer || answer->empty() || !answer->values()[0].is_int64())
                co_return -1;
            co_return static_cast<int>(answer->values()[0].as_int64());
        });
        io.of("/chat").on_connect([](corio::context& ctx, json::object auth) {
            ctx.emit("hello", json::value(auth));
            return auth.contains("token");
        });
    }

    net::io_context ioc;
    corio::server io;
};

} // namespace

BOOST_AUTO_TEST_CASE(events_acks_and_binary_round_trip)
{
    fixture f;
    client c(f.io, f.ioc);
    BOOST_TEST_REQUIRE(c.connected());
    BOOST_TEST(c.sid().size() == 20u);

    const std::string bytes("\x00\x01\xff", 3);
    auto echoed = c.emit_with_ack("echo", "label", corio::binary{bytes}, json::object{{"n", 1.5}});
    BOOST_TEST_REQUIRE(echoed.has_value());
    BOOST_TEST((*echoed == corio::arguments::of("label", corio::binary{bytes}, json::object{{"n", 1.5}})));

    c.on_ack_request([](const corio::testing::received_event& ev) {
        return corio::arguments::of(ev.args.values()[0].as_int64() + 1);
    });
    auto answer = c.emit_with_ack("ask");
    BOOST_TEST_REQUIRE(answer.has_value());
    BOOST_TEST(answer->values() == json::array{42});
}

BOOST_AUTO_TEST_CASE(rooms_and_namespaces)
{
    fixture f;
    client a(f.io, f.ioc);
    client b(f.io, f.ioc);
    a.emit_with_ack("join", "red");
    b.emit("tell", "red", "news");
    auto told = a.wait_for("told");
    BOOST_TEST_REQUIRE(told.has_value());
    BOOST_TEST(told->args.values() == json::array{"news"});
    BOOST_TEST(b.get_received().empty());

    BOOST_TEST(!a.connect("/chat"));
    BOOST_TEST_REQUIRE(a.connect_error("/chat").has_value());
    BOOST_TEST(a.connect("/chat", {{"token", "t"}}));
    auto hello = a.wait_for("hello", "/chat");
    BOOST_TEST_REQUIRE(hello.has_value());
    BOOST_TEST(hello->args.values() == (json::array{json::object{{"token", "t"}}}));
    BOOST_TEST(!a.connect("/nowhere"));
    BOOST_TEST(*a.connect_error("/nowhere") == (json::object{{"message", "Invalid namespace"}}));
}

BOOST_AUTO_TEST_CASE(malformed_packets_close_only_their_sender)
{
    fixture f;
    client bystander(f.io, f.ioc);
    const std::vector<std::string> bad{
        // A text packet, as a client on the default parser sends.
        std::string(R"(42["echo","x"])"),
        // Truncated MessagePack: a map of 3 with one entry.
        std::string("\x83\xa4type\x02", 7),
        // An EVENT whose data is not an array.
        std::string("\x83\xa4type\x02\xa3nsp\xa1/\xa4"
                    "data\x01",
                    19),
    };
    for (std::size_t i = 0; i < bad.size(); ++i) {
        BOOST_TEST_CONTEXT("case " << i)
        {
            client c(f.io, f.ioc);
            BOOST_TEST_REQUIRE(c.connected());
            if (i == 0)
                c.send_text(bad[i]);
            else
                c.send_binary(bad[i]);
            BOOST_TEST(c.engine_closed());
            BOOST_TEST((c.server_close_reason() == corio::engine::close_reason::parse_error));
        }
    }
    auto still = bystander.emit_with_ack("echo", "still served");
    BOOST_TEST_REQUIRE(still.has_value());
    BOOST_TEST(still->values() == json::array{"still served"});
}

BOOST_AUTO_TEST_SUITE_END()
