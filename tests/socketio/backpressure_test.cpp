// Backpressure over a real engine on loopback: a socket whose client stops
// reading is disconnected with send_queue_full, and volatile emits to a busy
// socket are dropped and counted. The clients are synchronous Beast
// WebSockets speaking the wire format by hand.

#include <corio/server.hpp>
#include <corio/engine/listener.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

namespace net = boost::asio;
namespace json = boost::json;
namespace websocket = boost::beast::websocket;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

corio::server_options backpressure_options()
{
    corio::server_options o;
    // The queue, not the heartbeat, must end a silent client.
    o.engine.ping_interval = 60s;
    o.engine.ping_timeout = 60s;
    o.engine.max_queued_bytes = 1024 * 1024;
    o.log = corio::logger::off();
    return o;
}

/// A corio::server behind a real listener on 127.0.0.1, run by one thread
/// (so a session's write completions run before the client's answers to
/// them). Register handlers, then start().
struct loopback_server {
    loopback_server() = default;
    explicit loopback_server(const corio::server_options& o) : io(ioc.get_executor(), o) {}

    net::io_context ioc{1};
    corio::server io{ioc.get_executor(), backpressure_options()};
    corio::engine::listener listener{ioc};
    std::thread thread;

    std::mutex mutex;
    std::condition_variable changed;
    std::vector<std::pair<std::string, corio::disconnect_reason>> disconnects;

    void start()
    {
        listener.add(io.engine());
        listener.listen("127.0.0.1", 0);
        thread = std::thread([this] { ioc.run(); });
    }
    /// Shuts down as an application does (see corio::serve): a session and its
    /// connection hold each other until the session has sent its close, so
    /// stopping the io_context before then would leak them.
    ~loopback_server()
    {
        if (!thread.joinable())
            return; // never started: no session
        net::co_spawn(ioc, io.shutdown(5s), [this](std::exception_ptr) {
            listener.stop();
            ioc.stop();
        });
        thread.join();
    }
    std::uint16_t port() const { return listener.port(); }

    void record_disconnect(const std::string& sid, corio::disconnect_reason r)
    {
        std::lock_guard lock(mutex);
        disconnects.emplace_back(sid, r);
        changed.notify_all();
    }
    /// The reason `sid` disconnected with, waiting up to `limit`.
    std::optional<corio::disconnect_reason> disconnect_of(const std::string& sid, std::chrono::milliseconds limit)
    {
        std::unique_lock lock(mutex);
        std::optional<corio::disconnect_reason> found;
        changed.wait_for(lock, limit, [&] {
            for (auto& [id, r] : disconnects)
                if (id == sid)
                    found = r;
            return found.has_value();
        });
        return found;
    }
};

/// A Socket.IO client on a raw WebSocket: opens the session, connects to
/// "/", then reads only when told to.
class raw_client {
public:
    explicit raw_client(std::uint16_t port) : ws_(ioc_)
    {
        ws_.read_message_max(0); // no limit of its own: the server's events may be large
        ws_.next_layer().connect({net::ip::make_address("127.0.0.1"), port});
        ws_.handshake("127.0.0.1", "/socket.io/?EIO=4&transport=websocket");
        auto open = next();
        BOOST_TEST_REQUIRE(open.front() == '0');
        send("40");
        auto connected = next();
        BOOST_TEST_REQUIRE(connected.rfind("40{", 0) == 0u);
        sid_ = json::parse(std::string_view(connected).substr(2)).at("sid").as_string();
    }

    const std::string& sid() const { return sid_; }

    void send(std::string_view text)
    {
        ws_.text(true);
        ws_.write(net::buffer(text));
    }
    /// The next frame, or the error that ended the connection.
    std::string read(boost::system::error_code& ec)
    {
        boost::beast::flat_buffer buffer;
        ws_.read(buffer, ec);
        return boost::beast::buffers_to_string(buffer.data());
    }
    /// The next frame that is not a ping; pings are answered on the way.
    std::string next()
    {
        for (;;) {
            boost::system::error_code ec;
            auto frame = read(ec);
            if (ec)
                throw boost::system::system_error(ec);
            if (frame != "2")
                return frame;
            send("3");
        }
    }

private:
    net::io_context ioc_;
    websocket::stream<tcp::socket> ws_;
    std::string sid_;
};

std::string event_text(const json::array& event)
{
    return "42" + json::serialize(event);
}

} // namespace

BOOST_AUTO_TEST_SUITE(backpressure)

BOOST_AUTO_TEST_CASE(a_socket_whose_client_stops_reading_disconnects_with_send_queue_full)
{
    loopback_server s;
    auto root = s.io.of("/");
    root.on_disconnect(
        [&s](corio::context& ctx, corio::disconnect_reason reason) { s.record_disconnect(ctx.id(), reason); });
    s.start();
    raw_client silent(s.port());
    raw_client reader(s.port());

    // 64 KiB events to both, in step with the reader, until the silent
    // client's socket buffers and then its queue are full. At most 4096 of
    // them (256 MiB): far more than any kernel buffers.
    const std::string filler(64 * 1024, 'x');
    std::optional<corio::disconnect_reason> reason;
    int sent = 0;
    for (; sent < 4096 && !reason; ++sent) {
        root.to(silent.sid()).emit("big", sent, filler);
        root.to(reader.sid()).emit("big", sent, filler);
        if (reader.next() != event_text({"big", sent, filler}))
            BOOST_FAIL("the reader missed event " << sent);
        reason = s.disconnect_of(silent.sid(), 0ms);
    }
    if (!reason)
        reason = s.disconnect_of(silent.sid(), 5000ms);
    BOOST_TEST_MESSAGE("silent client disconnected after " << sent << " events of 64 KiB");
    BOOST_TEST_REQUIRE(reason.has_value());
    BOOST_TEST((*reason == corio::disconnect_reason::send_queue_full));
    BOOST_TEST(corio::to_string(*reason) == "send queue full");

    // Everyone else carries on.
    root.emit("after", "still here");
    BOOST_TEST(reader.next() == event_text({"after", "still here"}));
    BOOST_TEST(root.socket_count() == 1u);
    BOOST_TEST(!s.disconnect_of(reader.sid(), 0ms).has_value());
}

BOOST_AUTO_TEST_CASE(volatile_emits_to_a_busy_socket_are_dropped_and_counted)
{
    // A queue large enough for an event no socket buffer takes at once.
    auto options = backpressure_options();
    options.engine.max_queued_bytes = 64 * 1024 * 1024;
    loopback_server s(options);
    auto root = s.io.of("/");
    const std::string large(32 * 1024 * 1024, 'x');
    root.on("burst", [root, &large](corio::context& ctx) {
        // Runs on the socket's strand. The kernel takes only part of the
        // 32 MiB event (loopback's socket buffers hold a few MiB), so the
        // rest waits for the client, which is not reading yet: the transport
        // is busy when the volatile emits arrive, and each of them is dropped.
        ctx.emit("first", large);
        for (int i = 0; i < 3; ++i)
            root.to(ctx.id()).volatile_().emit("volatile", i);
        return true; // the ack: once it arrives, the drops are counted
    });
    root.on("volatile_please", [root](corio::context& ctx) {
        root.to(ctx.id()).volatile_().emit("volatile", "idle");
        return true; // the ack, queued after it
    });
    s.start();
    raw_client c(s.port());

    c.send("420" + json::serialize(json::array{"burst"}));
    BOOST_TEST(c.next() == event_text({"first", large}));
    BOOST_TEST(c.next() == "430[true]");
    BOOST_TEST(s.io.stats().volatile_dropped == 3u);

    // An idle socket takes a volatile emit. Each try is acknowledged; the
    // volatile packet, when taken, comes first.
    bool delivered = false;
    for (int attempt = 0; attempt < 100 && !delivered; ++attempt) {
        c.send("420" + json::serialize(json::array{"volatile_please"}));
        auto frame = c.next();
        delivered = frame == event_text({"volatile", "idle"});
        if (delivered)
            frame = c.next();
        BOOST_TEST(frame == "430[true]");
    }
    BOOST_TEST(delivered);
}

BOOST_AUTO_TEST_SUITE_END()
