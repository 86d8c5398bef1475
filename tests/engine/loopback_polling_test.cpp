#include "test_server.hpp"

#include <boost/asio/read.hpp>
#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <corio/engine/session_id.hpp>

#include <array>
#include <set>
#include <string_view>
#include <thread>
#include <vector>

using namespace corio_test;
using corio::engine::close_reason;

BOOST_AUTO_TEST_SUITE(loopback_polling)

BOOST_AUTO_TEST_CASE(handshake_answers_the_open_packet_with_exactly_the_protocol_keys)
{
    test_server s;
    auto res = http_request(s.port(), http::verb::get, query(s.path(), "polling"));
    BOOST_TEST(res.result_int() == 200);
    BOOST_TEST(res[http::field::content_type] == "text/plain; charset=UTF-8");
    BOOST_TEST_REQUIRE(res.body().front() == '0');
    auto sid = sid_of(res.body());
    BOOST_TEST(res.body() == "0{\"sid\":\"" + sid +
                                 "\",\"upgrades\":[\"websocket\"],\"pingInterval\":300,\"pingTimeout\":200,"
                                 "\"maxPayload\":10000}");
}

BOOST_AUTO_TEST_CASE(session_ids_are_20_base64url_characters_and_unique)
{
    test_server s;
    std::set<std::string> ids;
    for (int i = 0; i < 100; ++i) {
        auto sid = open_polling(s);
        BOOST_TEST(sid.size() == 20u);
        BOOST_TEST(sid.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
                   std::string::npos);
        ids.insert(sid);
    }
    BOOST_TEST(ids.size() == 100u);
}

// A sid is the only credential of a polling session: 120 bits from the
// kernel's CSPRNG. Each of the 120 bits of 4096 ids must be set in 40-60 %
// of them (a fair coin is outside that with probability about 1e-37 per
// bit): a counter, a clock or a weak generator would leave some fixed.
BOOST_AUTO_TEST_CASE(session_ids_carry_120_random_bits)
{
    constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    constexpr int count = 4096;
    std::array<int, 120> ones{};
    std::set<std::string> ids;
    for (int i = 0; i < count; ++i) {
        auto id = corio::engine::make_session_id();
        BOOST_TEST_REQUIRE(id.size() == 20u);
        for (std::size_t c = 0; c < id.size(); ++c) {
            auto value = alphabet.find(id[c]);
            BOOST_TEST_REQUIRE(value != std::string_view::npos);
            for (int b = 0; b < 6; ++b)
                ones[c * 6 + static_cast<std::size_t>(b)] += (value >> b) & 1;
        }
        ids.insert(std::move(id));
    }
    BOOST_TEST(ids.size() == static_cast<std::size_t>(count));
    for (std::size_t bit = 0; bit < ones.size(); ++bit)
        BOOST_TEST_CONTEXT("bit " << bit)
        {
            BOOST_TEST(ones[bit] > count * 4 / 10);
            BOOST_TEST(ones[bit] < count * 6 / 10);
        }
}

BOOST_AUTO_TEST_CASE(text_and_binary_messages_echo_in_one_response)
{
    test_server s;
    auto sid = open_polling(s);
    auto post = http_request(s.port(), http::verb::post, query(s.path(), "polling", sid), "4hello\x1e" "bAQIDBA==");
    BOOST_TEST(post.result_int() == 200);
    BOOST_TEST(post.body() == "ok");
    auto get = http_request(s.port(), http::verb::get, query(s.path(), "polling", sid));
    BOOST_TEST(get.body() == "4hello\x1e" "bAQIDBA==");
}

BOOST_AUTO_TEST_CASE(packet_types_a_client_may_not_send_get_400)
{
    test_server s;
    auto sid = open_polling(s);
    auto res = http_request(s.port(), http::verb::post, query(s.path(), "polling", sid), "4ok\x1e" "0");
    BOOST_TEST(res.result_int() == 400);
    BOOST_TEST((s.handler().wait_closed(sid) == close_reason::parse_error));
}

BOOST_AUTO_TEST_CASE(malformed_payload_gets_400_and_ends_only_that_session)
{
    test_server s;
    auto bad = open_polling(s);
    auto good = open_polling(s);
    auto res = http_request(s.port(), http::verb::post, query(s.path(), "polling", bad), "abc");
    BOOST_TEST(res.result_int() == 400);
    BOOST_TEST((s.handler().wait_closed(bad) == close_reason::parse_error));
    BOOST_TEST(http_request(s.port(), http::verb::get, query(s.path(), "polling", bad)).result_int() == 400);

    http_request(s.port(), http::verb::post, query(s.path(), "polling", good), "4still here");
    BOOST_TEST(http_request(s.port(), http::verb::get, query(s.path(), "polling", good)).body() == "4still here");
}

namespace {

/// One request written in `pieces`, and the answer read. The pauses between
/// pieces let the server read each alone; the answer does not depend on it.
response request_in_pieces(std::uint16_t port, const std::vector<std::string>& pieces)
{
    net::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect({net::ip::make_address("127.0.0.1"), port});
    socket.set_option(tcp::no_delay(true));
    for (const auto& piece : pieces) {
        net::write(socket, net::buffer(piece));
        std::this_thread::sleep_for(20ms);
    }
    boost::beast::flat_buffer buffer;
    response res;
    boost::system::error_code ec;
    http::read(socket, buffer, res, ec);
    return res;
}

} // namespace

// The listener reads on until it has the header, then the body: in any
// number of reads, with a Content-Length or chunked.
BOOST_AUTO_TEST_CASE(a_request_in_several_reads_is_read_whole)
{
    test_server s;
    auto sid = open_polling(s);
    const std::string target = query(s.path(), "polling", sid);
    const std::string body = "4" + std::string(3'000, 'p');
    const std::string head =
        "POST " + target + " HTTP/1.1\r\nHost: a\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    auto res =
        request_in_pieces(s.port(), {head.substr(0, 20), head.substr(20) + body.substr(0, 100), body.substr(100)});
    BOOST_TEST(res.result_int() == 200);
    BOOST_TEST(res.body() == "ok");
    BOOST_TEST(http_request(s.port(), http::verb::get, target).body() == body);

    res = request_in_pieces(s.port(), {"POST " + target + " HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
                                       "5\r\n4chun\r\n", "3\r\nked\r\n0\r\n\r\n"});
    BOOST_TEST(res.result_int() == 200);
    BOOST_TEST(http_request(s.port(), http::verb::get, target).body() == "4chunked");
}

// A client that closes within its request gets no answer, and the session
// it named is not touched.
BOOST_AUTO_TEST_CASE(a_request_cut_short_gets_no_answer)
{
    test_server s;
    auto sid = open_polling(s);
    const std::string target = query(s.path(), "polling", sid);
    for (const std::string& partial : {"POST " + target + " HTTP/1.1\r\nHost: a\r\n",
                                       "POST " + target + " HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n4abc"}) {
        net::io_context ioc;
        tcp::socket socket(ioc);
        socket.connect({net::ip::make_address("127.0.0.1"), s.port()});
        net::write(socket, net::buffer(partial));
        socket.shutdown(tcp::socket::shutdown_send);
        std::string received;
        boost::system::error_code ec;
        net::read(socket, net::dynamic_buffer(received), ec);
        BOOST_TEST((ec == net::error::eof));
        BOOST_TEST(received.empty());
    }
    http_request(s.port(), http::verb::post, target, "4still here");
    BOOST_TEST(http_request(s.port(), http::verb::get, target).body() == "4still here");
}

BOOST_AUTO_TEST_CASE(oversized_post_gets_413_and_ends_only_that_session)
{
    test_server s;
    auto big = open_polling(s);
    auto other = open_polling(s);
    auto res = http_request(s.port(), http::verb::post, query(s.path(), "polling", big), "4" + std::string(10'000, 'x'));
    BOOST_TEST(res.result_int() == 413);
    BOOST_TEST((s.handler().wait_closed(big) == close_reason::payload_too_large));

    // A body far over every default limit is refused the same way.
    auto huge = open_polling(s);
    auto res2 = http_request(s.port(), http::verb::post, query(s.path(), "polling", huge), std::string(2'000'000, '4'));
    BOOST_TEST(res2.result_int() == 413);
    BOOST_TEST((s.handler().wait_closed(huge) == close_reason::payload_too_large));

    // Exactly at the limit is fine.
    auto at_limit = "4" + std::string(9'999, 'y');
    BOOST_TEST(http_request(s.port(), http::verb::post, query(s.path(), "polling", other), at_limit).body() == "ok");
    BOOST_TEST(http_request(s.port(), http::verb::get, query(s.path(), "polling", other)).body() == at_limit);
}

BOOST_AUTO_TEST_CASE(heartbeat_pings_through_the_poll_and_times_out_without_pong)
{
    test_server s;
    auto sid = open_polling(s);
    for (int round = 0; round < 2; ++round) {
        BOOST_TEST(http_request(s.port(), http::verb::get, query(s.path(), "polling", sid)).body() == "2");
        BOOST_TEST(http_request(s.port(), http::verb::post, query(s.path(), "polling", sid), "3").body() == "ok");
    }
    // No pong this time.
    BOOST_TEST(http_request(s.port(), http::verb::get, query(s.path(), "polling", sid)).body() == "2");
    BOOST_TEST((s.handler().wait_closed(sid) == close_reason::ping_timeout));
    auto after = http_request(s.port(), http::verb::get, query(s.path(), "polling", sid));
    BOOST_TEST(after.result_int() == 400);
    BOOST_TEST(after.body() == R"({"code":1,"message":"Session ID unknown"})");
}

BOOST_AUTO_TEST_CASE(client_close_packet_ends_the_session)
{
    test_server s;
    auto sid = open_polling(s);
    BOOST_TEST(http_request(s.port(), http::verb::post, query(s.path(), "polling", sid), "1").body() == "ok");
    BOOST_TEST((s.handler().wait_closed(sid) == close_reason::client_close));
}

BOOST_AUTO_TEST_CASE(server_close_sends_buffered_packets_then_close)
{
    test_server s;
    auto sid = open_polling(s);
    auto session = s.handler().find(sid);
    BOOST_TEST_REQUIRE(session != nullptr);
    session->send(corio::protocol::text_message("bye"));
    session->close();
    BOOST_TEST((s.handler().wait_closed(sid) == close_reason::server_close));
    // The next GET collects what was owed; then the session is gone.
    BOOST_TEST(http_request(s.port(), http::verb::get, query(s.path(), "polling", sid)).body() == "4bye\x1e" "1");
    BOOST_TEST(http_request(s.port(), http::verb::get, query(s.path(), "polling", sid)).result_int() == 400);
    BOOST_TEST(s.server().session_count() == 0u);
}

BOOST_AUTO_TEST_CASE(many_sessions_in_parallel_each_reach_their_own_state)
{
    test_server s;
    std::vector<std::thread> clients;
    std::atomic<int> ok = 0;
    for (int c = 0; c < 16; ++c) {
        clients.emplace_back([&, c] {
            auto sid = open_polling(s);
            for (int i = 0; i < 5; ++i) {
                auto msg = "4client" + std::to_string(c) + "-" + std::to_string(i);
                http_request(s.port(), http::verb::post, query(s.path(), "polling", sid), msg);
                // The echo is queued before the POST returns, so this GET
                // carries it, maybe beside a ping, which gets its pong.
                auto body = http_request(s.port(), http::verb::get, query(s.path(), "polling", sid)).body();
                bool echoed = false;
                for (std::size_t start = 0; start <= body.size();) {
                    auto end = std::min(body.find('\x1e', start), body.size());
                    auto part = body.substr(start, end - start);
                    if (part == "2")
                        http_request(s.port(), http::verb::post, query(s.path(), "polling", sid), "3");
                    echoed = echoed || part == msg;
                    start = end + 1;
                }
                if (echoed)
                    ++ok;
            }
        });
    }
    for (auto& t : clients)
        t.join();
    BOOST_TEST(ok.load() == 16 * 5);
}

BOOST_AUTO_TEST_CASE(protocol_errors_use_engine_io_codes)
{
    test_server s;
    auto missing_eio = http_request(s.port(), http::verb::get, s.path() + "?transport=polling");
    BOOST_TEST(missing_eio.result_int() == 400);
    BOOST_TEST(missing_eio.body() == R"({"code":5,"message":"Unsupported protocol version"})");
    auto bad_transport = http_request(s.port(), http::verb::get, s.path() + "?EIO=4&transport=abc");
    BOOST_TEST(bad_transport.body() == R"({"code":0,"message":"Transport unknown"})");
    auto post_handshake = http_request(s.port(), http::verb::post, query(s.path(), "polling"), "4x");
    BOOST_TEST(post_handshake.body() == R"({"code":2,"message":"Bad handshake method"})");
    auto unknown = http_request(s.port(), http::verb::get, query(s.path(), "polling", "nosuchsession"));
    BOOST_TEST(unknown.body() == R"({"code":1,"message":"Session ID unknown"})");
}

BOOST_AUTO_TEST_CASE(a_client_that_stops_polling_is_closed_with_send_queue_full)
{
    auto o = fast_options();
    o.ping_interval = 60s; // the queue, not the heartbeat, must end it
    o.ping_timeout = 60s;
    o.max_queued_packets = 8;
    test_server s(o);
    auto sid = open_polling(s);
    auto other = open_polling(s);
    auto session = s.handler().find(sid);
    BOOST_TEST_REQUIRE(session != nullptr);
    // The open packet's response counts until the next GET: 1 + 7 fit.
    for (int i = 0; i < 8; ++i)
        session->send(corio::protocol::text_message("m"));
    BOOST_TEST((s.handler().wait_closed(sid) == close_reason::send_queue_full));
    auto get = http_request(s.port(), http::verb::get, query(s.path(), "polling", sid));
    BOOST_TEST(get.result_int() == 400);
    BOOST_TEST(get.body() == R"({"code":1,"message":"Session ID unknown"})");

    auto post = http_request(s.port(), http::verb::post, query(s.path(), "polling", other), "4still here");
    BOOST_TEST(post.body() == "ok");
    BOOST_TEST(http_request(s.port(), http::verb::get, query(s.path(), "polling", other)).body() == "4still here");
}

BOOST_AUTO_TEST_SUITE_END()
