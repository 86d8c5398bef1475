#include <corio/protocol/websocket_frame.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace websocket = corio::protocol::websocket;
using websocket::close_code;
using websocket::frame_reader;
using websocket::opcode;
using kind = websocket::frame_event::kind;

BOOST_AUTO_TEST_SUITE(websocket_frame)

namespace {

enum class length_form { shortest, bits16, bits64 };

// The bytes of a frame header as a client would send it. `op` is a raw
// number so that unknown opcodes can be sent too.
struct header_spec {
    bool fin = true;
    unsigned op = 0x1;
    std::uint64_t length = 0;
    std::array<unsigned char, 4> key{0x37, 0xfa, 0x21, 0x3d};
    unsigned rsv = 0; ///< RSV1-3 as bits 0b100, 0b010, 0b001
    length_form form = length_form::shortest;
    bool masked = true;
};

std::string client_header(const header_spec& h)
{
    std::string out;
    out.push_back(static_cast<char>((h.fin ? 0x80 : 0) | ((h.rsv & 7) << 4) | (h.op & 0xF)));
    const unsigned char mask_bit = h.masked ? 0x80 : 0;
    length_form form = h.form;
    if (form == length_form::shortest)
        form = h.length <= 125 ? form : h.length <= 0xFFFF ? length_form::bits16 : length_form::bits64;
    if (form == length_form::shortest) {
        out.push_back(static_cast<char>(mask_bit | h.length));
    } else if (form == length_form::bits16) {
        out.push_back(static_cast<char>(mask_bit | 126));
        out.push_back(static_cast<char>(h.length >> 8));
        out.push_back(static_cast<char>(h.length));
    } else {
        out.push_back(static_cast<char>(mask_bit | 127));
        for (int i = 7; i >= 0; --i)
            out.push_back(static_cast<char>(h.length >> (8 * i)));
    }
    if (h.masked)
        out.append(reinterpret_cast<const char*>(h.key.data()), h.key.size());
    return out;
}

struct frame_spec {
    bool fin = true;
    unsigned op = 0x1;
    std::string_view payload;
    std::array<unsigned char, 4> key{0x37, 0xfa, 0x21, 0x3d};
    unsigned rsv = 0;
    length_form form = length_form::shortest;
    bool masked = true;
};

// A whole client frame: the header, then the payload masked with the key.
std::string client_frame(const frame_spec& f)
{
    std::string out = client_header({f.fin, f.op, f.payload.size(), f.key, f.rsv, f.form, f.masked});
    for (std::size_t i = 0; i < f.payload.size(); ++i) {
        const auto k = f.masked ? f.key[i % 4] : 0;
        out.push_back(static_cast<char>(static_cast<unsigned char>(f.payload[i]) ^ k));
    }
    return out;
}

std::string header_bytes(opcode op, std::uint64_t size)
{
    std::array<unsigned char, websocket::max_header_size> out{};
    const auto n = websocket::encode_header(op, size, out);
    return std::string(reinterpret_cast<const char*>(out.data()), n);
}

// Feeds `bytes` to a fresh reader and returns the first event. Its payload
// must point into `bytes`: a fragmented message would dangle.
websocket::frame_event first_event(std::string& bytes, std::size_t max_message = 1 << 20)
{
    frame_reader reader(max_message);
    std::span<char> in(bytes);
    return reader.next(in);
}

void check_fail(std::string bytes, close_code code, std::size_t max_message = 1 << 20)
{
    const auto e = first_event(bytes, max_message);
    BOOST_TEST((e.what == kind::fail));
    BOOST_TEST((e.code == code));
}

std::string ascii(std::size_t n)
{
    std::string s;
    for (std::size_t i = 0; i < n; ++i)
        s.push_back(static_cast<char>('a' + i % 26));
    return s;
}

} // namespace

BOOST_AUTO_TEST_CASE(header_boundaries)
{
    BOOST_TEST(header_bytes(opcode::text, 0) == std::string("\x81\x00", 2));
    BOOST_TEST(header_bytes(opcode::text, 125) == "\x81\x7d");
    BOOST_TEST(header_bytes(opcode::binary, 126) == std::string("\x82\x7e\x00\x7e", 4));
    BOOST_TEST(header_bytes(opcode::binary, 65535) == "\x82\x7e\xff\xff");
    BOOST_TEST(header_bytes(opcode::binary, 65536) == std::string("\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10));
    BOOST_TEST(header_bytes(opcode::text, 0x0102030405060708ULL) == "\x81\x7f\x01\x02\x03\x04\x05\x06\x07\x08");
}

BOOST_AUTO_TEST_CASE(header_carries_opcode_and_fin)
{
    BOOST_TEST(header_bytes(opcode::close, 2) == "\x88\x02");
    BOOST_TEST(header_bytes(opcode::ping, 0) == std::string("\x89\x00", 2));
    BOOST_TEST(header_bytes(opcode::pong, 4) == "\x8a\x04");
}

BOOST_AUTO_TEST_CASE(close_payload_bytes)
{
    BOOST_TEST(websocket::close_payload(close_code::normal) == "\x03\xe8");
    BOOST_TEST(websocket::close_payload(close_code::going_away, "bye") == std::string("\x03\xe9") + "bye");
    BOOST_TEST(websocket::close_payload(close_code::too_big, "") == "\x03\xf1");
    BOOST_TEST(websocket::close_payload(static_cast<close_code>(4000), "x") == "\x0f\xa0x");
}

BOOST_AUTO_TEST_CASE(close_payload_keeps_a_control_frame)
{
    const std::string exact = ascii(123);
    BOOST_TEST(websocket::close_payload(close_code::normal, exact) == "\x03\xe8" + exact);
    const std::string longer = ascii(200);
    BOOST_TEST(websocket::close_payload(close_code::normal, longer) == "\x03\xe8" + longer.substr(0, 123));
    // 122 ASCII bytes and a two-byte character: the cut at 123 would split it.
    const std::string split = ascii(122) + "\xc3\xa9";
    const auto p = websocket::close_payload(close_code::normal, split);
    BOOST_TEST(p == "\x03\xe8" + ascii(122));
    BOOST_TEST(websocket::valid_utf8(std::string_view(p).substr(2)));
}

BOOST_AUTO_TEST_CASE(utf8_valid)
{
    BOOST_TEST(websocket::valid_utf8(""));
    BOOST_TEST(websocket::valid_utf8("hello"));
    BOOST_TEST(websocket::valid_utf8("\xc3\xa9"));         // U+00E9
    BOOST_TEST(websocket::valid_utf8("\xc2\x80"));         // U+0080, smallest 2-byte
    BOOST_TEST(websocket::valid_utf8("\xdf\xbf"));         // U+07FF
    BOOST_TEST(websocket::valid_utf8("\xe0\xa0\x80"));     // U+0800, smallest 3-byte
    BOOST_TEST(websocket::valid_utf8("\xe2\x82\xac"));     // U+20AC
    BOOST_TEST(websocket::valid_utf8("\xed\x9f\xbf"));     // U+D7FF, below the surrogates
    BOOST_TEST(websocket::valid_utf8("\xee\x80\x80"));     // U+E000, above the surrogates
    BOOST_TEST(websocket::valid_utf8("\xef\xbf\xbf"));     // U+FFFF
    BOOST_TEST(websocket::valid_utf8("\xf0\x90\x80\x80")); // U+10000, smallest 4-byte
    BOOST_TEST(websocket::valid_utf8("\xf0\x9f\x98\x80")); // U+1F600
    BOOST_TEST(websocket::valid_utf8("\xf4\x8f\xbf\xbf")); // U+10FFFF
    BOOST_TEST(websocket::valid_utf8(std::string_view("a\0b", 3)));
    BOOST_TEST(websocket::valid_utf8("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5 mixed with ASCII text"));
}

BOOST_AUTO_TEST_CASE(utf8_invalid)
{
    const std::vector<std::string_view> bad{
        "\xc0\xaf",         // overlong '/'
        "\xc1\xbf",         // overlong
        "\xe0\x80\xaf",     // overlong 3-byte
        "\xe0\x9f\xbf",     // overlong 3-byte (U+07FF)
        "\xf0\x80\x80\xaf", // overlong 4-byte
        "\xf0\x8f\xbf\xbf", // overlong 4-byte (U+FFFF)
        "\xed\xa0\x80",     // U+D800
        "\xed\xbf\xbf",     // U+DFFF
        "\xf4\x90\x80\x80", // U+110000
        "\xf5\x80\x80\x80", // lead byte beyond U+10FFFF
        "\xff",
        "\xfe",
        "\x80", // lone continuation
        "\xbf",
        "\xc3",         // truncated 2-byte
        "\xe2\x82",     // truncated 3-byte
        "\xf0\x9f\x98", // truncated 4-byte
        "\xc3\x28",     // bad continuation
        "\xe2\x28\xac",
        "\xe2\x82\x28",
        "\xf0\x9f\x28\x80",
        "\xf0\x9f\x98\x28",
        "abc\xe2\x82", // truncated at the end
    };
    for (const auto s : bad)
        BOOST_TEST(!websocket::valid_utf8(s), "accepted invalid " << s.size() << "-byte sequence");
}

BOOST_AUTO_TEST_CASE(utf8_one_bad_byte_anywhere_in_ascii)
{
    for (std::size_t n = 1; n <= 41; ++n) {
        for (std::size_t at = 0; at < n; ++at) {
            std::string s = ascii(n);
            s[at] = '\x80';
            BOOST_TEST(!websocket::valid_utf8(s), "length " << n << ", bad byte at " << at);
            s[at] = '\xff';
            BOOST_TEST(!websocket::valid_utf8(s), "length " << n << ", bad byte at " << at);
        }
        BOOST_TEST(websocket::valid_utf8(ascii(n)));
    }
}

BOOST_AUTO_TEST_CASE(utf8_multibyte_anywhere_in_ascii)
{
    for (std::size_t at = 0; at <= 24; ++at) {
        const std::string good = ascii(at) + "\xf0\x9f\x98\x80" + ascii(17);
        BOOST_TEST(websocket::valid_utf8(good), "valid 4-byte at " << at);
        const std::string cut = ascii(at) + "\xf0\x9f\x98";
        BOOST_TEST(!websocket::valid_utf8(cut), "truncated at the end after " << at);
        const std::string surrogate = ascii(at) + "\xed\xa0\x80" + ascii(9);
        BOOST_TEST(!websocket::valid_utf8(surrogate), "surrogate at " << at);
    }
}

BOOST_AUTO_TEST_CASE(single_text_frame_unmasked_for_every_length)
{
    const std::vector<std::array<unsigned char, 4>> keys{{0x37, 0xfa, 0x21, 0x3d}, {0xff, 0x00, 0x80, 0x01}};
    for (const auto& key : keys) {
        for (std::size_t n = 0; n <= 40; ++n) {
            const std::string text = ascii(n);
            std::string bytes = client_frame({.payload = text, .key = key});
            frame_reader reader(1024);
            std::span<char> in(bytes);
            const auto e = reader.next(in);
            BOOST_TEST_REQUIRE((e.what == kind::text), "length " << n);
            BOOST_TEST(e.payload == text, "length " << n);
            // One frame is unmasked in place, not copied.
            BOOST_TEST((e.payload.data() == bytes.data() + 6));
            BOOST_TEST(in.empty());
            BOOST_TEST(reader.buffered() == 0u);
        }
    }
}

BOOST_AUTO_TEST_CASE(binary_frame_with_every_byte_value)
{
    std::string data;
    for (int i = 0; i < 256; ++i)
        data.push_back(static_cast<char>(i));
    for (const std::size_t n : {0u, 1u, 7u, 9u, 125u, 126u, 256u}) {
        std::string bytes = client_frame({.op = 0x2, .payload = std::string_view(data).substr(0, n)});
        const auto e = first_event(bytes);
        BOOST_TEST_REQUIRE((e.what == kind::binary));
        BOOST_TEST(e.payload == std::string_view(data).substr(0, n));
    }
}

BOOST_AUTO_TEST_CASE(long_payloads_use_extended_lengths)
{
    const std::string medium = ascii(300);
    std::string bytes = client_frame({.payload = medium});
    BOOST_TEST(bytes.size() == 2 + 2 + 4 + medium.size());
    auto e = first_event(bytes);
    BOOST_TEST_REQUIRE((e.what == kind::text));
    BOOST_TEST(e.payload == medium);

    const std::string large = ascii(70000);
    bytes = client_frame({.op = 0x2, .payload = large});
    BOOST_TEST(bytes.size() == 2 + 8 + 4 + large.size());
    e = first_event(bytes);
    BOOST_TEST_REQUIRE((e.what == kind::binary));
    BOOST_TEST(e.payload == large);
}

BOOST_AUTO_TEST_CASE(non_minimal_lengths_are_accepted)
{
    for (const auto form : {length_form::bits16, length_form::bits64}) {
        std::string bytes = client_frame({.payload = "hello", .form = form});
        const auto e = first_event(bytes);
        BOOST_TEST_REQUIRE((e.what == kind::text));
        BOOST_TEST(e.payload == "hello");
    }
}

BOOST_AUTO_TEST_CASE(need_more_at_every_truncation_point)
{
    // 7-bit, 16-bit and 64-bit lengths: each prefix cuts the header, the
    // extended length, the mask key or the payload. A cut header is left in
    // the input as it was; once the header is in, the payload is gathered.
    for (const std::size_t n : {5u, 200u, 65536u}) {
        const std::string payload = ascii(n);
        const std::string frame = client_frame({.op = 0x2, .payload = payload});
        const std::size_t header = frame.size() - n;
        std::vector<std::size_t> cuts;
        for (std::size_t k = 0; k < 20 && k < frame.size(); ++k)
            cuts.push_back(k);
        cuts.push_back(frame.size() - 1);
        cuts.push_back(frame.size() / 2);
        for (const auto k : cuts) {
            std::string bytes = frame.substr(0, k);
            const std::string before = bytes;
            frame_reader reader(1 << 20);
            std::span<char> in(bytes);
            const auto e = reader.next(in);
            BOOST_TEST((e.what == kind::need_more), "payload " << n << ", prefix " << k);
            std::string rest;
            if (k < header) {
                BOOST_TEST((in.data() == bytes.data()));
                BOOST_TEST(in.size() == k);
                BOOST_TEST(bytes == before, "the input is left masked");
                BOOST_TEST(reader.buffered() == 0u);
                rest = frame; // the caller keeps the cut header and appends
            } else {
                BOOST_TEST(in.empty(), "payload " << n << ", prefix " << k);
                BOOST_TEST(reader.buffered() == k - header);
                if (n > 15) // beyond the string's own small buffer
                    BOOST_TEST(reader.buffer_capacity() == n, "room for exactly the message");
                rest = frame.substr(k);
            }
            // The same reader completes the frame once the rest arrives.
            in = std::span<char>(rest);
            const auto whole = reader.next(in);
            BOOST_TEST_REQUIRE((whole.what == kind::binary));
            BOOST_TEST(whole.payload == payload);
            BOOST_TEST(in.empty());
            BOOST_TEST(((reader.message_buffer(whole) != nullptr) == (k >= header)), "gathered: in the reader");
        }
    }
}

BOOST_AUTO_TEST_CASE(empty_input_needs_more)
{
    frame_reader reader(16);
    std::span<char> in;
    BOOST_TEST((reader.next(in).what == kind::need_more));
}

BOOST_AUTO_TEST_CASE(two_frames_in_one_input)
{
    std::string bytes = client_frame({.payload = "first"}) + client_frame({.op = 0x2, .payload = "second"}) + "\x81";
    frame_reader reader(64);
    std::span<char> in(bytes);
    auto e = reader.next(in);
    BOOST_TEST_REQUIRE((e.what == kind::text));
    BOOST_TEST(e.payload == "first");
    e = reader.next(in);
    BOOST_TEST_REQUIRE((e.what == kind::binary));
    BOOST_TEST(e.payload == "second");
    BOOST_TEST(in.size() == 1u);
    e = reader.next(in);
    BOOST_TEST((e.what == kind::need_more));
    BOOST_TEST(in.size() == 1u);
}

BOOST_AUTO_TEST_CASE(control_frames)
{
    std::string bytes = client_frame({.op = 0x9, .payload = "are you there"}) +
                        client_frame({.op = 0xA, .payload = "yes"}) + client_frame({.op = 0x9}) +
                        client_frame({.op = 0xA, .payload = ascii(125)});
    frame_reader reader(4);
    std::span<char> in(bytes);
    auto e = reader.next(in);
    BOOST_TEST_REQUIRE((e.what == kind::ping));
    BOOST_TEST(e.payload == "are you there");
    e = reader.next(in);
    BOOST_TEST_REQUIRE((e.what == kind::pong));
    BOOST_TEST(e.payload == "yes");
    e = reader.next(in);
    BOOST_TEST_REQUIRE((e.what == kind::ping));
    BOOST_TEST(e.payload.empty());
    // max_message limits messages, not control frames.
    e = reader.next(in);
    BOOST_TEST_REQUIRE((e.what == kind::pong));
    BOOST_TEST(e.payload == ascii(125));
    BOOST_TEST(in.empty());
}

BOOST_AUTO_TEST_CASE(fragmented_text_with_control_frames_between)
{
    std::string bytes =
        client_frame({.fin = false, .op = 0x1, .payload = "Hel"}) + client_frame({.op = 0x9, .payload = "ping!"}) +
        client_frame({.fin = false, .op = 0x0, .payload = "lo, "}) + client_frame({.op = 0xA, .payload = "pong"}) +
        client_frame({.fin = true, .op = 0x0, .payload = "world"});
    frame_reader reader(64);
    std::span<char> in(bytes);
    auto e = reader.next(in);
    BOOST_TEST_REQUIRE((e.what == kind::ping));
    BOOST_TEST(e.payload == "ping!");
    BOOST_TEST(reader.buffered() == 3u);
    e = reader.next(in);
    BOOST_TEST_REQUIRE((e.what == kind::pong));
    BOOST_TEST(e.payload == "pong");
    BOOST_TEST(reader.buffered() == 7u);
    e = reader.next(in);
    BOOST_TEST_REQUIRE((e.what == kind::text));
    BOOST_TEST(e.payload == "Hello, world");
    BOOST_TEST(in.empty());
    e = reader.next(in);
    BOOST_TEST((e.what == kind::need_more));
    BOOST_TEST(reader.buffered() == 0u);
}

BOOST_AUTO_TEST_CASE(fragmented_binary_and_empty_fragments)
{
    std::string bytes = client_frame({.fin = false, .op = 0x2}) +
                        client_frame({.fin = false, .op = 0x0, .payload = std::string_view("\x00\xff", 2)}) +
                        client_frame({.op = 0x0}) + client_frame({.fin = false, .op = 0x1}) + client_frame({.op = 0x0});
    frame_reader reader(64);
    std::span<char> in(bytes);
    auto e = reader.next(in);
    BOOST_TEST_REQUIRE((e.what == kind::binary));
    BOOST_TEST(e.payload == std::string_view("\x00\xff", 2));
    e = reader.next(in);
    BOOST_TEST_REQUIRE((e.what == kind::text));
    BOOST_TEST(e.payload.empty());
    BOOST_TEST(in.empty());
}

BOOST_AUTO_TEST_CASE(stored_fragments_are_consumed_on_need_more)
{
    const std::string first = client_frame({.fin = false, .op = 0x1, .payload = "abc"});
    const std::string last = client_frame({.op = 0x0, .payload = "def"});
    std::string bytes = first + last.substr(0, 4);
    frame_reader reader(64);
    std::span<char> in(bytes);
    auto e = reader.next(in);
    BOOST_TEST((e.what == kind::need_more));
    BOOST_TEST(reader.buffered() == 3u);
    // The first fragment is taken; the partial final one is left in place.
    BOOST_TEST((in.data() == bytes.data() + first.size()));
    BOOST_TEST(in.size() == 4u);

    std::string rest = last;
    in = std::span<char>(rest);
    e = reader.next(in);
    BOOST_TEST_REQUIRE((e.what == kind::text));
    BOOST_TEST(e.payload == "abcdef");
}

BOOST_AUTO_TEST_CASE(message_of_exactly_max_size)
{
    std::string bytes = client_frame({.op = 0x2, .payload = ascii(100)});
    BOOST_TEST((first_event(bytes, 100).what == kind::binary));
    bytes =
        client_frame({.fin = false, .op = 0x2, .payload = ascii(60)}) + client_frame({.op = 0x0, .payload = ascii(40)});
    frame_reader reader(100);
    std::span<char> in(bytes);
    const auto e = reader.next(in);
    BOOST_TEST_REQUIRE((e.what == kind::binary));
    BOOST_TEST(e.payload == ascii(60) + ascii(40));
}

BOOST_AUTO_TEST_CASE(too_big_from_the_header_alone)
{
    // Only the header of each frame: no payload has arrived.
    check_fail(client_header({.op = 0x2, .length = 101}), close_code::too_big, 100);
    check_fail(client_header({.op = 0x1, .length = 70000}), close_code::too_big, 65536);
    check_fail(client_header({.op = 0x2, .length = 1ULL << 40}), close_code::too_big, 1 << 20);
    check_fail(client_header({.op = 0x2, .length = (1ULL << 63) - 1}), close_code::too_big, 1 << 20);
    // Known before the mask key has arrived.
    std::string no_key = client_header({.op = 0x2, .length = 1ULL << 40}).substr(0, 10);
    check_fail(no_key, close_code::too_big, 1 << 20);
}

BOOST_AUTO_TEST_CASE(too_big_across_fragments)
{
    std::string bytes = client_frame({.fin = false, .op = 0x1, .payload = ascii(6)}) +
                        client_frame({.fin = false, .op = 0x0, .payload = ascii(4)}) +
                        client_header({.op = 0x0, .length = 1});
    check_fail(bytes, close_code::too_big, 10);
    // Each fragment alone is small; the sum is what counts.
    bytes = client_frame({.fin = false, .op = 0x2, .payload = ascii(8)}) +
            client_header({.fin = false, .op = 0x0, .length = 8});
    check_fail(bytes, close_code::too_big, 10);
}

BOOST_AUTO_TEST_CASE(protocol_errors_in_the_header)
{
    // An unmasked frame.
    check_fail(client_frame({.payload = "hi", .masked = false}), close_code::protocol_error);
    check_fail(client_frame({.payload = "hi", .masked = false}).substr(0, 2), close_code::protocol_error);
    // RSV1, RSV2, RSV3 and all of them.
    for (const unsigned rsv : {4u, 2u, 1u, 7u})
        check_fail(client_frame({.payload = "hi", .rsv = rsv}), close_code::protocol_error);
    // Unknown opcodes.
    for (unsigned op = 0x3; op <= 0x7; ++op)
        check_fail(client_frame({.op = op, .payload = "hi"}), close_code::protocol_error);
    for (unsigned op = 0xB; op <= 0xF; ++op)
        check_fail(client_frame({.op = op, .payload = "hi"}), close_code::protocol_error);
    // Fragmented control frames.
    for (const unsigned op : {0x8u, 0x9u, 0xAu})
        check_fail(client_frame({.fin = false, .op = op}), close_code::protocol_error);
    // Control frames longer than 125 bytes, however the length is written.
    check_fail(client_frame({.op = 0x9, .payload = ascii(126)}), close_code::protocol_error);
    check_fail(client_frame({.op = 0xA, .payload = "x", .form = length_form::bits16}), close_code::protocol_error);
    check_fail(client_header({.op = 0x8, .length = 200}).substr(0, 2), close_code::protocol_error);
    // A 64-bit length with the top bit set.
    check_fail(client_header({.op = 0x2, .length = 1ULL << 63}), close_code::protocol_error);
    check_fail(client_header({.op = 0x2, .length = ~0ULL}), close_code::protocol_error);
}

BOOST_AUTO_TEST_CASE(protocol_errors_in_the_message_sequence)
{
    // A continuation with no message under way.
    check_fail(client_frame({.op = 0x0, .payload = "x"}), close_code::protocol_error);
    check_fail(client_frame({.fin = false, .op = 0x0, .payload = "x"}), close_code::protocol_error);
    // After a whole message, a continuation has nothing to continue.
    std::string bytes = client_frame({.fin = false, .op = 0x1, .payload = "a"}) +
                        client_frame({.op = 0x0, .payload = "b"}) + client_frame({.op = 0x0, .payload = "c"});
    frame_reader reader(64);
    std::span<char> in(bytes);
    BOOST_TEST((reader.next(in).what == kind::text));
    const auto e = reader.next(in);
    BOOST_TEST((e.what == kind::fail));
    BOOST_TEST((e.code == close_code::protocol_error));
    // A new message before the previous one's final fragment.
    for (const unsigned op : {0x1u, 0x2u}) {
        check_fail(client_frame({.fin = false, .op = 0x1, .payload = "a"}) + client_frame({.op = op, .payload = "b"}),
                   close_code::protocol_error);
        check_fail(client_frame({.fin = false, .op = 0x2, .payload = "a"}) + client_frame({.fin = false, .op = op}),
                   close_code::protocol_error);
    }
}

BOOST_AUTO_TEST_CASE(close_without_code)
{
    std::string bytes = client_frame({.op = 0x8});
    const auto e = first_event(bytes);
    BOOST_TEST_REQUIRE((e.what == kind::close));
    BOOST_TEST((e.code == close_code::no_status));
    BOOST_TEST(e.payload.empty());
}

BOOST_AUTO_TEST_CASE(close_with_code_and_reason)
{
    std::string bytes =
        client_frame({.op = 0x8, .payload = websocket::close_payload(close_code::going_away, "bye \xc3\xa9")});
    const auto e = first_event(bytes);
    BOOST_TEST_REQUIRE((e.what == kind::close));
    BOOST_TEST((e.code == close_code::going_away));
    BOOST_TEST(e.payload == std::string("\x03\xe9") + "bye \xc3\xa9");
}

BOOST_AUTO_TEST_CASE(close_codes_a_peer_may_send)
{
    std::vector<unsigned> good;
    for (unsigned c = 1000; c <= 1003; ++c)
        good.push_back(c);
    for (unsigned c = 1007; c <= 1014; ++c)
        good.push_back(c);
    for (const unsigned c : {3000u, 3999u, 4000u, 4999u})
        good.push_back(c);
    for (const unsigned c : good) {
        const std::string payload = websocket::close_payload(static_cast<close_code>(c));
        std::string bytes = client_frame({.op = 0x8, .payload = payload});
        const auto e = first_event(bytes);
        BOOST_TEST_REQUIRE((e.what == kind::close), "code " << c);
        BOOST_TEST(static_cast<unsigned>(e.code) == c);
    }
    for (const unsigned c : {0u, 999u, 1004u, 1005u, 1006u, 1015u, 1016u, 2000u, 2999u, 5000u, 65535u}) {
        const std::string payload = websocket::close_payload(static_cast<close_code>(c));
        BOOST_TEST_CONTEXT("code " << c)
        check_fail(client_frame({.op = 0x8, .payload = payload}), close_code::protocol_error);
    }
}

BOOST_AUTO_TEST_CASE(close_payload_violations)
{
    check_fail(client_frame({.op = 0x8, .payload = "\x03"}), close_code::protocol_error);
    check_fail(client_frame({.op = 0x8, .payload = std::string("\x03\xe8") + "bad \xc0\xaf"}),
               close_code::invalid_payload);
    check_fail(client_frame({.op = 0x8, .payload = "\x03\xe8\xed\xa0\x80"}), close_code::invalid_payload);
}

BOOST_AUTO_TEST_CASE(invalid_utf8_text)
{
    check_fail(client_frame({.payload = "ab\xc0\xaf"}), close_code::invalid_payload);
    check_fail(client_frame({.payload = "\xf4\x90\x80\x80"}), close_code::invalid_payload);
    check_fail(client_frame({.payload = "\xe2\x82"}), close_code::invalid_payload);
    // The same bytes are fine in a binary message.
    std::string bytes = client_frame({.op = 0x2, .payload = "ab\xc0\xaf"});
    BOOST_TEST((first_event(bytes).what == kind::binary));
}

BOOST_AUTO_TEST_CASE(utf8_split_across_fragments)
{
    // U+20AC and U+1F600, each cut between fragments.
    std::string bytes = client_frame({.fin = false, .op = 0x1, .payload = "price \xe2"}) +
                        client_frame({.fin = false, .op = 0x0, .payload = "\x82"}) +
                        client_frame({.fin = false, .op = 0x0, .payload = "\xac \xf0\x9f"}) +
                        client_frame({.op = 0x0, .payload = "\x98\x80"});
    frame_reader reader(64);
    std::span<char> in(bytes);
    const auto e = reader.next(in);
    BOOST_TEST_REQUIRE((e.what == kind::text));
    BOOST_TEST(e.payload == "price \xe2\x82\xac \xf0\x9f\x98\x80");
    // A message that ends inside a character is not valid.
    check_fail(client_frame({.fin = false, .op = 0x1, .payload = "a\xe2"}) +
                   client_frame({.op = 0x0, .payload = "\x82"}),
               close_code::invalid_payload);
}

BOOST_AUTO_TEST_CASE(fail_is_sticky)
{
    std::string bytes = client_frame({.payload = "\xff"});
    frame_reader reader(64);
    std::span<char> in(bytes);
    auto e = reader.next(in);
    BOOST_TEST_REQUIRE((e.what == kind::fail));
    BOOST_TEST((e.code == close_code::invalid_payload));
    for (int i = 0; i < 3; ++i) {
        std::string good = client_frame({.payload = "fine"});
        std::span<char> again(good);
        e = reader.next(again);
        BOOST_TEST((e.what == kind::fail));
        BOOST_TEST((e.code == close_code::invalid_payload));
        BOOST_TEST(again.size() == good.size());
    }
    std::span<char> empty;
    e = reader.next(empty);
    BOOST_TEST((e.what == kind::fail));
    BOOST_TEST((e.code == close_code::invalid_payload));
}

BOOST_AUTO_TEST_CASE(fail_keeps_the_offending_frame)
{
    std::string bytes = client_frame({.payload = "ok"}) + client_frame({.payload = "x", .rsv = 4});
    frame_reader reader(64);
    std::span<char> in(bytes);
    BOOST_TEST((reader.next(in).what == kind::text));
    const auto rest = in.size();
    const auto e = reader.next(in);
    BOOST_TEST((e.what == kind::fail));
    BOOST_TEST((e.code == close_code::protocol_error));
    BOOST_TEST(in.size() == rest);
}

BOOST_AUTO_TEST_CASE(fragments_released_after_a_large_message)
{
    const std::string part = ascii(4096);
    std::string bytes = client_frame({.fin = false, .op = 0x2, .payload = part}) +
                        client_frame({.fin = false, .op = 0x0, .payload = part}) +
                        client_frame({.op = 0x0, .payload = part}) + client_frame({.op = 0x9, .payload = "p"});
    frame_reader reader(1 << 20);
    std::span<char> in(bytes);
    auto e = reader.next(in);
    BOOST_TEST_REQUIRE((e.what == kind::binary));
    BOOST_TEST(e.payload == part + part + part);
    BOOST_TEST(reader.buffered() == 3 * part.size());
    e = reader.next(in);
    BOOST_TEST_REQUIRE((e.what == kind::ping));
    BOOST_TEST(reader.buffered() == 0u);
    e = reader.next(in);
    BOOST_TEST((e.what == kind::need_more));
    BOOST_TEST(reader.buffered() == 0u);
}

BOOST_AUTO_TEST_CASE(reader_is_reusable_after_many_messages)
{
    frame_reader reader(64);
    for (int round = 0; round < 5; ++round) {
        std::string bytes = client_frame({.fin = false, .op = 0x1, .payload = "ab"}) +
                            client_frame({.op = 0x0, .payload = "cd"}) + client_frame({.payload = "single"});
        std::span<char> in(bytes);
        auto e = reader.next(in);
        BOOST_TEST_REQUIRE((e.what == kind::text));
        BOOST_TEST(e.payload == "abcd");
        e = reader.next(in);
        BOOST_TEST_REQUIRE((e.what == kind::text));
        BOOST_TEST(e.payload == "single");
        BOOST_TEST(reader.buffered() == 0u);
    }
}

BOOST_AUTO_TEST_CASE(rsv1_marks_a_compressed_message_once_deflate_is_enabled)
{
    // Not valid UTF-8 as it stands: a compressed text message is checked
    // once inflated, not here.
    const std::string squeezed("\xf2\x48\xcd", 3);
    std::string bytes = client_frame({.payload = squeezed, .rsv = 4}) +
                        client_frame({.fin = false, .op = 0x2, .payload = "ab", .rsv = 4}) +
                        client_frame({.op = 0x9, .payload = "p"}) + client_frame({.op = 0x0, .payload = "cd"}) +
                        client_frame({.payload = "plain"});
    frame_reader reader(64);
    reader.enable_deflate();
    std::span<char> in(bytes);
    auto e = reader.next(in);
    BOOST_TEST_REQUIRE((e.what == kind::text));
    BOOST_TEST(e.compressed);
    BOOST_TEST(e.payload == squeezed);
    e = reader.next(in);
    BOOST_TEST_REQUIRE((e.what == kind::ping));
    e = reader.next(in);
    BOOST_TEST_REQUIRE((e.what == kind::binary));
    BOOST_TEST(e.compressed);
    BOOST_TEST(e.payload == "abcd");
    e = reader.next(in);
    BOOST_TEST_REQUIRE((e.what == kind::text));
    BOOST_TEST(!e.compressed);
    BOOST_TEST(e.payload == "plain");
}

BOOST_AUTO_TEST_CASE(rsv1_only_on_the_first_frame_of_a_message)
{
    const auto fails_with_deflate = [](std::string bytes) {
        frame_reader reader(64);
        reader.enable_deflate();
        std::span<char> in(bytes);
        auto e = reader.next(in);
        BOOST_TEST((e.what == kind::fail));
        BOOST_TEST((e.code == close_code::protocol_error));
    };
    // On a continuation, on a control frame, and RSV2 or RSV3 with it.
    fails_with_deflate(client_frame({.fin = false, .payload = "a"}) +
                       client_frame({.op = 0x0, .payload = "b", .rsv = 4}));
    fails_with_deflate(client_frame({.op = 0x9, .payload = "p", .rsv = 4}));
    fails_with_deflate(client_frame({.payload = "a", .rsv = 6}));
    fails_with_deflate(client_frame({.payload = "a", .rsv = 5}));
}

BOOST_AUTO_TEST_CASE(header_of_a_compressed_frame)
{
    std::array<unsigned char, websocket::max_header_size> out{};
    const auto n = websocket::encode_header(opcode::text, 3, out, true);
    BOOST_TEST(std::string(reinterpret_cast<const char*>(out.data()), n) == "\xc1\x03");
}

// Frames cut by the end of an input: a data frame's payload is gathered into
// the reader's buffer, a cut header or control frame is left to the caller.

namespace {

struct read_event {
    kind what;
    std::string payload;
    bool from_buffer; // message_buffer() offered the payload
    friend bool operator==(const read_event&, const read_event&) = default;
};

// Reads `stream` in inputs of `sizes` (cycled), as websocket_connection does:
// what need_more leaves is kept and the next input appended to it.
std::vector<read_event> read_in_pieces(const std::string& stream, const std::vector<std::size_t>& sizes,
                                       std::size_t max_kept_seen[1])
{
    frame_reader reader(1 << 20);
    std::vector<read_event> events;
    std::string kept;
    std::size_t from = 0;
    for (std::size_t i = 0; from < stream.size(); ++i) {
        const std::size_t n = std::min(sizes[i % sizes.size()], stream.size() - from);
        kept.append(stream, from, n);
        from += n;
        std::span<char> in(kept.data(), kept.size());
        for (;;) {
            const auto e = reader.next(in);
            if (e.what == kind::need_more)
                break;
            events.push_back({e.what, std::string(e.payload), reader.message_buffer(e) != nullptr});
            if (e.what == kind::fail || e.what == kind::close)
                return events;
        }
        kept.erase(0, kept.size() - in.size());
        max_kept_seen[0] = std::max(max_kept_seen[0], kept.size());
    }
    return events;
}

} // namespace

BOOST_AUTO_TEST_CASE(messages_cut_across_inputs_at_every_boundary)
{
    const std::string big = ascii(300);
    const std::string stream = client_frame({.payload = big, .key = {0x01, 0x82, 0xff, 0x7e}}) +
                               client_frame({.op = 0x2, .payload = "tiny"}) +
                               client_frame({.op = 0x9, .payload = ascii(100)}) +
                               client_frame({.fin = false, .op = 0x2, .payload = ascii(150)}) +
                               client_frame({.op = 0xA, .payload = "p"}) +
                               client_frame({.op = 0x0, .payload = ascii(40)}) +
                               client_frame({.op = 0x2, .payload = big});
    std::size_t unused[1] = {0};
    const auto whole = read_in_pieces(stream, {stream.size()}, unused);
    BOOST_TEST_REQUIRE(whole.size() == 6u);
    BOOST_TEST(!whole[0].from_buffer, "a whole frame is a view into the input");
    BOOST_TEST((whole[3].what == kind::pong), "a control frame between fragments");
    BOOST_TEST(whole[4].from_buffer, "a fragmented message is in the reader's buffer");
    BOOST_TEST(whole[4].payload == ascii(150) + ascii(40));
    for (std::size_t k = 1; k < stream.size(); ++k) {
        for (const std::size_t step : {std::size_t{1}, std::size_t{3}, std::size_t{8}, stream.size()}) {
            std::size_t kept[1] = {0};
            auto cut = read_in_pieces(stream, {k, step}, kept);
            BOOST_TEST_REQUIRE(cut.size() == whole.size(), "cut at " << k << ", then " << step);
            for (std::size_t i = 0; i < cut.size(); ++i) {
                BOOST_TEST((cut[i].what == whole[i].what), "cut at " << k << ", event " << i);
                BOOST_TEST(cut[i].payload == whole[i].payload, "cut at " << k << ", event " << i);
            }
            BOOST_TEST(kept[0] <= frame_reader::max_kept, "the caller keeps at most a cut control frame");
        }
    }
}

BOOST_AUTO_TEST_CASE(a_gathered_message_may_be_taken_without_a_copy)
{
    std::string payload;
    for (std::size_t i = 0; i < 70000; ++i)
        payload.push_back(static_cast<char>(i * 7));
    const std::string frame = client_frame({.op = 0x2, .payload = payload});
    frame_reader reader(1 << 20);
    std::string first = frame.substr(0, 1000);
    std::span<char> in(first);
    BOOST_TEST((reader.next(in).what == kind::need_more));
    std::string rest = frame.substr(1000) + client_frame({.op = 0x2, .payload = "next"});
    in = std::span<char>(rest);
    const auto e = reader.next(in);
    BOOST_TEST_REQUIRE((e.what == kind::binary));
    auto* buffer = reader.message_buffer(e);
    BOOST_TEST_REQUIRE(buffer != nullptr);
    BOOST_TEST((buffer->data() == e.payload.data()));
    const std::string taken = std::move(*buffer);
    BOOST_TEST((taken == payload));
    BOOST_TEST(taken.capacity() == payload.size(), "reserved once, at its size");
    // The reader goes on after its buffer was taken.
    const auto after = reader.next(in);
    BOOST_TEST_REQUIRE((after.what == kind::binary));
    BOOST_TEST(after.payload == "next");
    BOOST_TEST(reader.message_buffer(after) == nullptr);
}

BOOST_AUTO_TEST_CASE(release_frees_a_large_buffer_only_between_messages)
{
    const std::string part = ascii(5000);
    std::string bytes = client_frame({.fin = false, .op = 0x2, .payload = part}) + client_frame({.op = 0x0, .payload = part});
    frame_reader reader(1 << 20);
    // The first fragment and part of the second: a message under way.
    std::string head = bytes.substr(0, bytes.size() - 10);
    std::span<char> in(head);
    BOOST_TEST((reader.next(in).what == kind::need_more));
    reader.release();
    BOOST_TEST(reader.buffered() == 2 * part.size() - 10, "kept while under way");
    std::string tail = bytes.substr(bytes.size() - 10);
    in = std::span<char>(tail);
    const auto e = reader.next(in);
    BOOST_TEST_REQUIRE((e.what == kind::binary));
    BOOST_TEST(e.payload == part + part);
    reader.release();
    BOOST_TEST(reader.buffer_capacity() < 4096u + 1, "freed once the message is delivered");
    // A small message's buffer is kept for the next one.
    std::string small = client_frame({.fin = false, .op = 0x2, .payload = "ab"}) + client_frame({.op = 0x0, .payload = "c"});
    in = std::span<char>(small);
    BOOST_TEST((reader.next(in).what == kind::binary));
    reader.release();
    BOOST_TEST(reader.buffer_capacity() <= 4096u);
}

BOOST_AUTO_TEST_CASE(a_cut_control_frame_is_left_to_the_caller)
{
    std::string bytes = client_frame({.op = 0x9, .payload = ascii(125)}).substr(0, 100);
    frame_reader reader(16);
    std::span<char> in(bytes);
    BOOST_TEST((reader.next(in).what == kind::need_more));
    BOOST_TEST(in.size() == 100u);
    BOOST_TEST(reader.buffered() == 0u);
}

BOOST_AUTO_TEST_CASE(gathered_text_is_checked_as_utf8)
{
    std::string bytes = client_frame({.payload = "ok \xc0\xaf no"});
    std::string head = bytes.substr(0, 8);
    std::string tail = bytes.substr(8) + client_frame({.payload = "fine"});
    frame_reader reader(1024);
    std::span<char> in(head);
    BOOST_TEST((reader.next(in).what == kind::need_more));
    in = std::span<char>(tail);
    auto e = reader.next(in);
    BOOST_TEST((e.what == kind::fail));
    BOOST_TEST((e.code == close_code::invalid_payload));
    BOOST_TEST((reader.next(in).what == kind::fail), "a failure is final");
}

BOOST_AUTO_TEST_CASE(gathered_message_keeps_its_compressed_flag)
{
    std::string bytes = client_frame({.op = 0x1, .payload = "\xff\xfe not inflated yet", .rsv = 4});
    std::string head = bytes.substr(0, 9);
    std::string tail = bytes.substr(9);
    frame_reader reader(1024);
    reader.enable_deflate();
    std::span<char> in(head);
    BOOST_TEST((reader.next(in).what == kind::need_more));
    in = std::span<char>(tail);
    const auto e = reader.next(in);
    BOOST_TEST_REQUIRE((e.what == kind::text));
    BOOST_TEST(e.compressed, "UTF-8 is checked once inflated");
    BOOST_TEST(e.payload == "\xff\xfe not inflated yet");
}

BOOST_AUTO_TEST_CASE(an_oversized_cut_frame_fails_before_its_payload)
{
    std::string bytes = client_frame({.op = 0x2, .payload = ascii(200)}).substr(0, 8);
    frame_reader reader(100);
    std::span<char> in(bytes);
    const auto e = reader.next(in);
    BOOST_TEST((e.what == kind::fail));
    BOOST_TEST((e.code == close_code::too_big));
    BOOST_TEST(reader.buffer_capacity() < 200u, "nothing reserved for it");
}

BOOST_AUTO_TEST_SUITE_END()
