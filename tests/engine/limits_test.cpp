// The HTTP listener's limits (listener_options) and the endpoint's handshake
// rate (options::handshake_rate): each one's answer or close, and its counter,
// on loopback, with limits small enough to reach at once.

#include <corio/engine/stats.hpp>

#include "engine/rate_limiter.hpp"
#include "test_server.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

using namespace corio_test;

namespace {

namespace engine = corio::engine;

/// True once `done()` holds, checked every few milliseconds for at most
/// `limit`.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = io_limit)
{
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

/// A plain TCP client for bytes and HTTP exchanges no library client makes:
/// every read is bounded by io_limit.
class raw_client {
public:
    /// `receive_buffer`: SO_RCVBUF, when not 0 (a client that reads slowly).
    explicit raw_client(std::uint16_t port, int receive_buffer = 0) : socket_(ioc_)
    {
        socket_.open(tcp::v4());
        if (receive_buffer)
            socket_.set_option(net::socket_base::receive_buffer_size(receive_buffer));
        socket_.connect({net::ip::make_address("127.0.0.1"), port});
    }

    void write(std::string_view bytes) { net::write(socket_, net::buffer(bytes)); }

    /// Sends a GET for `target` (keep-alive).
    void get(const std::string& target, const std::vector<std::pair<std::string, std::string>>& headers = {})
    {
        http::request<http::empty_body> req{http::verb::get, target, 11};
        req.set(http::field::host, "127.0.0.1");
        for (auto& [k, v] : headers)
            req.set(k, v);
        http::write(socket_, req);
    }

    /// The next response; `ec` set if none came within io_limit.
    response read_response(boost::system::error_code& ec)
    {
        response res;
        bool done = false;
        http::async_read(socket_, buffer_, res, [&](boost::system::error_code e, std::size_t) {
            ec = e;
            done = true;
        });
        finish_within(ioc_, socket_, done, io_limit, ec);
        return res;
    }

    /// Everything until the server closes; `ec` is eof (or a reset) when it
    /// did, timed_out when it did not within `limit`.
    std::string read_to_end(boost::system::error_code& ec, std::chrono::milliseconds limit = io_limit)
    {
        std::string out = boost::beast::buffers_to_string(buffer_.data());
        buffer_.consume(buffer_.size());
        const auto deadline = std::chrono::steady_clock::now() + limit;
        std::array<char, 4096> chunk;
        while (!ec) {
            bool done = false;
            socket_.async_read_some(net::buffer(chunk), [&](boost::system::error_code e, std::size_t n) {
                out.append(chunk.data(), n);
                ec = e;
                done = true;
            });
            finish_within(ioc_, socket_, done, deadline - std::chrono::steady_clock::now(), ec);
        }
        return out;
    }

    void close()
    {
        boost::system::error_code ignored;
        socket_.close(ignored);
    }

private:
    net::io_context ioc_;
    tcp::socket socket_;
    boost::beast::flat_buffer buffer_;
};

} // namespace

BOOST_AUTO_TEST_SUITE(limits)

BOOST_AUTO_TEST_CASE(write_timeout_cuts_a_long_poll_the_client_does_not_read)
{
    engine::listener_options lo;
    lo.write_timeout = 300ms;
    auto o = fast_options();
    // Far more than the socket buffers of both ends hold, in one answer.
    o.max_queued_bytes = 64 * 1024 * 1024;
    // The long poll must find its session alive. With fast_options' 500 ms
    // without a pong, a sanitizer build on a loaded machine sometimes took
    // longer than that to queue the answer and send the GET, and the GET was
    // refused (no write to time out).
    o.ping_interval = 1s;
    o.ping_timeout = 1s;
    // Built before the session opens: its ping clock starts there.
    std::vector<corio::protocol::packet> answer;
    for (int i = 0; i < 160; ++i)
        answer.push_back(corio::protocol::text_message(std::string(100'000, 'x')));
    test_server server(o, nullptr, lo);
    auto sid = open_polling(server);
    auto session = server.handler().find(sid);
    BOOST_REQUIRE(session);
    session->send(std::move(answer));

    raw_client reader(server.port(), 4096);
    reader.get(query(server.path(), "polling", sid));
    // The client reads nothing: the write is cut at the timeout, the
    // connection closed and counted.
    BOOST_TEST(eventually([&] { return server.listener().stats().write_timeouts == 1; }));
    BOOST_TEST(eventually([&] { return server.listener().stats().connections_open == 0; }));
    // The session, which never hears from its client again, ends too.
    BOOST_TEST((server.handler().wait_closed(sid) == engine::close_reason::ping_timeout));
    BOOST_TEST(server.server().stats().closed_with(engine::close_reason::ping_timeout) == 1);
}

BOOST_AUTO_TEST_CASE(oversized_header_block_gets_431_then_close)
{
    engine::listener_options lo;
    lo.max_header_size = 1024;
    test_server server(fast_options(), nullptr, lo);
    raw_client client(server.port());
    client.get("/nothing", {{"X-Filler", std::string(2048, 'a')}});
    boost::system::error_code ec;
    auto res = client.read_response(ec);
    BOOST_TEST(!ec);
    BOOST_TEST(res.result_int() == 431);
    BOOST_TEST(!res.keep_alive());
    client.read_to_end(ec);
    BOOST_TEST(hung_up(ec), ec.message());
    BOOST_TEST(server.listener().stats().headers_too_large == 1);
}

BOOST_AUTO_TEST_CASE(idle_timeout_applies_before_the_first_request_and_between_requests)
{
    engine::listener_options lo;
    lo.http_idle_timeout = 200ms;
    lo.header_timeout = 60s;
    test_server server(fast_options(), nullptr, lo);

    raw_client silent(server.port());
    boost::system::error_code ec;
    silent.read_to_end(ec);
    BOOST_TEST(hung_up(ec), ec.message());
    // Counted as the server's read ends, which may be just after the client
    // sees the close.
    BOOST_TEST(eventually([&] { return server.listener().stats().idle_timeouts == 1; }));

    raw_client kept(server.port());
    kept.get("/nothing");
    auto res = kept.read_response(ec);
    BOOST_TEST(!ec);
    BOOST_TEST(res.keep_alive());
    kept.read_to_end(ec);
    BOOST_TEST(hung_up(ec), ec.message());
    BOOST_TEST(eventually([&] { return server.listener().stats().idle_timeouts == 2; }));
    BOOST_TEST(server.listener().stats().header_timeouts == 0);
}

BOOST_AUTO_TEST_CASE(header_timeout_cuts_a_slow_loris_however_often_it_sends)
{
    engine::listener_options lo;
    lo.http_idle_timeout = 60s;
    lo.header_timeout = 300ms;
    test_server server(fast_options(), nullptr, lo);

    // One header byte every 20 ms, far more often than any idle timeout,
    // until the server hangs up.
    net::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect({net::ip::make_address("127.0.0.1"), server.port()});
    net::write(socket, net::buffer(std::string_view("GET / HTTP/1.1\r\nX-Slow: ")));
    boost::system::error_code ec;
    bool done = false;
    std::array<char, 256> sink;
    socket.async_read_some(net::buffer(sink), [&](boost::system::error_code e, std::size_t) {
        ec = e;
        done = true;
    });
    net::steady_timer tick(ioc);
    std::function<void(boost::system::error_code)> trickle = [&](boost::system::error_code te) {
        if (te || done)
            return;
        boost::system::error_code ignored;
        net::write(socket, net::buffer(std::string_view("a")), ignored);
        tick.expires_after(20ms);
        tick.async_wait(trickle);
    };
    trickle({});
    ioc.run_for(io_limit);
    BOOST_TEST(done);
    BOOST_TEST(hung_up(ec), ec.message());
    BOOST_TEST(eventually([&] { return server.listener().stats().header_timeouts == 1; }));
    BOOST_TEST(server.listener().stats().idle_timeouts == 0);
}

BOOST_AUTO_TEST_CASE(keep_alive_requests_are_capped_per_connection)
{
    engine::listener_options lo;
    lo.max_requests_per_connection = 3;
    test_server server(fast_options(), nullptr, lo);
    raw_client client(server.port());
    boost::system::error_code ec;
    for (int i = 0; i < 2; ++i) {
        client.get("/nothing");
        auto res = client.read_response(ec);
        BOOST_TEST(!ec);
        BOOST_TEST(res.result_int() == 404);
        BOOST_TEST(res.keep_alive());
    }
    // The third, to the Engine.IO endpoint (which writes its own answer):
    // a handshake, answered with Connection: close.
    client.get(query(server.path(), "polling"));
    auto res = client.read_response(ec);
    BOOST_TEST(!ec);
    BOOST_TEST(res.result_int() == 200);
    BOOST_TEST(!res.keep_alive());
    client.read_to_end(ec);
    BOOST_TEST(hung_up(ec), ec.message());
    BOOST_TEST(server.listener().stats().keep_alive_limit_reached == 1);
}

BOOST_AUTO_TEST_CASE(at_capacity_a_connection_gets_503_at_once)
{
    engine::listener_options lo;
    lo.max_connections = 2;
    test_server server(fast_options(), nullptr, lo);
    auto a = std::make_unique<raw_client>(server.port());
    raw_client b(server.port());
    BOOST_TEST(eventually([&] { return server.listener().stats().connections_open == 2; }));

    raw_client refused(server.port());
    refused.get("/nothing");
    boost::system::error_code ec;
    auto answer = refused.read_to_end(ec);
    BOOST_TEST(hung_up(ec), ec.message());
    BOOST_TEST(answer.starts_with("HTTP/1.1 503 "), answer);
    BOOST_TEST(server.listener().stats().refused_at_capacity == 1);

    // One leaves: the next one is served.
    a.reset();
    BOOST_TEST(eventually([&] { return server.listener().stats().connections_open == 1; }));
    raw_client next(server.port());
    next.get("/nothing");
    auto res = next.read_response(ec);
    BOOST_TEST(!ec);
    BOOST_TEST(res.result_int() == 404);
}

BOOST_AUTO_TEST_CASE(websocket_connections_count_against_the_capacity)
{
    engine::listener_options lo;
    lo.max_connections = 1;
    test_server server(fast_options(), nullptr, lo);
    {
        ws_client ws(server.port(), query(server.path(), "websocket"));
        BOOST_TEST(ws.read().starts_with("0"));
        BOOST_TEST(server.listener().stats().connections_open == 1);
        raw_client refused(server.port());
        boost::system::error_code ec;
        auto answer = refused.read_to_end(ec);
        BOOST_TEST(answer.starts_with("HTTP/1.1 503 "), answer);
        BOOST_TEST(server.listener().stats().refused_at_capacity == 1);
        ws.close(websocket::close_code::normal);
    }
    // The session ends, and with it the count of its connection.
    BOOST_TEST(eventually([&] { return server.listener().stats().connections_open == 0; }));
    BOOST_TEST(eventually([&] { return server.server().stats().closed_with(engine::close_reason::transport_close) +
                                           server.server().stats().closed_with(engine::close_reason::client_close) ==
                                       1; }));
}

BOOST_AUTO_TEST_CASE(connections_per_address_are_capped_unless_from_a_trusted_proxy)
{
    {
        engine::listener_options lo;
        lo.max_connections_per_address = 1;
        test_server server(fast_options(), nullptr, lo);
        raw_client first(server.port());
        BOOST_TEST(eventually([&] { return server.listener().stats().connections_open == 1; }));
        raw_client second(server.port());
        second.get("/nothing");
        boost::system::error_code ec;
        auto answer = second.read_to_end(ec);
        BOOST_TEST(hung_up(ec), ec.message());
        BOOST_TEST(answer.starts_with("HTTP/1.1 429 "), answer);
        BOOST_TEST(server.listener().stats().refused_per_address == 1);
    }
    {
        engine::listener_options lo;
        lo.max_connections_per_address = 1;
        lo.trusted_proxies = {"127.0.0.1"};
        test_server server(fast_options(), nullptr, lo);
        raw_client first(server.port());
        raw_client second(server.port());
        second.get("/nothing");
        boost::system::error_code ec;
        auto res = second.read_response(ec);
        BOOST_TEST(!ec);
        BOOST_TEST(res.result_int() == 404);
        BOOST_TEST(server.listener().stats().refused_per_address == 0);
    }
}

BOOST_AUTO_TEST_CASE(handshakes_per_address_are_rate_limited_after_proxy_resolution)
{
    auto o = fast_options();
    // Two at once, then one every 1000 s: the third is refused however
    // slowly the test runs.
    o.handshake_rate = {0.001, 2};
    engine::listener_options lo;
    lo.trusted_proxies = {"127.0.0.1"};
    test_server server(o, nullptr, lo);
    for (int i = 0; i < 2; ++i)
        BOOST_TEST(http_request(server.port(), http::verb::get, query(server.path(), "polling")).result_int() == 200);

    auto refused = http_request(server.port(), http::verb::get, query(server.path(), "polling"));
    BOOST_TEST(refused.result_int() == 429);
    auto body = boost::json::parse(refused.body());
    BOOST_TEST(body.at("code").as_int64() == 4);
    BOOST_TEST(body.at("message").as_string() == "Too many handshakes");

    // A WebSocket handshake from the same address too.
    raw_client ws(server.port());
    ws.get(query(server.path(), "websocket"), {{"Upgrade", "websocket"},
                                              {"Connection", "Upgrade"},
                                              {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                                              {"Sec-WebSocket-Version", "13"}});
    boost::system::error_code ec;
    auto res = ws.read_response(ec);
    BOOST_TEST(!ec);
    BOOST_TEST(res.result_int() == 429);

    // Another client behind the trusted proxy has its own bucket.
    auto other = http_request(server.port(), http::verb::get, query(server.path(), "polling"), {},
                              {{"X-Forwarded-For", "192.0.2.7"}});
    BOOST_TEST(other.result_int() == 200);

    auto stats = server.server().stats();
    BOOST_TEST(stats.handshakes_refused_rate == 2);
    BOOST_TEST(stats.sessions_opened == 3);
}

BOOST_AUTO_TEST_CASE(rate_limiter_refills_and_forgets_full_buckets)
{
    corio::engine::detail::rate_limiter limiter(10, 2);
    auto t0 = corio::engine::detail::rate_limiter::clock::now();
    BOOST_TEST(limiter.try_take("a", t0));
    BOOST_TEST(limiter.try_take("a", t0));
    BOOST_TEST(!limiter.try_take("a", t0));
    BOOST_TEST(limiter.try_take("b", t0));
    // 10 per second: a token again after 100 ms, not before.
    BOOST_TEST(!limiter.try_take("a", t0 + 50ms));
    BOOST_TEST(limiter.try_take("a", t0 + 160ms));
    // Many keys once: the buckets full again are dropped.
    for (int i = 0; i < 5000; ++i)
        limiter.try_take("k" + std::to_string(i), t0 + 10s + std::chrono::milliseconds(i));
    BOOST_TEST(limiter.size() < 5000);

    corio::engine::detail::rate_limiter unlimited(0, 0);
    for (int i = 0; i < 100; ++i)
        BOOST_TEST(unlimited.try_take("a", t0));
}

BOOST_AUTO_TEST_SUITE_END()
