// server::async_close_all completes only once the clients have their close:
// each test stops the server's io_context the moment it completes, as an
// application's main does, and then looks at what the clients received.

#include "test_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/test/unit_test.hpp>

#include <future>
#include <memory>
#include <utility>

using namespace corio_test;
using corio::engine::close_reason;

namespace {

/// Pings once a minute and waits as long for a pong or a GET: nothing ends
/// a session but what a test does.
corio::engine::options quiet_options()
{
    auto o = fast_options();
    o.ping_interval = 60s;
    o.ping_timeout = 60s;
    return o;
}

/// Starts `s.server().async_close_all(server_shutdown, deadline)` on the
/// server's threads. When it completes, the server's io_context is stopped
/// at once, so nothing more is written; the future is ready then.
std::future<void> close_all_then_stop(test_server& s, std::chrono::milliseconds deadline)
{
    auto done = std::make_shared<std::promise<void>>();
    auto ready = done->get_future();
    auto& ioc = s.io_context();
    net::co_spawn(ioc, s.server().async_close_all(close_reason::server_shutdown, deadline),
                  [&ioc, done](std::exception_ptr) {
                      ioc.stop();
                      done->set_value();
                  });
    return ready;
}

bool ready_within(std::future<void>& f, std::chrono::milliseconds limit = io_limit)
{
    return f.wait_for(limit) == std::future_status::ready;
}

/// What a WebSocket client reads until its connection ends, and how it ended.
struct ws_reading {
    std::vector<std::string> messages;
    boost::system::error_code end;
};

ws_reading read_to_close(ws_client& ws)
{
    ws_reading r;
    for (;;) {
        auto m = ws.read(r.end);
        if (r.end)
            return r;
        r.messages.push_back(std::move(m));
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(close_all)

BOOST_AUTO_TEST_CASE(websocket_clients_have_the_close_packet_and_frame_once_it_completes)
{
    test_server s(quiet_options());
    ws_client a(s.port(), query(s.path(), "websocket"));
    ws_client b(s.port(), query(s.path(), "websocket"));
    BOOST_TEST_REQUIRE(a.read().front() == '0');
    BOOST_TEST_REQUIRE(b.read().front() == '0');
    // The clients read on, as clients do: each answers the close frame.
    auto reading_a = std::async(std::launch::async, [&a] { return read_to_close(a); });
    auto reading_b = std::async(std::launch::async, [&b] { return read_to_close(b); });

    auto closed = close_all_then_stop(s, 5s);
    BOOST_TEST_REQUIRE(ready_within(closed));
    for (auto* reading : {&reading_a, &reading_b}) {
        auto r = reading->get();
        BOOST_TEST_REQUIRE(r.messages.size() == 1u);
        BOOST_TEST(r.messages[0] == "1");
        BOOST_TEST_INFO("the connection ended with " << r.end.message());
        BOOST_TEST((r.end == websocket::error::closed));
    }
}

BOOST_AUTO_TEST_CASE(a_polling_client_has_the_close_packet_once_it_completes)
{
    test_server s(quiet_options());
    auto sid = open_polling(s);
    // Whether this GET is waiting when the close comes or arrives after it,
    // its answer is the close packet, and the close is not done before that
    // answer is written.
    auto get = std::async(std::launch::async, [&] {
        boost::system::error_code ec;
        auto res = http_get_within(s.port(), query(s.path(), "polling", sid), ec);
        return std::make_pair(res, ec);
    });

    auto closed = close_all_then_stop(s, 5s);
    BOOST_TEST_REQUIRE(ready_within(closed));
    auto [res, ec] = get.get();
    BOOST_TEST_INFO("the GET ended with " << ec.message());
    BOOST_TEST(!ec);
    BOOST_TEST(res.body() == "1");
}

BOOST_AUTO_TEST_CASE(it_waits_for_the_get_that_collects_a_polling_close)
{
    test_server s(quiet_options());
    auto sid = open_polling(s);
    auto closed = close_all_then_stop(s, 10s);
    BOOST_TEST_REQUIRE((s.handler().wait_closed(sid) == close_reason::server_shutdown));
    // Closed, but its close packet is owed to the client's next GET.
    BOOST_TEST((closed.wait_for(0s) == std::future_status::timeout));

    boost::system::error_code ec;
    auto res = http_get_within(s.port(), query(s.path(), "polling", sid), ec);
    BOOST_TEST(!ec);
    BOOST_TEST(res.body() == "1");
    BOOST_TEST(ready_within(closed));
}

BOOST_AUTO_TEST_CASE(a_session_opened_while_it_waits_is_closed_too)
{
    test_server s(quiet_options());
    auto first = open_polling(s);
    auto closed = close_all_then_stop(s, 10s);
    BOOST_TEST_REQUIRE((s.handler().wait_closed(first) == close_reason::server_shutdown));
    // The first client has not collected its close, so the wait goes on. A
    // handshake that completes now, as one under way when the sessions were
    // listed does, is closed too (it was left open until its ping timeout).
    auto late = open_polling(s);
    BOOST_TEST_REQUIRE((s.handler().wait_closed(late) == close_reason::server_shutdown));
    for (const auto& sid : {first, late}) {
        boost::system::error_code ec;
        auto res = http_get_within(s.port(), query(s.path(), "polling", sid), ec);
        BOOST_TEST(!ec);
        BOOST_TEST(res.body() == "1");
    }
    BOOST_TEST(ready_within(closed));
}

BOOST_AUTO_TEST_CASE(it_completes_at_the_deadline_when_a_client_does_not_collect_its_close)
{
    test_server s(quiet_options());
    open_polling(s);
    const auto started = std::chrono::steady_clock::now();
    auto closed = close_all_then_stop(s, 100ms);
    BOOST_TEST_REQUIRE(ready_within(closed));
    BOOST_TEST((std::chrono::steady_clock::now() - started >= 100ms));
}

BOOST_AUTO_TEST_CASE(it_completes_at_once_without_sessions)
{
    test_server s(quiet_options());
    auto closed = close_all_then_stop(s, 60s);
    BOOST_TEST(ready_within(closed));
}

BOOST_AUTO_TEST_SUITE_END()
