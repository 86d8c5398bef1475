#include <corio/testing/client.hpp>

#include <corio/server.hpp>
#include <corio/sleep.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/json/value.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;
using corio::testing::client;
using corio::testing::client_options;

BOOST_AUTO_TEST_SUITE(testing_client)

namespace {

corio::server_options capture_log(corio::server_options opts, std::vector<std::string>& lines)
{
    opts.log = corio::logger([&lines](const corio::log_record& r) { lines.push_back(corio::format_text(r)); },
                             corio::log_level::warning);
    return opts;
}

/// A server on an io_context the test drives through its clients.
struct fixture {
    explicit fixture(corio::server_options opts = {}) : io(ioc.get_executor(), capture_log(std::move(opts), log)) {}

    std::vector<std::string> log;
    net::io_context ioc;
    corio::server io;
};

/// For tests that wait out the client's timeout.
client_options quick(client_options opts = {})
{
    opts.timeout = 200ms;
    return opts;
}

json::value message(std::string_view text)
{
    return json::object{{"message", text}};
}

} // namespace

BOOST_AUTO_TEST_CASE(connects_to_the_default_namespace_and_gets_a_sid)
{
    fixture f;
    client c(f.io, f.ioc);
    BOOST_TEST(c.connected());
    BOOST_TEST(c.sid().size() == 20u);
    BOOST_TEST(!c.connect_error().has_value());
    BOOST_TEST(!c.engine_closed());
    BOOST_TEST(f.io.of("/").socket_count() == 1u);

    client other(f.io, f.ioc);
    BOOST_TEST(other.sid() != c.sid());
    BOOST_TEST(f.io.of("/").socket_count() == 2u);
}

BOOST_AUTO_TEST_CASE(connect_handler_sees_the_handshake_and_its_emits_follow_the_connect)
{
    fixture f;
    f.io.of("/").on_connect([](corio::context& ctx, json::object auth) {
        ctx.emit("welcome", std::string(ctx.handshake().header("x-user").value_or("?")),
                 std::string(ctx.handshake().query("room").value_or("?")), ctx.handshake().address(), json::value(auth),
                 ctx.handshake().request().url, ctx.transport() == corio::engine::transport_kind::websocket);
    });
    client_options opts;
    opts.headers = {{"x-user", "ada"}};
    opts.query = {{"room", "lobby"}};
    opts.remote_address = "10.0.0.7";
    opts.auth = {{"token", "t0k"}};
    client c(f.io, f.ioc, opts);
    BOOST_TEST_REQUIRE(c.connected());

    auto received = c.get_received();
    BOOST_TEST_REQUIRE(received.size() == 1u);
    BOOST_TEST(received[0].nsp == "/");
    BOOST_TEST(received[0].event == "welcome");
    BOOST_TEST(received[0].args.values() == (json::array{"ada", "lobby", "10.0.0.7", json::object{{"token", "t0k"}},
                                                         "/socket.io/?EIO=4&transport=websocket&room=lobby", true}));
    BOOST_TEST(c.get_received().empty());
}

BOOST_AUTO_TEST_CASE(refused_connect_gives_the_connect_error)
{
    fixture f;
    f.io.of("/").on_connect([](corio::context&) { return corio::refuse("unauthorized"); });
    f.io.of("/vip").on_connect([](corio::context& ctx) { return ctx.handshake().auth.contains("ticket"); });
    client c(f.io, f.ioc);
    BOOST_TEST(!c.connected());
    BOOST_TEST(c.sid().empty());
    BOOST_TEST_REQUIRE(c.connect_error().has_value());
    BOOST_TEST(*c.connect_error() == message("unauthorized"));
    BOOST_TEST(!c.engine_closed());

    BOOST_TEST(!c.connect("/vip"));
    BOOST_TEST(*c.connect_error("/vip") == message("unauthorized"));
    BOOST_TEST(c.connect("/vip", {{"ticket", 1}}));
    BOOST_TEST(!c.connect_error("/vip").has_value());
    BOOST_TEST(c.connected("/vip"));
}

BOOST_AUTO_TEST_CASE(unknown_namespace_is_an_invalid_namespace)
{
    fixture f;
    client_options opts;
    opts.nsp = "/nowhere";
    client c(f.io, f.ioc, opts);
    BOOST_TEST(!c.connected("/nowhere"));
    BOOST_TEST_REQUIRE(c.connect_error("/nowhere").has_value());
    BOOST_TEST(*c.connect_error("/nowhere") == message("Invalid namespace"));
    // The Engine.IO session stays usable for other namespaces.
    BOOST_TEST(c.connect("/"));
}

BOOST_AUTO_TEST_CASE(emit_with_ack_gets_the_handlers_return_value)
{
    fixture f;
    f.io.of("/").on("add", [](corio::context&, int a, int b) { return a + b; });
    f.io.of("/").on("split",
                    [](corio::context&, std::string s) { return corio::arguments::of(s.substr(0, 1), s.substr(1)); });
    client c(f.io, f.ioc);
    auto sum = c.emit_with_ack("add", 2, 3);
    BOOST_TEST_REQUIRE(sum.has_value());
    BOOST_TEST(sum->values() == json::array{5});
    auto parts = c.emit_with_ack("split", "abc");
    BOOST_TEST_REQUIRE(parts.has_value());
    BOOST_TEST(parts->values() == (json::array{"a", "bc"}));
}

BOOST_AUTO_TEST_CASE(emit_with_ack_times_out_when_the_server_does_not_answer)
{
    fixture f;
    f.io.of("/").on("mute", [](corio::context&, int) {});
    client c(f.io, f.ioc, quick());
    auto start = std::chrono::steady_clock::now();
    BOOST_TEST(!c.emit_with_ack("mute", 1).has_value());
    BOOST_TEST((std::chrono::steady_clock::now() - start >= 200ms));
    BOOST_TEST(c.connected());
}

BOOST_AUTO_TEST_CASE(events_arrive_in_order_per_namespace)
{
    fixture f;
    f.io.of("/").on("count", [](corio::context& ctx, int n) {
        for (int i = 0; i < n; ++i)
            ctx.emit("n", i);
    });
    f.io.of("/chat").on("say", [](corio::context& ctx, std::string text) { ctx.emit("said", text); });
    client c(f.io, f.ioc);
    BOOST_TEST_REQUIRE(c.connect("/chat"));
    c.emit("count", 3);
    c.emit_to("/chat", "say", corio::arguments::of("hi"));

    auto root = c.get_received();
    BOOST_TEST_REQUIRE(root.size() == 3u);
    for (int i = 0; i < 3; ++i) {
        BOOST_TEST(root[i].event == "n");
        BOOST_TEST(root[i].args.values() == json::array{i});
    }
    auto chat = c.get_received("/chat");
    BOOST_TEST_REQUIRE(chat.size() == 1u);
    BOOST_TEST(chat[0].nsp == "/chat");
    BOOST_TEST(chat[0].event == "said");
    BOOST_TEST(chat[0].args.values() == json::array{"hi"});
}

BOOST_AUTO_TEST_CASE(an_emit_marked_compress_false_arrives_marked_uncompressible)
{
    fixture f;
    f.io.of("/").on("photos", [](corio::context& ctx) {
        ctx.emit("plain", 1);
        ctx.compress(false).emit("jpeg", 2);
        ctx.broadcast().include_self().compress(false).emit("jpeg", 3);
        ctx.broadcast().include_self().emit("plain", 4);
    });
    client c(f.io, f.ioc);
    c.emit("photos");
    BOOST_TEST_REQUIRE(c.wait_for("plain").has_value());
    auto rest = c.get_received();
    BOOST_TEST_REQUIRE(rest.size() == 3u);
    for (const auto& e : rest) {
        BOOST_TEST(e.compressible == (e.event == "plain"), e.event);
    }
    BOOST_TEST(rest[0].args.values() == json::array{2});
    BOOST_TEST(rest[2].args.values() == json::array{4});
}

BOOST_AUTO_TEST_CASE(binary_arguments_round_trip)
{
    fixture f;
    f.io.of("/").on("echo", [](corio::context& ctx, corio::arguments args) { ctx.emit("echoed", args); });
    f.io.of("/").on("reverse", [](corio::context&, corio::binary b) {
        return corio::binary{std::string(b.bytes.rbegin(), b.bytes.rend())};
    });
    client c(f.io, f.ioc);
    const std::string bytes("\x00\x01\xff\x02", 4);
    c.emit("echo", "label", corio::binary{bytes}, json::object{{"nested", true}});

    auto ev = c.wait_for("echoed");
    BOOST_TEST_REQUIRE(ev.has_value());
    BOOST_TEST_REQUIRE(ev->args.size() == 3u);
    BOOST_TEST(ev->args.values()[0] == "label");
    BOOST_TEST(ev->args.values()[1] == (json::object{{"_placeholder", true}, {"num", 0}}));
    BOOST_TEST(ev->args.values()[2] == (json::object{{"nested", true}}));
    BOOST_TEST_REQUIRE(ev->args.attachments().size() == 1u);
    BOOST_TEST(ev->args.attachments()[0] == bytes);
    BOOST_TEST((ev->args == corio::arguments::of("label", corio::binary{bytes}, json::object{{"nested", true}})));

    auto reversed = c.emit_with_ack("reverse", corio::binary{"abc"});
    BOOST_TEST_REQUIRE(reversed.has_value());
    BOOST_TEST((*reversed == corio::arguments::of(corio::binary{"cba"})));
}

BOOST_AUTO_TEST_CASE(server_ack_request_is_answered_by_the_answerer)
{
    fixture f;
    f.io.of("/").on("ask", [](corio::context& ctx) -> net::awaitable<int> {
        auto answer = co_await ctx.emit_with_ack("question", 1);
        if (!answer || answer->empty() || !answer->values()[0].is_int64())
            co_return -1;
        co_return static_cast<int>(answer->values()[0].as_int64());
    });
    client c(f.io, f.ioc);
    int asked = 0;
    c.on_ack_request([&](const corio::testing::received_event& ev) {
        ++asked;
        BOOST_TEST(ev.event == "question");
        return corio::arguments::of(ev.args.values()[0].as_int64() + 41);
    });
    auto result = c.emit_with_ack("ask");
    BOOST_TEST_REQUIRE(result.has_value());
    BOOST_TEST(result->values() == json::array{42});
    BOOST_TEST(asked == 1);
    // The request is an event like any other.
    auto received = c.get_received();
    BOOST_TEST_REQUIRE(received.size() == 1u);
    BOOST_TEST(received[0].event == "question");
}

BOOST_AUTO_TEST_CASE(server_ack_request_without_answerer_times_out_on_the_server)
{
    corio::server_options opts;
    opts.ack_timeout = 50ms;
    fixture f(opts);
    f.io.of("/").on("ask", [](corio::context& ctx) -> net::awaitable<std::string> {
        auto answer = co_await ctx.emit_with_ack("question");
        co_return answer ? std::string("answered") : answer.error().message();
    });
    client c(f.io, f.ioc);
    auto result = c.emit_with_ack("ask");
    BOOST_TEST_REQUIRE(result.has_value());
    BOOST_TEST_REQUIRE(result->size() == 1u);
    BOOST_TEST(result->values()[0] != "answered");
    BOOST_TEST(c.wait_for("question").has_value());
}

BOOST_AUTO_TEST_CASE(wait_for_drives_timers_and_leaves_other_events_buffered)
{
    fixture f;
    f.io.of("/").on("slow", [](corio::context& ctx) -> net::awaitable<void> {
        ctx.emit("started");
        co_await corio::sleep(30ms);
        ctx.emit("done");
    });
    client c(f.io, f.ioc, quick());
    c.emit("slow");
    auto done = c.wait_for("done");
    BOOST_TEST_REQUIRE(done.has_value());
    BOOST_TEST(done->args.empty());
    auto rest = c.get_received();
    BOOST_TEST_REQUIRE(rest.size() == 1u);
    BOOST_TEST(rest[0].event == "started");
    BOOST_TEST(!c.wait_for("never").has_value());
}

BOOST_AUTO_TEST_CASE(room_broadcast_reaches_only_the_members)
{
    fixture f;
    f.io.of("/").on("join", [](corio::context& ctx, std::string room) { ctx.join(room); });
    f.io.of("/").on("shout",
                    [](corio::context& ctx, std::string room, std::string text) { ctx.to(room).emit("news", text); });
    client member(f.io, f.ioc);
    client outsider(f.io, f.ioc);
    client sender(f.io, f.ioc);
    member.emit("join", "r");
    sender.emit("shout", "r", "hello");

    auto got = member.get_received();
    BOOST_TEST_REQUIRE(got.size() == 1u);
    BOOST_TEST(got[0].event == "news");
    BOOST_TEST(got[0].args.values() == json::array{"hello"});
    BOOST_TEST(outsider.get_received().empty());
    BOOST_TEST(sender.get_received().empty());
    BOOST_TEST(f.io.of("/").rooms() == std::vector<std::string>{"r"});
}

BOOST_AUTO_TEST_CASE(client_disconnect_runs_the_disconnect_handler)
{
    fixture f;
    std::vector<corio::disconnect_reason> reasons;
    f.io.of("/").on_disconnect([&](corio::context&, corio::disconnect_reason r) { reasons.push_back(r); });
    client c(f.io, f.ioc);
    BOOST_TEST_REQUIRE(c.connected());
    c.disconnect();
    BOOST_TEST(!c.connected());
    BOOST_TEST(!c.server_disconnected());
    BOOST_TEST_REQUIRE(reasons.size() == 1u);
    BOOST_TEST((reasons[0] == corio::disconnect_reason::client_disconnect));
    BOOST_TEST(f.io.of("/").socket_count() == 0u);
    // Reconnecting on the same Engine.IO session gives a new socket.
    auto first = c.sid();
    BOOST_TEST(c.connect());
    BOOST_TEST(c.sid() != first);
}

BOOST_AUTO_TEST_CASE(engine_close_and_destruction_end_the_sockets)
{
    fixture f;
    std::vector<corio::disconnect_reason> reasons;
    f.io.of("/").on_disconnect([&](corio::context&, corio::disconnect_reason r) { reasons.push_back(r); });
    {
        client c(f.io, f.ioc);
        c.close();
        BOOST_TEST(c.engine_closed());
        BOOST_TEST(!c.connected());
        BOOST_TEST(!c.server_close_reason().has_value());
        BOOST_TEST(!c.emit_with_ack("anything").has_value());
    }
    {
        client c(f.io, f.ioc);
    }
    BOOST_TEST_REQUIRE(reasons.size() == 2u);
    BOOST_TEST((reasons[0] == corio::disconnect_reason::transport_close));
    BOOST_TEST((reasons[1] == corio::disconnect_reason::transport_close));
    BOOST_TEST(f.io.of("/").socket_count() == 0u);
    // Nobody is left to receive it; nothing breaks.
    f.io.emit("late", 1);
    f.ioc.poll();
}

BOOST_AUTO_TEST_CASE(server_disconnect_is_seen_by_the_client)
{
    fixture f;
    f.io.of("/").on("kick", [](corio::context& ctx) { ctx.disconnect(); });
    client c(f.io, f.ioc);
    c.emit("kick");
    BOOST_TEST(c.server_disconnected());
    BOOST_TEST(!c.connected());
    BOOST_TEST(!c.engine_closed());
}

BOOST_AUTO_TEST_CASE(server_closes_the_session_on_a_parse_error)
{
    fixture f;
    std::vector<corio::disconnect_reason> reasons;
    f.io.of("/").on_disconnect([&](corio::context&, corio::disconnect_reason r) { reasons.push_back(r); });
    client c(f.io, f.ioc);
    // A reserved event name does not decode on the server.
    c.emit("connect");
    BOOST_TEST(c.engine_closed());
    BOOST_TEST((c.server_close_reason() == corio::engine::close_reason::parse_error));
    BOOST_TEST_REQUIRE(reasons.size() == 1u);
    BOOST_TEST((reasons[0] == corio::disconnect_reason::parse_error));
    BOOST_TEST_REQUIRE(f.log.size() == 1u);
    BOOST_TEST(f.log[0].starts_with("warning closing the connection: malformed packet sid="), f.log[0]);
}

BOOST_AUTO_TEST_CASE(server_closes_a_session_that_never_connects)
{
    corio::server_options opts;
    opts.connect_timeout = 30ms;
    fixture f(opts);
    client_options copts = quick();
    copts.connect = false;
    client c(f.io, f.ioc, copts);
    BOOST_TEST(!c.connected());
    BOOST_TEST(!c.wait_for("never").has_value());
    BOOST_TEST(c.engine_closed());
    BOOST_TEST((c.server_close_reason() == corio::engine::close_reason::server_close));
    BOOST_TEST(!c.connect());
    BOOST_TEST(c.protocol_errors().empty());
}

BOOST_AUTO_TEST_SUITE_END()
