// A Socket.IO server's Prometheus samples (corio::write_metrics) and the
// server_stats counters behind them: sockets by namespace, connects, refused
// connects, and disconnects by reason.

#include "server_fixture.hpp"

#include <corio/metrics.hpp>

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

BOOST_AUTO_TEST_SUITE_END()
