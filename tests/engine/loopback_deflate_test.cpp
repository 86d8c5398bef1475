#include "test_server.hpp"

#include <corio/protocol/permessage_deflate.hpp>

#include <boost/test/unit_test.hpp>

using namespace corio_test;
using corio::engine::close_reason;
namespace pmd = corio::protocol::websocket;

BOOST_AUTO_TEST_SUITE(loopback_deflate)

namespace {

const std::string deflate_offer = "permessage-deflate; client_max_window_bits";
const std::string deflate_answer = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";

/// permessage-deflate on, threshold 1024; pings once a minute, so a raw
/// client sees only the frames a test provokes.
corio::engine::options deflate_options()
{
    auto o = fast_options();
    o.ping_interval = 60s;
    o.ping_timeout = 60s;
    o.compression.enabled = true;
    return o;
}

std::string json_filler(std::size_t n)
{
    std::string s;
    for (std::size_t i = 0; s.size() < n; ++i)
        s += "{\"id\":" + std::to_string(i) + ",\"name\":\"item\"},";
    s.resize(n);
    return s;
}

std::string deflate_open_sid(raw_ws_client& c)
{
    auto open = c.read_frame();
    BOOST_TEST_REQUIRE(open.head == 0x81); // the open packet is small: not compressed
    return sid_of(open.payload);
}

/// The server's close frame with `code`, then its hang-up.
void expect_close_code(raw_ws_client& c, std::uint16_t code)
{
    const auto f = c.read_frame();
    BOOST_TEST(f.head == 0x88);
    BOOST_TEST_REQUIRE(f.payload.size() == 2u);
    BOOST_TEST(((static_cast<unsigned char>(f.payload[0]) << 8) | static_cast<unsigned char>(f.payload[1])) == code);
    boost::system::error_code ec;
    c.read_to_end(ec);
    BOOST_TEST((ec == net::error::eof));
}

} // namespace

BOOST_AUTO_TEST_CASE(beast_client_round_trips_compressed_messages)
{
    // Beast compresses what it sends (the server inflates it) and inflates
    // what it gets: its zlib, not ours, checks the bytes both ways.
    test_server s(deflate_options());
    ws_client ws(s.port(), query(s.path(), "websocket"), true);
    ws.read(); // open
    const auto big = "4" + json_filler(8000);
    ws.send_text(big);
    BOOST_TEST(ws.next() == big);
    ws.send_text("4small");
    BOOST_TEST(ws.next() == "4small");
    const std::string bytes(5000, '\x07');
    ws.send_binary(bytes);
    BOOST_TEST(ws.next() == bytes);
    BOOST_TEST(ws.got_binary());
    // The second compressed message inflates on its own too.
    ws.send_text(big);
    BOOST_TEST(ws.next() == big);
}

BOOST_AUTO_TEST_CASE(frames_at_the_threshold_are_compressed_and_smaller_ones_not)
{
    test_server s(deflate_options());
    raw_ws_client c(s.port(), query(s.path(), "websocket"), deflate_offer);
    BOOST_TEST(c.extensions() == deflate_answer);
    deflate_open_sid(c);

    // "4" + 1023 bytes: 1024, the threshold.
    const auto at = "4" + json_filler(1023);
    c.write(client_frame(0x81, at));
    auto f = c.read_frame();
    BOOST_TEST(f.head == 0xC1); // FIN, RSV1, text
    BOOST_TEST(f.payload.size() < at.size() / 2);
    pmd::inflater inflater(1 << 20);
    std::string out;
    BOOST_TEST_REQUIRE((inflater.inflate_message(f.payload, out) == pmd::inflate_error::none));
    BOOST_TEST(out == at);

    const auto below = "4" + json_filler(1022);
    c.write(client_frame(0x81, below));
    f = c.read_frame();
    BOOST_TEST(f.head == 0x81);
    BOOST_TEST(f.payload == below);

    // A compressed message from the client, delivered inflated.
    const auto squeezed = pmd::deflate_message("4", json_filler(3000));
    c.write(client_frame(0xC1, squeezed));
    f = c.read_frame();
    BOOST_TEST(f.head == 0xC1);
    BOOST_TEST_REQUIRE((inflater.inflate_message(f.payload, out) == pmd::inflate_error::none));
    BOOST_TEST(out == "4" + json_filler(3000));
}

BOOST_AUTO_TEST_CASE(off_by_default_nothing_changes)
{
    auto o = deflate_options();
    o.compression.enabled = false;
    test_server s(o);
    raw_ws_client c(s.port(), query(s.path(), "websocket"), deflate_offer);
    BOOST_TEST(c.extensions().empty());
    auto sid = deflate_open_sid(c);
    const auto big = "4" + json_filler(4000);
    c.write(client_frame(0x81, big));
    auto f = c.read_frame();
    BOOST_TEST(f.head == 0x81);
    BOOST_TEST(f.payload == big);
    // Without the extension RSV1 is a protocol error.
    c.write(client_frame(0xC1, pmd::deflate_message("4", "x")));
    expect_close_code(c, 1002);
    BOOST_TEST((s.handler().wait_closed(sid) == close_reason::parse_error));
}

BOOST_AUTO_TEST_CASE(a_client_that_does_not_offer_gets_plain_frames)
{
    test_server s(deflate_options());
    raw_ws_client c(s.port(), query(s.path(), "websocket"));
    BOOST_TEST(c.extensions().empty());
    deflate_open_sid(c);
    const auto big = "4" + json_filler(4000);
    c.write(client_frame(0x81, big));
    auto f = c.read_frame();
    BOOST_TEST(f.head == 0x81);
    BOOST_TEST(f.payload == big);
}

BOOST_AUTO_TEST_CASE(zip_bomb_closes_with_1009_and_spares_the_others)
{
    test_server s(deflate_options());
    raw_ws_client bomber(s.port(), query(s.path(), "websocket"), deflate_offer);
    auto sid = deflate_open_sid(bomber);
    raw_ws_client other(s.port(), query(s.path(), "websocket"), deflate_offer);
    deflate_open_sid(other);

    // Some 100 bytes on the wire, a megabyte inflated: the limit is 10 000.
    const auto bomb = pmd::deflate_message("4", std::string(1 << 20, 'a'));
    BOOST_TEST_REQUIRE(bomb.size() < 10'000u);
    bomber.write(client_frame(0xC1, bomb));
    expect_close_code(bomber, 1009);
    BOOST_TEST((s.handler().wait_closed(sid) == close_reason::payload_too_large));

    const auto at_limit = "4" + std::string(9'999, 'b');
    other.write(client_frame(0xC1, pmd::deflate_message("", at_limit)));
    auto f = other.read_frame();
    BOOST_TEST(f.head == 0xC1);
}

BOOST_AUTO_TEST_CASE(bad_compressed_data_closes_with_1007)
{
    test_server s(deflate_options());
    raw_ws_client c(s.port(), query(s.path(), "websocket"), deflate_offer);
    auto sid = deflate_open_sid(c);
    c.write(client_frame(0xC1, "\xff\xff\xff\xff")); // BTYPE 11 is reserved
    expect_close_code(c, 1007);
    BOOST_TEST((s.handler().wait_closed(sid) == close_reason::parse_error));

    // Inflated text must be UTF-8 as any text message.
    raw_ws_client d(s.port(), query(s.path(), "websocket"), deflate_offer);
    sid = deflate_open_sid(d);
    d.write(client_frame(0xC1, pmd::deflate_message("4", "\xc3\x28")));
    expect_close_code(d, 1007);
    BOOST_TEST((s.handler().wait_closed(sid) == close_reason::parse_error));
}

BOOST_AUTO_TEST_CASE(a_shared_packet_is_compressed_once_for_every_session_unless_it_says_not_to)
{
    test_server s(deflate_options());
    raw_ws_client a(s.port(), query(s.path(), "websocket"), deflate_offer);
    auto a_sid = deflate_open_sid(a);
    raw_ws_client b(s.port(), query(s.path(), "websocket"), deflate_offer);
    auto b_sid = deflate_open_sid(b);
    auto to_a = s.handler().find(a_sid);
    auto to_b = s.handler().find(b_sid);
    BOOST_TEST_REQUIRE((to_a && to_b));

    auto batch = std::make_shared<std::vector<corio::protocol::packet>>();
    batch->push_back(corio::protocol::text_message(json_filler(5000)));
    std::shared_ptr<const std::vector<corio::protocol::packet>> shared = batch;
    to_a->send_shared(shared);
    to_b->send_shared(shared);
    const auto fa = a.read_frame();
    const auto fb = b.read_frame();
    BOOST_TEST(fa.head == 0xC1);
    BOOST_TEST(fb.head == 0xC1);
    BOOST_TEST(fa.payload == fb.payload);
    // The bytes both got are the ones the packet keeps.
    BOOST_TEST(fa.payload == shared->front().deflated.get("4", shared->front().data));

    auto plain = corio::protocol::text_message(json_filler(5000));
    plain.compress = false;
    to_a->send(std::move(plain));
    const auto f = a.read_frame();
    BOOST_TEST(f.head == 0x81);
    BOOST_TEST(f.payload == "4" + json_filler(5000));
}

BOOST_AUTO_TEST_SUITE_END()
