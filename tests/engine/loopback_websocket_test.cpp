#include "test_server.hpp"

#include <boost/beast/websocket/error.hpp>
#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

using namespace corio_test;
using corio::engine::close_reason;

BOOST_AUTO_TEST_SUITE(loopback_websocket)

namespace {

std::string ws_open_sid(ws_client& ws)
{
    auto open = ws.read();
    BOOST_TEST_REQUIRE(open.front() == '0');
    auto v = boost::json::parse(std::string_view(open).substr(1));
    BOOST_TEST(v.at("upgrades").as_array().empty());
    return std::string(v.at("sid").as_string());
}

} // namespace

BOOST_AUTO_TEST_CASE(opens_with_the_open_packet_and_echoes_text_and_binary)
{
    test_server s;
    ws_client ws(s.port(), query(s.path(), "websocket"));
    ws_open_sid(ws);
    ws.send_text("4hello");
    BOOST_TEST(ws.next() == "4hello");
    BOOST_TEST(!ws.got_binary());
    ws.send_binary(std::string("\x01\x02\x00\x04", 4));
    BOOST_TEST(ws.next() == std::string("\x01\x02\x00\x04", 4));
    BOOST_TEST(ws.got_binary());
}

BOOST_AUTO_TEST_CASE(heartbeat_keeps_an_answering_client_and_drops_a_silent_one)
{
    test_server s;
    ws_client answering(s.port(), query(s.path(), "websocket"));
    auto answering_sid = ws_open_sid(answering);
    ws_client silent(s.port(), query(s.path(), "websocket"));
    auto silent_sid = ws_open_sid(silent);

    // Three ping rounds (~900 ms) outlast the silent client's 500 ms.
    for (int i = 0; i < 3; ++i) {
        BOOST_TEST(answering.read() == "2");
        answering.send_text("3");
    }
    BOOST_TEST((s.handler().wait_closed(silent_sid) == close_reason::ping_timeout));
    answering.send_text("4alive");
    BOOST_TEST(answering.next() == "4alive");
    BOOST_TEST(!s.handler().wait_closed(answering_sid, 0ms).has_value());
}

BOOST_AUTO_TEST_CASE(invalid_packet_closes_with_protocol_error)
{
    test_server s;
    ws_client ws(s.port(), query(s.path(), "websocket"));
    auto sid = ws_open_sid(ws);
    ws.send_text("abc");
    boost::system::error_code ec;
    ws.read(ec);
    BOOST_TEST((ec == websocket::error::closed));
    BOOST_TEST((ws.reason().code == websocket::close_code::protocol_error));
    BOOST_TEST((s.handler().wait_closed(sid) == close_reason::parse_error));
}

BOOST_AUTO_TEST_CASE(oversized_message_closes_with_1009_and_spares_the_others)
{
    test_server s;
    ws_client big(s.port(), query(s.path(), "websocket"));
    auto big_sid = ws_open_sid(big);
    ws_client other(s.port(), query(s.path(), "websocket"));
    ws_open_sid(other);

    big.send_text("4" + std::string(10'000, 'x'));
    boost::system::error_code ec;
    big.read(ec);
    BOOST_TEST_INFO("read ended with " << ec.message());
    BOOST_TEST((ec == websocket::error::closed));
    BOOST_TEST((big.reason().code == websocket::close_code::too_big));
    BOOST_TEST((s.handler().wait_closed(big_sid) == close_reason::payload_too_large));

    auto at_limit = "4" + std::string(9'999, 'y');
    other.send_text(at_limit);
    BOOST_TEST(other.next() == at_limit);
}

BOOST_AUTO_TEST_CASE(client_close_packet_closes_the_websocket)
{
    test_server s;
    ws_client ws(s.port(), query(s.path(), "websocket"));
    auto sid = ws_open_sid(ws);
    ws.send_text("1");
    boost::system::error_code ec;
    ws.read(ec);
    BOOST_TEST((ec == websocket::error::closed));
    BOOST_TEST((s.handler().wait_closed(sid) == close_reason::client_close));
}

BOOST_AUTO_TEST_CASE(server_close_flushes_then_sends_close_packet_and_frame)
{
    test_server s;
    ws_client ws(s.port(), query(s.path(), "websocket"));
    auto sid = ws_open_sid(ws);
    auto session = s.handler().find(sid);
    BOOST_TEST_REQUIRE(session != nullptr);
    session->send(corio::protocol::text_message("last"));
    session->close();
    BOOST_TEST(ws.next() == "4last");
    BOOST_TEST(ws.next() == "1");
    boost::system::error_code ec;
    ws.read(ec);
    BOOST_TEST((ec == websocket::error::closed));
    BOOST_TEST((ws.reason().code == websocket::close_code::normal));
    BOOST_TEST((s.handler().wait_closed(sid) == close_reason::server_close));
}

BOOST_AUTO_TEST_CASE(upgrade_moves_a_polling_session_to_websocket)
{
    test_server s;
    auto sid = open_polling(s);
    ws_client ws(s.port(), query(s.path(), "websocket", sid));
    ws.send_text("2probe");
    BOOST_TEST(ws.read() == "3probe");
    // The pending poll is released with a noop so the client can pause.
    BOOST_TEST(http_request(s.port(), http::verb::get, query(s.path(), "polling", sid)).body() == "6");
    // A message sent over polling during the probe comes back on the WebSocket.
    BOOST_TEST(http_request(s.port(), http::verb::post, query(s.path(), "polling", sid), "4during").body() == "ok");
    ws.send_text("5");
    BOOST_TEST(ws.next() == "4during");
    ws.send_text("4after");
    BOOST_TEST(ws.next() == "4after");
    BOOST_TEST((s.handler().find(sid)->transport() == corio::engine::transport_kind::websocket));

    auto poll = http_request(s.port(), http::verb::get, query(s.path(), "polling", sid));
    BOOST_TEST(poll.result_int() == 400);
    BOOST_TEST(poll.body() == R"({"code":3,"message":"Bad request"})");

    // A second WebSocket for the same session is accepted, then closed.
    ws_client second(s.port(), query(s.path(), "websocket", sid));
    boost::system::error_code ec;
    second.read(ec);
    BOOST_TEST((ec == websocket::error::closed));
    ws.send_text("4still");
    BOOST_TEST(ws.next() == "4still");
}

BOOST_AUTO_TEST_CASE(abandoned_probe_leaves_the_session_on_polling)
{
    test_server s;
    auto sid = open_polling(s);
    {
        ws_client probe(s.port(), query(s.path(), "websocket", sid));
        probe.send_text("4not a probe");
        boost::system::error_code ec;
        probe.read(ec);
        BOOST_TEST(static_cast<bool>(ec));
    }
    http_request(s.port(), http::verb::post, query(s.path(), "polling", sid), "4polling");
    BOOST_TEST(http_request(s.port(), http::verb::get, query(s.path(), "polling", sid)).body() == "4polling");
}

BOOST_AUTO_TEST_CASE(a_client_that_stops_reading_is_closed_with_send_queue_full_and_the_others_carry_on)
{
    auto o = fast_options();
    o.ping_interval = 60s; // the queue, not the heartbeat, must end the silent client
    o.ping_timeout = 60s;
    o.max_queued_bytes = 1024 * 1024;
    test_server s(o);
    ws_client silent(s.port(), query(s.path(), "websocket"));
    auto silent_sid = ws_open_sid(silent);
    ws_client reader(s.port(), query(s.path(), "websocket"));
    auto reader_sid = ws_open_sid(reader);
    auto to_silent = s.handler().find(silent_sid);
    auto to_reader = s.handler().find(reader_sid);
    BOOST_TEST_REQUIRE(to_silent != nullptr);
    BOOST_TEST_REQUIRE(to_reader != nullptr);

    // 64 KiB messages to both, in step with the reader. The silent client's
    // socket buffers fill, then its queue, until it goes over the bound.
    // At most 4096 of them (256 MiB): far more than any kernel buffers.
    const std::string filler(64 * 1024, 'x');
    std::optional<close_reason> silent_closed;
    int sent = 0;
    for (; sent < 4096 && !silent_closed; ++sent) {
        auto text = std::to_string(sent) + filler;
        to_silent->send(corio::protocol::text_message(text));
        to_reader->send(corio::protocol::text_message(text));
        if (reader.next() != "4" + text)
            BOOST_FAIL("the reader missed message " << sent);
        silent_closed = s.handler().wait_closed(silent_sid, 0ms);
    }
    if (!silent_closed)
        silent_closed = s.handler().wait_closed(silent_sid);
    BOOST_TEST_MESSAGE("silent client closed after " << sent << " messages of 64 KiB");
    BOOST_TEST_REQUIRE(silent_closed.has_value());
    BOOST_TEST((*silent_closed == close_reason::send_queue_full));

    // The reader carries on.
    for (int i = 0; i < 16; ++i) {
        to_reader->send(corio::protocol::text_message("after " + std::to_string(i)));
        BOOST_TEST(reader.next() == "4after " + std::to_string(i));
    }
    BOOST_TEST(!s.handler().wait_closed(reader_sid, 0ms).has_value());
    BOOST_TEST(s.server().session_count() == 1u);

    // The silent client finds its connection cut once it reads what the
    // kernel had buffered.
    boost::system::error_code ec;
    for (int frames = 0; !ec && frames < 100'000; ++frames)
        silent.read(ec);
    BOOST_TEST(ec.failed());
}

BOOST_AUTO_TEST_SUITE_END()
