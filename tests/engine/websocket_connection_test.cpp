// websocket_connection's reading, through a transport that hands it reads of
// any size: messages cut across reads at every boundary read as in one read,
// a large message goes up in its own buffer (taken without a copy), and
// between messages the connection keeps no large buffer. And bytes to precede
// a write (a new session's 101) go in the next write only.

#include "engine/websocket_connection.hpp"
#include "engine/plain_websocket_connection.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <poll.h>

namespace {

namespace net = boost::asio;
namespace ws = corio::protocol::websocket;
using corio::engine::close_reason;
using corio::engine::detail::plain_websocket_connection;
using corio::engine::detail::websocket_connection;

/// Reads come from feed(); writes are counted and never complete.
class fed_connection final : public websocket_connection {
public:
    fed_connection(executor_type strand, std::size_t max_message)
        : websocket_connection(std::move(strand), max_message)
    {
    }

    /// One read: `bytes` are copied into the one read buffer, as a
    /// transport's per-thread buffer is overwritten by each read.
    void feed(std::string_view bytes)
    {
        read_buffer_.assign(bytes.begin(), bytes.end());
        on_bytes(std::span<char>(read_buffer_.data(), read_buffer_.size()));
        // Whatever the connection kept must not point into the read.
        std::fill(read_buffer_.begin(), read_buffer_.end(), '\xAA');
    }

private:
    void begin_reading() override {}
    void write_buffers() override {}
    void close_transport() noexcept override {}
    void shutdown_send() noexcept override {}

    std::vector<char> read_buffer_;
};

/// Records the bytes of each write, which completes at once.
class recording_connection final : public websocket_connection {
public:
    recording_connection(executor_type strand, std::size_t max_message)
        : websocket_connection(std::move(strand), max_message)
    {
    }

    std::vector<std::string> writes;

private:
    void begin_reading() override {}
    void write_buffers() override
    {
        std::string bytes;
        for (auto b : buffers())
            bytes.append(static_cast<const char*>(b.data()), b.size());
        writes.push_back(std::move(bytes));
        on_written_at_once();
    }
    void close_transport() noexcept override {}
    void shutdown_send() noexcept override {}
};

struct read_message {
    bool text = false;
    std::string payload;
    bool in_storage = false; // handed up in a buffer of its own, and taken
    friend bool operator==(const read_message&, const read_message&) = default;
};

/// Records messages; takes a binary message's storage when offered, as the
/// session does.
class message_recorder final : public websocket_connection::events {
public:
    std::vector<read_message> messages;
    std::vector<std::size_t> taken_capacities;
    bool ended = false;

    void on_ws_message(websocket_connection&, bool text, std::string_view payload, std::string* storage) override
    {
        if (storage && !text) {
            BOOST_TEST((storage->data() == payload.data()));
            BOOST_TEST(storage->size() == payload.size());
            std::string taken = std::move(*storage);
            taken_capacities.push_back(taken.capacity());
            messages.push_back({text, std::move(taken), true});
            return;
        }
        messages.push_back({text, std::string(payload), storage != nullptr});
    }
    void on_ws_end(websocket_connection&, close_reason) override { ended = true; }
    void on_ws_written(websocket_connection&, std::size_t, std::size_t) override {}
};

std::string letters(std::size_t n, char first = 'a')
{
    std::string s;
    for (std::size_t i = 0; i < n; ++i)
        s.push_back(static_cast<char>(first + i % 26));
    return s;
}

// A masked client frame.
std::string masked_frame(unsigned op, std::string_view payload, bool fin = true)
{
    static constexpr unsigned char key[4] = {0x9c, 0x01, 0x7f, 0x20};
    std::string out;
    out.push_back(static_cast<char>((fin ? 0x80 : 0) | op));
    if (payload.size() <= 125) {
        out.push_back(static_cast<char>(0x80 | payload.size()));
    } else if (payload.size() <= 0xFFFF) {
        out.push_back(static_cast<char>(0x80 | 126));
        out.push_back(static_cast<char>(payload.size() >> 8));
        out.push_back(static_cast<char>(payload.size()));
    } else {
        out.push_back(static_cast<char>(0x80 | 127));
        for (int i = 7; i >= 0; --i)
            out.push_back(static_cast<char>(static_cast<std::uint64_t>(payload.size()) >> (8 * i)));
    }
    out.append(reinterpret_cast<const char*>(key), 4);
    for (std::size_t i = 0; i < payload.size(); ++i)
        out.push_back(static_cast<char>(payload[i] ^ static_cast<char>(key[i % 4])));
    return out;
}

struct reading_fixture {
    net::io_context ioc;
    std::shared_ptr<message_recorder> events = std::make_shared<message_recorder>();
    std::shared_ptr<fed_connection> connection =
        std::make_shared<fed_connection>(net::make_strand(ioc), std::size_t{1} << 20);

    reading_fixture() { connection->start(events, nullptr); }
};

// Reads `stream` in reads of `sizes` (cycled); returns the messages.
std::vector<read_message> read_stream_in_pieces(const std::string& stream, const std::vector<std::size_t>& sizes,
                                    std::size_t* most_kept = nullptr)
{
    reading_fixture f;
    std::size_t from = 0;
    for (std::size_t i = 0; from < stream.size(); ++i) {
        const std::size_t n = std::min(sizes[i % sizes.size()], stream.size() - from);
        f.connection->feed(std::string_view(stream).substr(from, n));
        from += n;
        if (most_kept)
            *most_kept = std::max(*most_kept, f.connection->read_capacity());
    }
    return f.events->messages;
}

/// A plain_websocket_connection on an accepted loopback socket (made
/// non-blocking, as the listener does at the accept), and the client's end.
struct loopback_pair {
    net::io_context ioc;
    net::ip::tcp::acceptor acceptor{ioc, {net::ip::make_address("127.0.0.1"), 0}};
    net::ip::tcp::socket client{ioc};
    std::shared_ptr<message_recorder> events = std::make_shared<message_recorder>();
    std::shared_ptr<plain_websocket_connection> connection;

    loopback_pair()
    {
        client.connect(acceptor.local_endpoint());
        plain_websocket_connection::socket_type accepted(net::make_strand(ioc));
        acceptor.accept(accepted);
        accepted.non_blocking(true);
        connection = std::make_shared<plain_websocket_connection>(std::move(accepted), std::size_t{1} << 20);
    }
};

/// Runs `ioc` until `done()`, for 5 s at most; then reports `done()`.
template <class Done> bool run_until(net::io_context& ioc, Done done)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
        ioc.restart();
        ioc.run_one_for(std::chrono::milliseconds(100));
    }
    return done();
}

} // namespace

BOOST_AUTO_TEST_SUITE(websocket_connection_reading)

BOOST_AUTO_TEST_CASE(messages_cut_across_reads_at_every_boundary)
{
    const std::string big = letters(6000, 'A');
    const std::string stream = masked_frame(0x1, "hello") + masked_frame(0x2, big) + masked_frame(0x9, letters(100)) +
                               masked_frame(0x2, "tiny") + masked_frame(0x2, letters(2000), false) +
                               masked_frame(0x0, letters(2000, 'k'), false) + masked_frame(0x0, "end") +
                               masked_frame(0x1, letters(300));
    const auto whole = read_stream_in_pieces(stream, {stream.size()});
    BOOST_TEST_REQUIRE(whole.size() == 5u);
    BOOST_TEST(whole[1].payload == big);
    BOOST_TEST(!whole[1].in_storage, "whole in the read: a view");
    BOOST_TEST(whole[3].in_storage, "a fragmented message is offered in the reader's buffer");
    BOOST_TEST(whole[3].payload == letters(2000) + letters(2000, 'k') + "end");
    for (std::size_t k = 1; k < stream.size(); ++k) {
        std::size_t most_kept = 0;
        auto cut = read_stream_in_pieces(stream, {k, stream.size()}, &most_kept);
        BOOST_TEST_REQUIRE(cut.size() == whole.size(), "cut at " << k);
        for (std::size_t i = 0; i < cut.size(); ++i)
            BOOST_TEST(cut[i].payload == whole[i].payload, "cut at " << k << ", message " << i);
        // A message cut by the read is gathered in a buffer of its own.
        const std::size_t big_at = 2 + 4 + 5; // after "hello"'s frame
        if (k > big_at && k < big_at + 8 + big.size())
            BOOST_TEST(cut[1].in_storage, "cut at " << k);
        // Never more than the message being gathered and a small tail.
        BOOST_TEST(most_kept <= big.size() + 4096, "cut at " << k);
    }
}

BOOST_AUTO_TEST_CASE(reads_of_every_small_size)
{
    const std::string stream = masked_frame(0x2, letters(70000)) + masked_frame(0x9, "p") + masked_frame(0x1, "x") +
                               masked_frame(0x8, std::string("\x03\xe8", 2));
    const auto whole = read_stream_in_pieces(stream, {stream.size()});
    for (const std::size_t step : {1u, 2u, 3u, 5u, 13u, 131u, 132u, 4096u, 65536u}) {
        const auto pieces = read_stream_in_pieces(stream, {step});
        BOOST_TEST_REQUIRE(pieces.size() == 2u, "step " << step);
        BOOST_TEST((pieces[0] == read_message{false, letters(70000), true}), "step " << step);
        BOOST_TEST(pieces[1].text);
        BOOST_TEST(pieces[1].payload == "x");
    }
    BOOST_TEST(whole.size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_large_message_goes_up_in_its_own_buffer_and_is_not_kept)
{
    reading_fixture f;
    const std::string payload = letters(100000);
    const std::string frame = masked_frame(0x2, payload);
    for (std::size_t at = 0; at < frame.size(); at += 65536)
        f.connection->feed(std::string_view(frame).substr(at, 65536));
    BOOST_TEST_REQUIRE(f.events->messages.size() == 1u);
    BOOST_TEST(f.events->messages[0].in_storage);
    BOOST_TEST(f.events->messages[0].payload == payload);
    BOOST_TEST(f.events->taken_capacities.at(0) == payload.size(), "one allocation, at the message's size");
    BOOST_TEST(f.connection->read_capacity() <= 4096u * 2, "nothing large kept once idle");
}

BOOST_AUTO_TEST_CASE(a_large_text_message_then_small_ones)
{
    reading_fixture f;
    const std::string text = letters(200000);
    const std::string stream = masked_frame(0x1, text) + masked_frame(0x1, "a") + masked_frame(0x2, "b");
    f.connection->feed(std::string_view(stream).substr(0, 100));
    f.connection->feed(std::string_view(stream).substr(100, stream.size() - 100 - 3));
    // The big message and "a" are in; "b" is cut.
    BOOST_TEST_REQUIRE(f.events->messages.size() == 2u);
    BOOST_TEST(f.events->messages[0].payload == text);
    BOOST_TEST(f.connection->read_capacity() <= 4096u * 2, "the text's buffer was freed");
    f.connection->feed(std::string_view(stream).substr(stream.size() - 3));
    BOOST_TEST_REQUIRE(f.events->messages.size() == 3u);
    BOOST_TEST(f.events->messages[1].payload == "a");
    BOOST_TEST(f.events->messages[2].payload == "b");
    BOOST_TEST(f.connection->read_capacity() <= 4096u * 2);
}

BOOST_AUTO_TEST_CASE(an_oversized_message_ends_reading_before_its_payload)
{
    reading_fixture f;
    auto c = std::make_shared<fed_connection>(net::make_strand(f.ioc), 1000);
    auto events = std::make_shared<message_recorder>();
    c->start(events, nullptr);
    c->feed(masked_frame(0x2, letters(5000)).substr(0, 20));
    BOOST_TEST(events->ended);
    BOOST_TEST(events->messages.empty());
    BOOST_TEST(c->read_capacity() < 1000u);
}

// The session takes in a probe's frames before a request of the same client
// on another connection (session_impl::take_probe_input): the frames are
// read there, while the wait for the probe's readiness has not completed.
BOOST_AUTO_TEST_CASE(take_received_reads_what_the_socket_holds_without_its_readiness)
{
    loopback_pair f;
    // Its wait for readability is pending; the io_context never runs it.
    f.connection->start(f.events, nullptr);
    net::write(f.client, net::buffer(masked_frame(0x1, "2probe") + masked_frame(0x1, "5")));
    pollfd readable{f.connection->socket().native_handle(), POLLIN, 0};
    BOOST_TEST_REQUIRE(::poll(&readable, 1, 5000) == 1, "the frames reached the socket");
    BOOST_TEST(f.events->messages.empty());

    f.connection->take_received();
    BOOST_TEST((f.events->messages == std::vector<read_message>{{true, "2probe", false}, {true, "5", false}}));
    BOOST_TEST(!f.events->ended);

    // The wait still pending ends with the connection.
    f.connection->cut();
    f.ioc.run();
    BOOST_TEST(f.events->ended);
}

// A connection whose small messages come close together reads into a small
// buffer of its own (no wait for readability, whose re-arming costs a system
// call); it gives the buffer back when a message does not fit it or when the
// connection goes quiet, and no message suffers from the switches.
BOOST_AUTO_TEST_CASE(a_busy_connection_reads_into_its_own_buffer_until_it_goes_quiet)
{
    loopback_pair f;
    f.connection->start(f.events, nullptr);
    std::vector<std::string> sent;
    auto send = [&](std::string_view payload) {
        net::write(f.client, net::buffer(masked_frame(0x1, payload)));
        sent.emplace_back(payload);
        return run_until(f.ioc, [&] { return f.events->messages.size() == sent.size(); });
    };
    // Each message waits for the one before: at most one per read.
    auto send_until_busy = [&] {
        for (int i = 0; i < 50 && !f.connection->reads_into_own_buffer(); ++i)
            BOOST_TEST_REQUIRE(send("small " + std::to_string(i)));
        return f.connection->reads_into_own_buffer();
    };
    BOOST_TEST(!f.connection->reads_into_own_buffer(), "a new connection waits for readability");
    BOOST_TEST_REQUIRE(send_until_busy());

    BOOST_TEST_REQUIRE(send(letters(3000)), "larger than the busy connection's buffer");
    BOOST_TEST(!f.connection->reads_into_own_buffer(), "a read that filled it gives it back");

    BOOST_TEST_REQUIRE(send_until_busy());
    // A frame cut across two reads of the busy connection's buffer.
    const std::string cut = masked_frame(0x1, "cut in two");
    net::write(f.client, net::buffer(cut.substr(0, 5)));
    f.ioc.restart();
    BOOST_TEST_REQUIRE(f.ioc.run_one_for(std::chrono::seconds(5)) == 1u, "the first part was read");
    net::write(f.client, net::buffer(cut.substr(5)));
    sent.emplace_back("cut in two");
    BOOST_TEST_REQUIRE(run_until(f.ioc, [&] { return f.events->messages.size() == sent.size(); }));

    // Quiet for longer than a busy connection's gap between reads.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    BOOST_TEST_REQUIRE(send("after a pause"));
    BOOST_TEST(!f.connection->reads_into_own_buffer(), "a quiet connection gives its buffer back");
    BOOST_TEST_REQUIRE(f.events->messages.size() == sent.size());
    for (std::size_t i = 0; i < sent.size(); ++i)
        BOOST_TEST(f.events->messages[i].payload == sent[i], "message " << i);

    f.client.close();
    BOOST_TEST(run_until(f.ioc, [&] { return f.events->ended; }));
}

// A new session's 101 answer goes out with its open packet, in one write.
BOOST_AUTO_TEST_CASE(bytes_to_precede_go_in_the_next_write_only)
{
    net::io_context ioc;
    auto connection = std::make_shared<recording_connection>(net::make_strand(ioc), std::size_t{1} << 20);
    connection->attach(std::make_shared<message_recorder>(), nullptr);
    const std::string answer = "HTTP/1.1 101 Switching Protocols\r\n\r\n";
    connection->precede_next_write(answer);
    auto packet = [](std::string data) {
        corio::protocol::packet p;
        p.type = corio::protocol::packet_type::message;
        p.data = std::move(data);
        return std::vector<corio::engine::detail::shared_packet>{
            std::make_shared<const corio::protocol::packet>(std::move(p))};
    };
    auto first = packet("hello");
    connection->write(first);
    auto second = packet("again");
    connection->write(second);
    // A server's text frame: FIN and opcode 1, the length, no mask.
    BOOST_TEST((connection->writes ==
                std::vector<std::string>{answer + "\x81\x06" "4hello", "\x81\x06" "4again"}));
}

BOOST_AUTO_TEST_SUITE_END()
