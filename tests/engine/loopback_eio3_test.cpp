// Engine.IO v3 clients (options::allow_eio3) on loopback: the v3 payload
// framing, the reversed heartbeat, v3 binary WebSocket frames, the upgrade.
#include "test_server.hpp"

#include <boost/test/unit_test.hpp>

#include <string_view>

using namespace corio_test;
using corio::engine::close_reason;

BOOST_AUTO_TEST_SUITE(loopback_eio3)

namespace {

corio::engine::options v3_options()
{
    auto o = fast_options();
    o.allow_eio3 = true;
    return o;
}

std::string v3_query(const std::string& path, const std::string& transport, const std::string& sid = {},
                     std::string_view extra = {})
{
    std::string q = path + "?EIO=3&transport=" + transport;
    if (!sid.empty())
        q += "&sid=" + sid;
    q += extra;
    return q;
}

/// Opens a v3 polling session: the open packet comes framed `<length>:0{...}`.
/// `extra` goes on the handshake's query (the session keeps it: `&b64=1`).
std::string open_v3(test_server& s, std::string_view extra = {})
{
    auto body = http_request(s.port(), http::verb::get, v3_query(s.path(), "polling", {}, extra)).body();
    const auto colon = body.find(':');
    BOOST_TEST_REQUIRE(colon != std::string::npos);
    BOOST_TEST(body.substr(0, colon) == std::to_string(body.size() - colon - 1));
    return sid_of(body.substr(colon + 1));
}

} // namespace

BOOST_AUTO_TEST_CASE(eio3_is_refused_unless_allowed)
{
    test_server s;
    auto res = http_request(s.port(), http::verb::get, v3_query(s.path(), "polling"));
    BOOST_TEST(res.result_int() == 400);
    BOOST_TEST(res.body() == R"({"code":5,"message":"Unsupported protocol version"})");
    BOOST_TEST(open_polling(s).size() == 20u); // v4 as ever
}

BOOST_AUTO_TEST_CASE(only_the_literal_3_is_v3)
{
    test_server s(v3_options());
    for (std::string_view eio : {"03", "3.0", "2", ""}) {
        BOOST_TEST_CONTEXT(eio)
        {
            auto res = http_request(s.port(), http::verb::get, s.path() + "?EIO=" + std::string(eio) + "&transport=polling");
            BOOST_TEST(res.result_int() == 400);
        }
    }
}

BOOST_AUTO_TEST_CASE(text_payloads_are_length_prefixed)
{
    test_server s(v3_options());
    auto sid = open_v3(s);
    BOOST_TEST(s.handler().find(sid)->protocol_version() == 3);
    auto post = http_request(s.port(), http::verb::post, v3_query(s.path(), "polling", sid), "2:4€6:4hello");
    BOOST_TEST(post.body() == "ok");
    auto get = http_request(s.port(), http::verb::get, v3_query(s.path(), "polling", sid));
    BOOST_TEST(get[http::field::content_type] == "text/plain; charset=UTF-8");
    BOOST_TEST(get.body() == "2:4€6:4hello");
}

BOOST_AUTO_TEST_CASE(binary_goes_back_as_base64_with_b64_else_as_a_binary_payload)
{
    test_server s(v3_options());
    auto b64 = open_v3(s, "&b64=1");
    http_request(s.port(), http::verb::post, v3_query(s.path(), "polling", b64, "&b64=1"), "6:b4AQID");
    auto get = http_request(s.port(), http::verb::get, v3_query(s.path(), "polling", b64, "&b64=1"));
    BOOST_TEST(get.body() == "6:b4AQID");

    auto xhr2 = open_v3(s);
    const std::string binary_body("\x01\x04\xff\x04\x01\x02\x03" "\x00\x03\xff" "4hi", 13);
    auto post = http_request(s.port(), http::verb::post, v3_query(s.path(), "polling", xhr2), binary_body,
                             {{"Content-Type", "application/octet-stream"}});
    BOOST_TEST(post.body() == "ok");
    auto res = http_request(s.port(), http::verb::get, v3_query(s.path(), "polling", xhr2));
    BOOST_TEST(res[http::field::content_type] == "application/octet-stream");
    BOOST_TEST(res.body() == binary_body);
}

BOOST_AUTO_TEST_CASE(the_client_pings_and_the_server_closes_without_pings)
{
    test_server s(v3_options());
    auto sid = open_v3(s);
    // A client pinging every 250 ms stays open over five ping intervals (300
    // ms; the deadline is 500 ms after each ping), and the server sends
    // nothing of its own: each GET gets only the pong.
    for (int round = 0; round < 6; ++round) {
        BOOST_TEST(http_request(s.port(), http::verb::post, v3_query(s.path(), "polling", sid), "1:2").body() == "ok");
        BOOST_TEST(http_request(s.port(), http::verb::get, v3_query(s.path(), "polling", sid)).body() == "1:3");
        BOOST_TEST_REQUIRE(!s.handler().wait_closed(sid, 250ms));
    }
    // No ping: closed after ping_interval + ping_timeout.
    BOOST_TEST((s.handler().wait_closed(sid) == close_reason::ping_timeout));
}

BOOST_AUTO_TEST_CASE(a_pong_from_a_v3_client_is_a_parse_error)
{
    test_server s(v3_options());
    auto sid = open_v3(s);
    BOOST_TEST(http_request(s.port(), http::verb::post, v3_query(s.path(), "polling", sid), "1:3").result_int() == 400);
    BOOST_TEST((s.handler().wait_closed(sid) == close_reason::parse_error));
}

BOOST_AUTO_TEST_CASE(malformed_payload_ends_only_that_session)
{
    test_server s(v3_options());
    auto bad = open_v3(s);
    auto good = open_v3(s);
    auto res = http_request(s.port(), http::verb::post, v3_query(s.path(), "polling", bad), "5:4hi");
    BOOST_TEST(res.result_int() == 400);
    BOOST_TEST((s.handler().wait_closed(bad) == close_reason::parse_error));
    http_request(s.port(), http::verb::post, v3_query(s.path(), "polling", good), "3:4ok");
    BOOST_TEST(http_request(s.port(), http::verb::get, v3_query(s.path(), "polling", good)).body() == "3:4ok");
}

BOOST_AUTO_TEST_CASE(websocket_binary_frames_carry_the_type_byte)
{
    test_server s(v3_options());
    ws_client ws(s.port(), v3_query(s.path(), "websocket"));
    BOOST_TEST(ws.read().front() == '0');
    ws.send_binary(std::string_view("\x04\x01\x02", 3));
    BOOST_TEST(ws.read() == std::string_view("\x04\x01\x02", 3));
    BOOST_TEST(ws.got_binary());
    ws.send_text("2");
    BOOST_TEST(ws.read() == "3");
    ws.send_text("4text");
    BOOST_TEST(ws.read() == "4text");
}

BOOST_AUTO_TEST_CASE(upgrade_from_polling)
{
    test_server s(v3_options());
    auto sid = open_v3(s);
    ws_client ws(s.port(), v3_query(s.path(), "websocket", sid));
    ws.send_text("2probe");
    BOOST_TEST(ws.read() == "3probe");
    BOOST_TEST(http_request(s.port(), http::verb::get, v3_query(s.path(), "polling", sid)).body() == "1:6");
    ws.send_text("5");
    ws.send_binary(std::string_view("\x04\x07", 2));
    BOOST_TEST(ws.read() == std::string_view("\x04\x07", 2));
    BOOST_TEST((s.handler().find(sid)->transport() == corio::engine::transport_kind::websocket));
}

BOOST_AUTO_TEST_SUITE_END()
