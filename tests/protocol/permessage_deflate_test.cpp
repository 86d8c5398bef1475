#include <corio/protocol/permessage_deflate.hpp>

#include <corio/protocol/engine_packet.hpp>

#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace websocket = corio::protocol::websocket;
using websocket::inflate_error;

BOOST_AUTO_TEST_SUITE(permessage_deflate)

namespace {

const std::string our_answer = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";

std::string text_of(std::size_t n)
{
    std::string s;
    for (std::size_t i = 0; i < n; ++i)
        s += "{\"n\":" + std::to_string(i % 97) + ",\"tag\":\"abc\"},";
    return s.substr(0, n);
}

// The answer, or "none".
std::string answer(std::string_view offers)
{
    return websocket::accept_deflate_offer(offers).value_or("none");
}

} // namespace

BOOST_AUTO_TEST_CASE(accepts_what_browsers_and_ws_offer)
{
    BOOST_TEST(answer("permessage-deflate; client_max_window_bits") == our_answer);
    BOOST_TEST(answer("permessage-deflate") == our_answer);
    BOOST_TEST(answer(" permessage-deflate ;client_max_window_bits=\"12\"; "
                      "server_no_context_takeover; client_no_context_takeover") == our_answer);
    BOOST_TEST(answer("permessage-deflate; server_max_window_bits=15") == our_answer + "; server_max_window_bits=15");
}

BOOST_AUTO_TEST_CASE(passes_over_offers_it_cannot_honour)
{
    BOOST_TEST(!websocket::accept_deflate_offer(""));
    BOOST_TEST(!websocket::accept_deflate_offer("x-webkit-deflate-frame"));
    BOOST_TEST(!websocket::accept_deflate_offer("permessage-deflate; server_max_window_bits=10"));
    BOOST_TEST(!websocket::accept_deflate_offer("permessage-deflate; server_max_window_bits"));
    BOOST_TEST(!websocket::accept_deflate_offer("permessage-deflate; client_max_window_bits=7"));
    BOOST_TEST(!websocket::accept_deflate_offer("permessage-deflate; client_max_window_bits=16"));
    BOOST_TEST(!websocket::accept_deflate_offer("permessage-deflate; mystery"));
    BOOST_TEST(!websocket::accept_deflate_offer("permessage-deflate; server_no_context_takeover=1"));
    BOOST_TEST(
        !websocket::accept_deflate_offer("permessage-deflate; client_no_context_takeover; client_no_context_takeover"));
    // The first offer that fits wins.
    BOOST_TEST(answer("foo, permessage-deflate; server_max_window_bits=10, "
                      "permessage-deflate; client_max_window_bits") == our_answer);
}

BOOST_AUTO_TEST_CASE(round_trip)
{
    websocket::inflater inflater(1 << 20);
    std::string out;
    for (const std::size_t n : {0, 1, 100, 16 * 1024, 300 * 1024}) {
        const auto data = text_of(n);
        const auto squeezed = websocket::deflate_message("4", data);
        if (n >= 1024)
            BOOST_TEST(squeezed.size() < data.size() / 4);
        // The flush tail is the sender's to remove.
        BOOST_TEST(!squeezed.ends_with(std::string_view("\x00\x00\xff\xff", 4)));
        BOOST_TEST_REQUIRE((inflater.inflate_message(squeezed, out) == inflate_error::none));
        BOOST_TEST(out == "4" + data);
    }
}

BOOST_AUTO_TEST_CASE(inflates_rfc_7692_examples)
{
    websocket::inflater inflater(64);
    std::string out;
    // Section 7.2.3.1: "Hello", compressed.
    BOOST_TEST_REQUIRE((inflater.inflate_message("\xf2\x48\xcd\xc9\xc9\x07\x00", out) == inflate_error::none));
    BOOST_TEST(out == "Hello");
    // Section 7.2.3.3: a stored block, no compression.
    BOOST_TEST_REQUIRE(
        (inflater.inflate_message(std::string_view("\x00\x05\x00\xfa\xffHello", 10), out) == inflate_error::none));
    BOOST_TEST(out == "Hello");
    // Section 7.2.3.4: a final (BFINAL) block, as some clients send.
    BOOST_TEST_REQUIRE(
        (inflater.inflate_message(std::string_view("\x01\x05\x00\xfa\xffHello", 10), out) == inflate_error::none));
    BOOST_TEST(out == "Hello");
}

BOOST_AUTO_TEST_CASE(no_context_is_carried_between_messages)
{
    websocket::inflater inflater(1 << 20);
    std::string out;
    const auto data = text_of(8 * 1024);
    // Each message compressed on its own inflates on its own, in any order.
    const auto a = websocket::deflate_message("", data);
    const auto b = websocket::deflate_message("4", data);
    BOOST_TEST_REQUIRE((inflater.inflate_message(b, out) == inflate_error::none));
    BOOST_TEST(out == "4" + data);
    BOOST_TEST_REQUIRE((inflater.inflate_message(a, out) == inflate_error::none));
    BOOST_TEST(out == data);
}

BOOST_AUTO_TEST_CASE(a_zip_bomb_stops_at_the_limit)
{
    // 64 MiB of zeros squeeze into some 64 KiB; the limit is 1 MiB.
    const std::string zeros(64u << 20, '\0');
    const auto bomb = websocket::deflate_message("", zeros);
    BOOST_TEST(bomb.size() < 100u * 1024);
    websocket::inflater inflater(1 << 20);
    std::string out;
    BOOST_TEST((inflater.inflate_message(bomb, out) == inflate_error::too_big));
    BOOST_TEST(out.capacity() <= (2u << 20));
    // The limit itself fits; one byte more does not.
    const auto exact = websocket::deflate_message("", std::string(1 << 20, 'x'));
    BOOST_TEST((inflater.inflate_message(exact, out) == inflate_error::none));
    BOOST_TEST(out.size() == (1u << 20));
    websocket::inflater tight((1 << 20) - 1);
    BOOST_TEST((tight.inflate_message(exact, out) == inflate_error::too_big));
}

BOOST_AUTO_TEST_CASE(invalid_input_is_an_error_and_the_next_message_inflates)
{
    websocket::inflater inflater(1 << 20);
    std::string out;
    // BTYPE 11 is reserved.
    BOOST_TEST((inflater.inflate_message("\xff\xff\xff\xff", out) == inflate_error::invalid));
    // A stored block whose length and its complement disagree.
    BOOST_TEST(
        (inflater.inflate_message(std::string_view("\x00\x05\x00\x00\x00Hello", 10), out) == inflate_error::invalid));
    BOOST_TEST_REQUIRE((inflater.inflate_message("\xf2\x48\xcd\xc9\xc9\x07\x00", out) == inflate_error::none));
    BOOST_TEST(out == "Hello");
}

BOOST_AUTO_TEST_CASE(cache_compresses_once_and_copies_start_empty)
{
    const auto data = text_of(16 * 1024);
    corio::protocol::packet p = corio::protocol::text_message(data);
    std::vector<const std::string*> seen(4);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < seen.size(); ++i)
        threads.emplace_back([&, i] { seen[i] = &p.deflated.get("4", p.data); });
    for (auto& t : threads)
        t.join();
    for (const auto* s : seen)
        BOOST_TEST(s == seen[0]);
    BOOST_TEST(*seen[0] == websocket::deflate_message("4", data));
    const corio::protocol::packet copy = p;
    BOOST_TEST((copy == p));
    const auto& copied = copy.deflated.get("4", copy.data);
    BOOST_TEST(&copied != seen[0]);
    BOOST_TEST(copied == *seen[0]);
}

BOOST_AUTO_TEST_SUITE_END()
