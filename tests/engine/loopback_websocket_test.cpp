#include "test_server.hpp"

#include <boost/beast/websocket/error.hpp>
#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <random>

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

/// Engine.IO pings only once a minute, so a raw client sees no frames but
/// those a test provokes, and a message stuck in the queue is not carried
/// out by the next heartbeat.
corio::engine::options quiet_options()
{
    auto o = fast_options();
    o.ping_interval = 60s;
    o.ping_timeout = 60s;
    return o;
}

std::string raw_open_sid(raw_ws_client& c)
{
    auto open = c.read_frame();
    BOOST_TEST_REQUIRE(open.head == 0x81); // FIN, text
    BOOST_TEST_REQUIRE(open.payload.front() == '0');
    return sid_of(open.payload);
}

/// The close frame a server sends with 1002 (protocol_error): FIN + close,
/// unmasked, two bytes of payload, 0x03EA.
const std::string close_1002("\x88\x02\x03\xEA", 4);

/// The server's close frame (4 bytes: a code, no reason), then the end of
/// the connection: the server hangs up after it.
void expect_close_frame_then_eof(raw_ws_client& c, const std::string& close_frame)
{
    BOOST_TEST(c.read_bytes(4) == close_frame);
    boost::system::error_code ec;
    BOOST_TEST(c.read_to_end(ec).empty());
    BOOST_TEST_INFO("the connection ended with " << ec.message());
    BOOST_TEST((ec == net::error::eof));
}

/// Appends the payload of every pong `ws` receives to `pongs` (Beast reports
/// control frames only while a read is under way).
void record_pongs(ws_client& ws, std::vector<std::string>& pongs)
{
    ws.stream().control_callback([&pongs](websocket::frame_type kind, boost::beast::string_view payload) {
        if (kind == websocket::frame_type::pong)
            pongs.emplace_back(payload);
    });
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

BOOST_AUTO_TEST_CASE(ping_frame_gets_a_pong_with_the_same_payload)
{
    test_server s;
    ws_client ws(s.port(), query(s.path(), "websocket"));
    ws_open_sid(ws);
    std::vector<std::string> pongs;
    record_pongs(ws, pongs);
    // The longest payload a control frame may carry (125 bytes), any bytes.
    std::string payload(125, '\0');
    for (std::size_t i = 0; i < payload.size(); ++i)
        payload[i] = static_cast<char>(i * 2);
    ws.stream().ping(websocket::ping_data(payload.data(), payload.size()));
    // The echo comes after the pong, so reading it has seen the pong.
    ws.send_text("4x");
    BOOST_TEST(ws.next() == "4x");
    BOOST_TEST_REQUIRE(pongs.size() == 1u);
    BOOST_TEST((pongs.front() == payload));
    // An empty ping gets an empty pong.
    ws.stream().ping({});
    ws.send_text("4y");
    BOOST_TEST(ws.next() == "4y");
    BOOST_TEST_REQUIRE(pongs.size() == 2u);
    BOOST_TEST(pongs.back().empty());
}

BOOST_AUTO_TEST_CASE(ping_and_message_in_one_read_get_the_pong_then_the_echo_at_once)
{
    // Both frames in one TCP write, so the server reads them together: the
    // message's echo is queued while the pong's write is in flight, and must
    // go out when that write completes, not wait for the next heartbeat
    // (a minute away here; the read below gives up after io_limit).
    test_server s(quiet_options());
    raw_ws_client c(s.port(), query(s.path(), "websocket"));
    raw_open_sid(c);
    c.write(client_frame(0x89, "hi") + client_frame(0x81, "4x"));
    auto pong = c.read_frame();
    BOOST_TEST(pong.head == 0x8A); // FIN, pong
    BOOST_TEST(pong.payload == "hi");
    BOOST_TEST_CHECKPOINT("waiting for the echo of 4x after the pong");
    auto echo = c.read_frame();
    BOOST_TEST(echo.head == 0x81);
    BOOST_TEST(echo.payload == "4x");
}

BOOST_AUTO_TEST_CASE(fragmented_messages_are_delivered_whole)
{
    test_server s;
    ws_client ws(s.port(), query(s.path(), "websocket"));
    ws_open_sid(ws);
    auto& stream = ws.stream();
    stream.auto_fragment(false); // one frame per write_some, as written here

    // Text in three fragments comes back as one message.
    stream.text(true);
    stream.write_some(false, net::buffer(std::string_view("4hel")));
    stream.write_some(false, net::buffer(std::string_view("lo wo")));
    stream.write_some(true, net::buffer(std::string_view("rld")));
    BOOST_TEST(ws.next() == "4hello world");
    BOOST_TEST(ws.got_text());

    // A fragment may end inside a character: UTF-8 is checked on the whole
    // message ("é" is C3 A9).
    stream.write_some(false, net::buffer(std::string_view("4caf\xC3")));
    stream.write_some(true, net::buffer(std::string_view("\xA9 ok")));
    BOOST_TEST(ws.next() == "4caf\xC3\xA9 ok");

    // Empty fragments, including the final one.
    stream.write_some(false, net::buffer(std::string_view("4a")));
    stream.write_some(false, net::buffer(std::string_view()));
    stream.write_some(true, net::buffer(std::string_view()));
    BOOST_TEST(ws.next() == "4a");

    // Binary too.
    stream.binary(true);
    stream.write_some(false, net::buffer(std::string_view("\x00\x01", 2)));
    stream.write_some(true, net::buffer(std::string_view("\x02")));
    BOOST_TEST(ws.next() == std::string("\x00\x01\x02", 3));
    BOOST_TEST(ws.got_binary());
}

BOOST_AUTO_TEST_CASE(ping_between_fragments_is_answered_and_the_message_arrives_whole)
{
    test_server s;
    ws_client ws(s.port(), query(s.path(), "websocket"));
    ws_open_sid(ws);
    std::vector<std::string> pongs;
    record_pongs(ws, pongs);
    auto& stream = ws.stream();
    stream.auto_fragment(false);
    stream.text(true);
    stream.write_some(false, net::buffer(std::string_view("4frag")));
    stream.ping(websocket::ping_data("between"));
    stream.write_some(true, net::buffer(std::string_view("mented")));
    BOOST_TEST(ws.next() == "4fragmented");
    BOOST_TEST(ws.got_text());
    BOOST_TEST(pongs == std::vector<std::string>{"between"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(invalid_utf8_closes_with_1007_and_parse_error_and_spares_the_others)
{
    test_server s;
    ws_client whole(s.port(), query(s.path(), "websocket"));
    auto whole_sid = ws_open_sid(whole);
    ws_client fragmented(s.port(), query(s.path(), "websocket"));
    auto fragmented_sid = ws_open_sid(fragmented);
    ws_client other(s.port(), query(s.path(), "websocket"));
    ws_open_sid(other);

    // An overlong encoding of '/' in a single frame.
    whole.send_text("4\xC0\xAF");
    boost::system::error_code ec;
    whole.read(ec);
    BOOST_TEST_INFO("read ended with " << ec.message());
    BOOST_TEST((ec == websocket::error::closed));
    BOOST_TEST((whole.reason().code == websocket::close_code::bad_payload)); // 1007
    BOOST_TEST((s.handler().wait_closed(whole_sid) == close_reason::parse_error));

    // A character cut by a fragment boundary and never completed.
    auto& stream = fragmented.stream();
    stream.auto_fragment(false);
    stream.text(true);
    stream.write_some(false, net::buffer(std::string_view("4caf\xC3")));
    stream.write_some(true, net::buffer(std::string_view("(")));
    fragmented.read(ec);
    BOOST_TEST_INFO("read ended with " << ec.message());
    BOOST_TEST((ec == websocket::error::closed));
    BOOST_TEST((fragmented.reason().code == websocket::close_code::bad_payload));
    BOOST_TEST((s.handler().wait_closed(fragmented_sid) == close_reason::parse_error));

    other.send_text("4still here");
    BOOST_TEST(other.next() == "4still here");
}

BOOST_AUTO_TEST_CASE(unmasked_frame_closes_with_1002_then_eof)
{
    test_server s(quiet_options());
    raw_ws_client c(s.port(), query(s.path(), "websocket"));
    auto sid = raw_open_sid(c);
    c.write(client_frame(0x81, "4x", false)); // a client must mask (RFC 6455, section 5.1)
    expect_close_frame_then_eof(c, close_1002);
    BOOST_TEST((s.handler().wait_closed(sid) == close_reason::parse_error));
}

BOOST_AUTO_TEST_CASE(frame_with_rsv1_closes_with_1002_then_eof)
{
    test_server s(quiet_options());
    raw_ws_client c(s.port(), query(s.path(), "websocket"));
    auto sid = raw_open_sid(c);
    c.write(client_frame(0xC1, "4x")); // FIN, RSV1, text: no extension was negotiated
    expect_close_frame_then_eof(c, close_1002);
    BOOST_TEST((s.handler().wait_closed(sid) == close_reason::parse_error));
}

BOOST_AUTO_TEST_CASE(client_close_frame_gets_a_close_frame_back)
{
    test_server s;
    ws_client ws(s.port(), query(s.path(), "websocket"));
    auto sid = ws_open_sid(ws);
    // Beast's close completes only once the server's close frame came and
    // the server hung up.
    auto ec = ws.close(websocket::close_code::normal);
    BOOST_TEST_INFO("close ended with " << ec.message());
    BOOST_TEST(!ec.failed());
    BOOST_TEST((ws.reason().code == websocket::close_code::normal));
    BOOST_TEST((s.handler().wait_closed(sid) == close_reason::transport_close));

    // A close frame without a code is answered too.
    ws_client no_code(s.port(), query(s.path(), "websocket"));
    auto no_code_sid = ws_open_sid(no_code);
    ec = no_code.close(websocket::close_reason{});
    BOOST_TEST_INFO("close ended with " << ec.message());
    BOOST_TEST(!ec.failed());
    BOOST_TEST((s.handler().wait_closed(no_code_sid) == close_reason::transport_close));
}

BOOST_AUTO_TEST_CASE(client_close_frame_gets_its_code_echoed_then_the_server_hangs_up)
{
    // The bytes themselves: the server's close frame echoes 1000, and the
    // handshake being complete, the server closes the TCP connection first.
    test_server s(quiet_options());
    raw_ws_client c(s.port(), query(s.path(), "websocket"));
    auto sid = raw_open_sid(c);
    c.write(client_frame(0x88, std::string("\x03\xE8", 2)));
    expect_close_frame_then_eof(c, std::string("\x88\x02\x03\xE8", 4));
    BOOST_TEST((s.handler().wait_closed(sid) == close_reason::transport_close));
}

BOOST_AUTO_TEST_CASE(message_then_close_frame_from_fuzz_session_input)
{
    // tests/fuzz/corpus/session/crash-d80e5776…: a WebSocket session, a text
    // message, then a close frame. Writing the server's close frame (no
    // prefix before its payload) passed a null pointer to memcpy, undefined
    // behaviour that UBSan reports; the echo and the close frame must go out.
    test_server s(quiet_options());
    raw_ws_client c(s.port(), query(s.path(), "websocket"));
    auto sid = raw_open_sid(c);
    c.write(client_frame(0x81, "40{\"token\":\"bad\"}"));
    auto echo = c.read_frame();
    BOOST_TEST(echo.head == 0x81);
    BOOST_TEST(echo.payload == "40{\"token\":\"bad\"}");
    c.write(client_frame(0x88, std::string("\x03\xE8", 2)));
    expect_close_frame_then_eof(c, std::string("\x88\x02\x03\xE8", 4));
    BOOST_TEST((s.handler().wait_closed(sid) == close_reason::transport_close));
}

BOOST_AUTO_TEST_CASE(a_burst_of_frames_cut_across_reads_is_read_whole_and_in_order)
{
    // Some 600 KB of frames in one TCP write: the server reads 64 KiB at a
    // time, so frames (and the fragments of fragmented messages) are cut by
    // the ends of reads and completed by the next. Every message must be
    // echoed intact and in order.
    test_server s(quiet_options());
    raw_ws_client c(s.port(), query(s.path(), "websocket"));
    raw_open_sid(c);
    std::minstd_rand random(7);
    std::vector<raw_ws_client::frame> expected;
    std::string burst;
    for (std::size_t i = 0; i < 2000; ++i) {
        const bool binary = i % 3 == 2;
        const std::size_t size = random() % (i % 50 == 0 ? 10'000 : 300);
        std::string payload(size, '\0');
        for (std::size_t k = 0; k < size; ++k)
            payload[k] = binary ? static_cast<char>(random()) : static_cast<char>('a' + (i + k) % 26);
        if (!binary)
            payload = "4" + payload.substr(0, size == 0 ? 0 : size - 1);
        const unsigned char op = binary ? 0x02 : 0x01;
        if (i % 7 == 0) {
            // Three fragments: first, continuation, final continuation.
            const auto a = payload.size() / 3;
            const auto b = 2 * payload.size() / 3;
            burst += client_frame(op, std::string_view(payload).substr(0, a));
            burst += client_frame(0x00, std::string_view(payload).substr(a, b - a));
            burst += client_frame(0x80, std::string_view(payload).substr(b));
        } else {
            burst += client_frame(0x80 | op, payload);
        }
        expected.push_back({static_cast<unsigned char>(0x80 | op), std::move(payload)});
    }
    c.write(burst);
    for (std::size_t i = 0; i < expected.size(); ++i) {
        auto got = c.read_frame();
        BOOST_TEST_INFO("message " << i << ": " << got.payload.size() << " bytes, " << expected[i].payload.size()
                                   << " expected");
        BOOST_TEST_REQUIRE(got.head == expected[i].head);
        BOOST_TEST_REQUIRE((got.payload == expected[i].payload));
    }
}

BOOST_AUTO_TEST_CASE(many_queued_packets_arrive_in_order_and_intact)
{
    auto o = fast_options();
    o.max_queued_bytes = 64 * 1024 * 1024; // all of them may be queued at once
    test_server s(o);
    ws_client ws(s.port(), query(s.path(), "websocket"));
    auto sid = ws_open_sid(ws);
    auto session = s.handler().find(sid);
    BOOST_TEST_REQUIRE(session != nullptr);

    // Frame payload sizes: each side of the length encodings' limits (7-bit
    // up to 125, 16-bit up to 65535, 64-bit beyond) for text and for binary,
    // then pseudo-random ones, some large. A text frame's payload is its
    // type digit and its data.
    const std::size_t edges[] = {0, 1, 125, 126, 127, 65535, 65536, 70000};
    std::minstd_rand random(20240601);
    struct expected_frame {
        bool binary;
        std::string payload;
    };
    std::vector<expected_frame> expected;
    for (std::size_t i = 0; i < 500; ++i) {
        const bool binary = i % 2 == 1;
        std::size_t size = i < 16 ? edges[i / 2] : random() % (i % 16 == 0 ? 70'001 : 3'000);
        if (!binary)
            size = std::max<std::size_t>(size, 1); // at least the digit
        std::string data(binary ? size : size - 1, '\0');
        for (std::size_t k = 0; k < data.size(); ++k)
            data[k] = binary ? static_cast<char>((i * 31 + k * 7) & 0xFF) : static_cast<char>('a' + (i + k) % 26);
        expected.push_back({binary, binary ? data : "4" + data});
        // Sent from this thread while earlier ones are being written, so
        // they queue up and go out in batches.
        session->send(binary ? corio::protocol::binary_message(std::move(data))
                             : corio::protocol::text_message(std::move(data)));
    }

    for (std::size_t i = 0; i < expected.size(); ++i) {
        auto got = ws.next();
        BOOST_TEST_INFO("frame " << i << ": " << got.size() << " bytes, " << expected[i].payload.size()
                                 << " expected");
        BOOST_TEST_REQUIRE(ws.got_binary() == expected[i].binary);
        BOOST_TEST_REQUIRE((got == expected[i].payload)); // parenthesised: no dump of 70 KB
    }
    BOOST_TEST(!s.handler().wait_closed(sid, 0ms).has_value());
}

BOOST_AUTO_TEST_CASE(single_frame_at_max_payload_is_accepted_and_one_byte_more_closes_with_1009)
{
    // A limit above the 64 KiB a read takes, so a message at the limit
    // arrives over several reads, in one frame with a 64-bit length.
    auto o = fast_options();
    o.limits.max_payload = 200'000;
    test_server s(o);
    ws_client at_limit(s.port(), query(s.path(), "websocket"));
    ws_open_sid(at_limit);
    ws_client over(s.port(), query(s.path(), "websocket"));
    auto over_sid = ws_open_sid(over);
    at_limit.stream().auto_fragment(false);
    over.stream().auto_fragment(false);

    std::string bytes(200'000, '\0');
    for (std::size_t k = 0; k < bytes.size(); ++k)
        bytes[k] = static_cast<char>(k * 13);
    at_limit.send_binary(bytes);
    auto echo = at_limit.next();
    BOOST_TEST(at_limit.got_binary());
    BOOST_TEST((echo == bytes));

    over.send_binary(bytes + "!");
    boost::system::error_code ec;
    over.read(ec);
    BOOST_TEST_INFO("read ended with " << ec.message());
    BOOST_TEST((ec == websocket::error::closed));
    BOOST_TEST((over.reason().code == websocket::close_code::too_big));
    BOOST_TEST((s.handler().wait_closed(over_sid) == close_reason::payload_too_large));
}

BOOST_AUTO_TEST_CASE(fragments_count_together_against_max_payload)
{
    test_server s; // max_payload 10 000
    ws_client at_limit(s.port(), query(s.path(), "websocket"));
    ws_open_sid(at_limit);
    ws_client over(s.port(), query(s.path(), "websocket"));
    auto over_sid = ws_open_sid(over);

    // 5 000 + 5 000 bytes: exactly the limit.
    auto& stream = at_limit.stream();
    stream.auto_fragment(false);
    stream.text(true);
    const std::string first = "4" + std::string(4'999, 'a');
    const std::string second(5'000, 'b');
    stream.write_some(false, net::buffer(first));
    stream.write_some(true, net::buffer(second));
    BOOST_TEST((at_limit.next() == first + second));

    // 6 000 + 5 000 bytes: each fragment is under the limit, the message is not.
    auto& over_stream = over.stream();
    over_stream.auto_fragment(false);
    over_stream.text(true);
    over_stream.write_some(false, net::buffer("4" + std::string(5'999, 'a')));
    over_stream.write_some(true, net::buffer(second));
    boost::system::error_code ec;
    over.read(ec);
    BOOST_TEST_INFO("read ended with " << ec.message());
    BOOST_TEST((ec == websocket::error::closed));
    BOOST_TEST((over.reason().code == websocket::close_code::too_big));
    BOOST_TEST((s.handler().wait_closed(over_sid) == close_reason::payload_too_large));
}

BOOST_AUTO_TEST_SUITE_END()
