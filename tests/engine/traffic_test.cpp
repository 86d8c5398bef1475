// endpoint_stats' traffic: Engine.IO packets and their bytes, in and out,
// over WebSocket and long-polling, and kept once the sessions are gone.

#include "test_server.hpp"

#include <corio/engine/metrics.hpp>

#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <vector>

using namespace corio_test;

BOOST_AUTO_TEST_SUITE(traffic)

namespace {

/// No pings during a test: every packet is one it sends or provokes.
corio::engine::options quiet_options()
{
    auto o = fast_options();
    o.ping_interval = 60s;
    o.ping_timeout = 60s;
    return o;
}

/// The value of the sample written exactly as `series`, or "absent".
std::string sample(const std::string& text, const std::string& series)
{
    auto line = "\n" + series + " ";
    auto at = text.find(line);
    if (at == std::string::npos)
        return "absent";
    auto begin = at + line.size();
    return text.substr(begin, text.find('\n', begin) - begin);
}

} // namespace

BOOST_AUTO_TEST_CASE(websocket_messages_count_as_packets_and_their_payloads_as_bytes)
{
    test_server s(quiet_options());
    ws_client ws(s.port(), query(s.path(), "websocket"));
    auto open = ws.read();
    auto sid = sid_of(open);
    ws.send_text("4hello");
    BOOST_TEST(ws.read() == "4hello");
    const std::string binary("\x01\x02\x00\x04", 4);
    ws.send_binary(binary);
    BOOST_TEST(ws.read() == binary);

    auto stats = s.server().stats();
    BOOST_TEST(stats.packets_in == 2u);
    BOOST_TEST(stats.bytes_in == 6u + 4u);
    // The open packet, then both echoes; a text packet's type digit counts.
    BOOST_TEST(stats.packets_out == 3u);
    BOOST_TEST(stats.bytes_out == open.size() + 6u + 4u);

    corio::engine::metrics_writer w;
    corio::engine::write_metrics(w, s.server());
    auto text = w.text();
    auto labels = "{endpoint=\"" + s.path() + "\"}";
    BOOST_TEST(sample(text, "corio_engine_packets_received_total" + labels) == "2");
    BOOST_TEST(sample(text, "corio_engine_packets_sent_total" + labels) == "3");
    BOOST_TEST(sample(text, "corio_engine_received_bytes_total" + labels) == "10");
    BOOST_TEST(sample(text, "corio_engine_sent_bytes_total" + labels) == std::to_string(open.size() + 10));

    // A client's close frame ends the session without an Engine.IO packet:
    // the counts stay, now among the finished sessions'.
    ws.close(websocket::close_code::normal);
    BOOST_TEST_REQUIRE(s.handler().wait_closed(sid).has_value());
    auto after = s.server().stats();
    BOOST_TEST(after.packets_in == stats.packets_in);
    BOOST_TEST(after.bytes_in == stats.bytes_in);
    BOOST_TEST(after.packets_out == stats.packets_out);
    BOOST_TEST(after.bytes_out == stats.bytes_out);
}

BOOST_AUTO_TEST_CASE(polling_counts_each_packet_of_a_payload_and_the_bodies_as_bytes)
{
    test_server s(quiet_options());
    auto handshake = http_request(s.port(), http::verb::get, query(s.path(), "polling"));
    auto sid = sid_of(handshake.body());
    const std::string payload = "4hello\x1e"
                                "bAQIDBA==";
    auto post = http_request(s.port(), http::verb::post, query(s.path(), "polling", sid), payload);
    BOOST_TEST_REQUIRE(post.body() == "ok");
    auto get = http_request(s.port(), http::verb::get, query(s.path(), "polling", sid));
    BOOST_TEST_REQUIRE(get.body() == payload);

    auto stats = s.server().stats();
    BOOST_TEST(stats.packets_in == 2u);
    BOOST_TEST(stats.bytes_in == payload.size());
    BOOST_TEST(stats.packets_out == 3u);
    BOOST_TEST(stats.bytes_out == handshake.body().size() + payload.size());
}

BOOST_AUTO_TEST_CASE(totals_add_up_over_sessions_open_and_finished)
{
    test_server s(quiet_options());
    std::size_t open_bytes = 0;
    std::vector<std::string> sids;
    {
        std::vector<std::unique_ptr<ws_client>> clients;
        for (int i = 0; i < 3; ++i) {
            clients.push_back(std::make_unique<ws_client>(s.port(), query(s.path(), "websocket")));
            auto open = clients.back()->read();
            open_bytes += open.size();
            sids.push_back(sid_of(open));
            for (int k = 0; k <= i; ++k) {
                clients.back()->send_text("4x");
                BOOST_TEST(clients.back()->read() == "4x");
            }
        }
        // 1 + 2 + 3 echoes of 2 bytes each, plus the open packets.
        auto stats = s.server().stats();
        BOOST_TEST(stats.packets_in == 6u);
        BOOST_TEST(stats.packets_out == 9u);
        BOOST_TEST(stats.bytes_out == open_bytes + 12u);
        clients.front()->close(websocket::close_code::normal);
        BOOST_TEST_REQUIRE(s.handler().wait_closed(sids.front()).has_value());
        stats = s.server().stats();
        BOOST_TEST(stats.packets_in == 6u);
        BOOST_TEST(stats.bytes_in == 12u);
    }
    for (auto& sid : sids)
        BOOST_TEST_REQUIRE(s.handler().wait_closed(sid).has_value());
    auto stats = s.server().stats();
    BOOST_TEST(stats.packets_in == 6u);
    BOOST_TEST(stats.packets_out == 9u);
    BOOST_TEST(stats.bytes_out == open_bytes + 12u);
}

BOOST_AUTO_TEST_SUITE_END()
