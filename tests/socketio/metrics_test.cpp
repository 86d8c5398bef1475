// A Socket.IO server's Prometheus samples (corio::write_metrics) and the
// server_stats counters behind them: sockets by namespace, connects, refused
// connects, disconnects by reason, broadcasts and their deliveries, and the
// handler duration and ack round-trip histograms.

#include "server_fixture.hpp"

#include <corio/metrics.hpp>
#include <corio/sleep.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>

using namespace corio_test;

namespace {

std::string scrape(const corio::server& io)
{
    corio::engine::metrics_writer w;
    corio::write_metrics(w, io);
    return w.text();
}

/// The value of the sample written exactly as `series` (name and labels),
/// or "absent".
std::string sample(const std::string& text, std::string_view series)
{
    auto line = "\n" + std::string(series) + " ";
    auto at = text.find(line);
    if (at == std::string::npos)
        return "absent";
    auto begin = at + line.size();
    return text.substr(begin, text.find('\n', begin) - begin);
}

std::size_t disconnects(const corio::server& io, corio::disconnect_reason r)
{
    return io.stats().disconnects[static_cast<std::size_t>(r)];
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(metrics, server_fixture)

BOOST_AUTO_TEST_CASE(sockets_connects_refusals_and_disconnects_by_reason_are_counted_and_written)
{
    io.of("/chat").use([](corio::context& ctx) {
        return ctx.handshake().auth.contains("token") ? corio::accept() : corio::refuse("unauthorized");
    });
    auto leaving = client();
    auto dropped = client();
    auto chatting = client({.nsp = "/chat", .auth = {{"token", "t"}}});
    auto refused = client({.nsp = "/chat"});
    BOOST_TEST_REQUIRE(leaving->connected());
    BOOST_TEST_REQUIRE(dropped->connected());
    BOOST_TEST_REQUIRE(chatting->connected("/chat"));
    BOOST_TEST_REQUIRE(!refused->connected("/chat"));

    auto stats = io.stats();
    BOOST_TEST(stats.sockets.at("/") == 2u);
    BOOST_TEST(stats.sockets.at("/chat") == 1u);
    BOOST_TEST(stats.connects == 3u);
    BOOST_TEST(stats.connects_refused == 1u);

    auto text = scrape(io);
    BOOST_TEST(sample(text, R"(corio_sockets{endpoint="/socket.io/",namespace="/"})") == "2");
    BOOST_TEST(sample(text, R"(corio_sockets{endpoint="/socket.io/",namespace="/chat"})") == "1");
    BOOST_TEST(sample(text, R"(corio_namespaces{endpoint="/socket.io/"})") == "2");
    BOOST_TEST(sample(text, R"(corio_socket_connects_total{endpoint="/socket.io/"})") == "3");
    BOOST_TEST(sample(text, R"(corio_socket_connects_refused_total{endpoint="/socket.io/"})") == "1");
    BOOST_TEST(
        sample(text, R"(corio_socket_disconnects_total{endpoint="/socket.io/",reason="io_client_disconnect"})") == "0");

    leaving->disconnect();
    dropped->close(corio::engine::close_reason::transport_close);
    BOOST_TEST_REQUIRE(drive_until([&] {
        return disconnects(io, corio::disconnect_reason::client_disconnect) == 1 &&
               disconnects(io, corio::disconnect_reason::transport_close) == 1;
    }));
    text = scrape(io);
    BOOST_TEST(sample(text, R"(corio_sockets{endpoint="/socket.io/",namespace="/"})") == "0");
    BOOST_TEST(
        sample(text, R"(corio_socket_disconnects_total{endpoint="/socket.io/",reason="io_client_disconnect"})") == "1");
    BOOST_TEST(sample(text, R"(corio_socket_disconnects_total{endpoint="/socket.io/",reason="transport_close"})") ==
               "1");
    BOOST_TEST(sample(text, R"(corio_socket_disconnects_total{endpoint="/socket.io/",reason="ping_timeout"})") == "0");
    // The engine's samples follow (the in-process clients open no engine session).
    BOOST_TEST(sample(text, R"(corio_engine_sessions{endpoint="/socket.io/",transport="websocket"})") == "0");
}

BOOST_AUTO_TEST_CASE(handler_and_argument_errors_are_written)
{
    io.of("/").on("typed", [](corio::context&, int) {});
    io.of("/").on("throws", [](corio::context&) { throw std::runtime_error("bug"); });
    auto c = client();
    c->emit("typed", "not a number");
    c->emit("throws");
    BOOST_TEST_REQUIRE(drive_until([&] { return io.stats().argument_errors == 1 && io.stats().handler_errors == 1; }));
    auto text = scrape(io);
    BOOST_TEST(sample(text, R"(corio_argument_errors_total{endpoint="/socket.io/"})") == "1");
    BOOST_TEST(sample(text, R"(corio_handler_errors_total{endpoint="/socket.io/"})") == "1");
}

BOOST_AUTO_TEST_CASE(broadcasts_and_their_deliveries_are_counted_and_written)
{
    auto root = io.of("/");
    root.on("join", [](corio::context& ctx) {
        ctx.join("r");
        return true;
    });
    root.on("me", [](corio::context& ctx) {
        ctx.emit("you"); // to one socket: no broadcast
        return true;
    });
    auto a = client(), b = client(), c = client();
    BOOST_TEST_REQUIRE(a->emit_with_ack("join").has_value());
    BOOST_TEST_REQUIRE(b->emit_with_ack("join").has_value());
    BOOST_TEST_REQUIRE(c->emit_with_ack("me").has_value());
    BOOST_TEST_REQUIRE(c->wait_for("you").has_value());
    BOOST_TEST(io.stats().broadcasts == 0u);
    BOOST_TEST(io.stats().broadcast_deliveries == 0u);

    root.to("r").emit("news", 1); // a and b
    root.emit("all", 2);          // everyone
    root.to("nobody").emit("x");  // a broadcast that reaches no one
    BOOST_TEST_REQUIRE(c->wait_for("all").has_value());
    BOOST_TEST_REQUIRE(drive_until([&] { return io.stats().broadcast_deliveries == 5; }));
    auto stats = io.stats();
    BOOST_TEST(stats.broadcasts == 3u);
    BOOST_TEST(stats.broadcast_deliveries == 5u);

    auto text = scrape(io);
    BOOST_TEST(sample(text, R"(corio_broadcasts_total{endpoint="/socket.io/"})") == "3");
    BOOST_TEST(sample(text, R"(corio_broadcast_deliveries_total{endpoint="/socket.io/"})") == "5");
}

BOOST_AUTO_TEST_CASE(handler_durations_include_awaited_work_and_ack_round_trips_end_at_the_answer)
{
    auto root = io.of("/");
    root.on("quick", [](corio::context&) { return true; });
    root.on("slow", [](corio::context&) -> net::awaitable<bool> {
        co_await corio::sleep(30ms);
        co_return true;
    });
    // Not capturing: g++ 12 mishandles capturing lambda coroutines.
    root.on("ask", [](corio::context& ctx) -> net::awaitable<void> {
        auto answer = co_await ctx.emit_with_ack("question");
        static_cast<void>(answer);
    });
    auto c = client();
    BOOST_TEST_REQUIRE(c->emit_with_ack("quick").has_value());
    BOOST_TEST_REQUIRE(c->emit_with_ack("slow").has_value());
    BOOST_TEST_REQUIRE(drive_until([&] { return io.stats().handler_duration.count() == 2; }));
    auto handlers = io.stats().handler_duration;
    BOOST_TEST_REQUIRE(handlers.counts.size() == handlers.bounds.size() + 1);
    // The slow one awaited 30 ms: above the 25 ms bound, the sum at least that.
    std::uint64_t above_25ms = 0;
    for (std::size_t i = 0; i < handlers.bounds.size(); ++i)
        if (handlers.bounds[i] > 0.025)
            above_25ms += handlers.counts[i];
    above_25ms += handlers.counts.back();
    BOOST_TEST(above_25ms == 1u);
    BOOST_TEST(handlers.sum >= 0.030);
    BOOST_TEST(io.stats().ack_round_trip.count() == 0u);

    // Answered: one round trip observed. Unanswered (timed out): none.
    c->on_ack_request([](const corio::testing::received_event&) { return corio::arguments::of("yes"); });
    c->emit("ask");
    BOOST_TEST_REQUIRE(drive_until([&] { return io.stats().handler_duration.count() == 3; }));
    BOOST_TEST(io.stats().ack_round_trip.count() == 1u);
    auto silent = client();
    silent->emit("ask");
    BOOST_TEST_REQUIRE(drive_until([&] { return io.stats().handler_duration.count() == 4; }));
    BOOST_TEST(io.stats().ack_round_trip.count() == 1u);

    auto text = scrape(io);
    BOOST_TEST(sample(text, R"(corio_event_handler_duration_seconds_count{endpoint="/socket.io/"})") == "4");
    BOOST_TEST(sample(text, R"(corio_event_handler_duration_seconds_bucket{endpoint="/socket.io/",le="+Inf"})") == "4");
    BOOST_TEST(sample(text, R"(corio_event_handler_duration_seconds_bucket{endpoint="/socket.io/",le="0.0001"})") !=
               "absent");
    BOOST_TEST(sample(text, R"(corio_ack_round_trip_seconds_count{endpoint="/socket.io/"})") == "1");
}

BOOST_AUTO_TEST_SUITE_END()
