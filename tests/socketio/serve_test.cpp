// corio::serve on loopback: it listens, serves until a stop request or
// SIGTERM, and returns only once every client was told goodbye; a port it
// cannot bind comes out as an exception naming the address. The clients are
// the engine tests' Beast clients (reads bounded by io_limit) speaking the
// wire format by hand.

#include <corio/serve.hpp>

#include <corio/engine/listener.hpp>
#include <corio/server.hpp>

#include "../engine/test_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <future>
#include <mutex>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

using namespace corio_test;

/// A corio::server whose "/" records who disconnected and why, served by
/// corio::serve on its own thread.
class served_app {
public:
    /// `opts` gets the address, the port report and the stop token.
    explicit served_app(corio::serve_options opts = {})
    {
        auto root = io_.of("/");
        root.on_disconnect([this](corio::context& ctx, corio::disconnect_reason reason) {
            std::lock_guard lock(mutex_);
            disconnects_.emplace_back(ctx.id(), reason);
        });
        listener_.add(io_.engine());

        opts.host = "127.0.0.1";
        opts.port = 0;
        opts.threads = 2;
        opts.stop = stop_.get_token();
        std::promise<std::uint16_t> listening;
        auto port = listening.get_future();
        opts.on_listening = [&listening](std::uint16_t p) { listening.set_value(p); };
        auto served = std::packaged_task<void()>([this, opts = std::move(opts)] { corio::serve(ioc_, listener_, io_, opts); });
        returned_ = served.get_future();
        thread_ = std::thread(std::move(served));
        if (port.wait_for(io_limit) != std::future_status::ready) {
            // serve threw before it listened: that is the error to report.
            thread_.join();
            returned_.get();
            throw std::runtime_error("serve returned without listening");
        }
        port_ = port.get();
    }
    ~served_app()
    {
        // A test that failed midway must still end: stop, and stop hard.
        stop_.request_stop();
        if (returned_.valid() && returned_.wait_for(io_limit) != std::future_status::ready)
            ioc_.stop();
        thread_.join();
    }

    std::uint16_t port() const { return port_; }
    void request_stop() { stop_.request_stop(); }
    /// Whether serve returned within io_limit (rethrowing what it threw).
    bool returned()
    {
        if (returned_.wait_for(io_limit) != std::future_status::ready)
            return false;
        returned_.get();
        return true;
    }
    std::vector<std::pair<std::string, corio::disconnect_reason>> disconnects()
    {
        std::lock_guard lock(mutex_);
        return disconnects_;
    }

private:
    net::io_context ioc_{2};
    corio::server io_{ioc_.get_executor(), quiet_options()};
    corio::engine::listener listener_{ioc_};
    std::stop_source stop_;
    std::thread thread_;
    std::future<void> returned_;
    std::uint16_t port_ = 0;
    std::mutex mutex_;
    std::vector<std::pair<std::string, corio::disconnect_reason>> disconnects_;

    static corio::server_options quiet_options()
    {
        corio::server_options o;
        o.log = corio::logger::off();
        return o;
    }
};

/// A Socket.IO client on a WebSocket, connected to "/".
struct ws_socket {
    ws_client ws;
    std::string sid;

    explicit ws_socket(std::uint16_t port) : ws(port, "/socket.io/?EIO=4&transport=websocket")
    {
        BOOST_TEST_REQUIRE(ws.next().front() == '0');
        ws.send_text("40");
        auto connected = ws.next();
        BOOST_TEST_REQUIRE(connected.starts_with("40{"));
        sid = boost::json::parse(std::string_view(connected).substr(2)).at("sid").as_string();
    }

    /// Reads on another thread, as a client does (answering pings and the
    /// close handshake), until the connection ends or a read gets nothing
    /// within io_limit: the messages received, in order.
    std::future<std::vector<std::string>> read_until_closed()
    {
        return std::async(std::launch::async, [this] {
            std::vector<std::string> messages;
            for (;;) {
                boost::system::error_code ec;
                auto message = ws.read(ec);
                if (ec)
                    return messages;
                if (message == "2")
                    ws.send_text("3");
                else
                    messages.push_back(std::move(message));
            }
        });
    }
};

/// A Socket.IO client on long-polling, connected to "/". Its GETs share one
/// kept-alive connection, which the server accepted before it stopped
/// listening; POSTs use fresh ones.
class polling_socket {
public:
    explicit polling_socket(std::uint16_t port) : port_(port), gets_(ioc_)
    {
        gets_.connect({net::ip::make_address("127.0.0.1"), port});
        auto open = request(gets_, http::verb::get, "/socket.io/?EIO=4&transport=polling");
        BOOST_TEST_REQUIRE(open.starts_with("0{"));
        engine_sid_ = sid_of(open);
        post("40");
        auto connected = request(gets_, http::verb::get, target());
        BOOST_TEST_REQUIRE(connected.starts_with("40{"));
        sid = boost::json::parse(std::string_view(connected).substr(2)).at("sid").as_string();
    }

    /// Long-polls on another thread, as a client does, until the Engine.IO
    /// close packet comes (or a poll gets no answer within io_limit): the
    /// packets received, in order.
    std::future<std::vector<std::string>> poll_until_closed()
    {
        return std::async(std::launch::async, [this] {
            std::vector<std::string> packets;
            while (packets.empty() || packets.back() != "1") {
                auto payload = request(gets_, http::verb::get, target());
                for (std::size_t at = 0;;) {
                    auto end = payload.find('\x1e', at);
                    packets.push_back(payload.substr(at, end - at));
                    if (end == std::string::npos)
                        break;
                    at = end + 1;
                }
            }
            return packets;
        });
    }

    std::string sid;

private:
    std::string target() const { return "/socket.io/?EIO=4&transport=polling&sid=" + engine_sid_; }

    void post(std::string body)
    {
        tcp::socket posts(ioc_);
        posts.connect({net::ip::make_address("127.0.0.1"), port_});
        BOOST_TEST_REQUIRE(request(posts, http::verb::post, target(), std::move(body)) == "ok");
    }

    std::string request(tcp::socket& socket, http::verb verb, const std::string& target, std::string body = {})
    {
        send(socket, verb, target, std::move(body));
        return receive(socket);
    }
    void send(tcp::socket& socket, http::verb verb, const std::string& target, std::string body = {})
    {
        http::request<http::string_body> req{verb, target, 11};
        req.set(http::field::host, "127.0.0.1");
        req.body() = std::move(body);
        req.prepare_payload();
        http::write(socket, req);
    }
    /// The body of the next response, within io_limit.
    std::string receive(tcp::socket& socket)
    {
        response res;
        boost::system::error_code ec;
        bool done = false;
        http::async_read(socket, buffer_, res, [&](boost::system::error_code e, std::size_t) {
            ec = e;
            done = true;
        });
        finish_within(ioc_, socket, done, io_limit, ec);
        if (ec)
            throw boost::system::system_error(ec);
        // Thrown, not checked: poll_until_closed runs this on a thread of its
        // own, and Boost.Test's checks are for the test's thread only.
        if (res.result() != http::status::ok)
            throw std::runtime_error("answered " + std::to_string(res.result_int()));
        return res.body();
    }

    std::uint16_t port_;
    net::io_context ioc_;
    tcp::socket gets_;
    boost::beast::flat_buffer buffer_;
    std::string engine_sid_;
};

bool disconnected_for_shutdown(const std::vector<std::pair<std::string, corio::disconnect_reason>>& all,
                               const std::string& sid)
{
    for (auto& [id, reason] : all)
        if (id == sid)
            return reason == corio::disconnect_reason::server_shutting_down;
    return false;
}

/// Called once serve returned: the clients' reads end by themselves, and
/// what they got was sent before serve returned, since its threads are gone.
void expect_goodbyes(std::future<std::vector<std::string>>& on_websocket,
                     std::future<std::vector<std::string>>& on_polling)
{
    const std::vector<std::string> goodbyes{"41", "1"};
    BOOST_TEST_REQUIRE((on_websocket.wait_for(io_limit) == std::future_status::ready));
    BOOST_TEST(on_websocket.get() == goodbyes, boost::test_tools::per_element());
    BOOST_TEST_REQUIRE((on_polling.wait_for(io_limit) == std::future_status::ready));
    BOOST_TEST(on_polling.get() == goodbyes, boost::test_tools::per_element());
}

net::awaitable<void> failing_drain(std::chrono::milliseconds)
{
    throw std::runtime_error("the drain failed");
    co_return;
}

} // namespace

BOOST_AUTO_TEST_SUITE(serve)

BOOST_AUTO_TEST_CASE(a_stop_request_returns_once_every_client_was_told_goodbye)
{
    served_app app({.signals = {}});
    ws_socket ws_peer(app.port());
    polling_socket polling_peer(app.port());
    auto on_websocket = ws_peer.read_until_closed();
    auto on_polling = polling_peer.poll_until_closed();

    app.request_stop();
    BOOST_TEST_REQUIRE(app.returned());
    expect_goodbyes(on_websocket, on_polling);
    auto gone = app.disconnects();
    BOOST_TEST(gone.size() == 2u);
    BOOST_TEST(disconnected_for_shutdown(gone, ws_peer.sid));
    BOOST_TEST(disconnected_for_shutdown(gone, polling_peer.sid));
}

BOOST_AUTO_TEST_CASE(sigterm_begins_the_same_shutdown)
{
    served_app app({.signals = {SIGTERM}});
    ws_socket ws_peer(app.port());
    polling_socket polling_peer(app.port());
    auto on_websocket = ws_peer.read_until_closed();
    auto on_polling = polling_peer.poll_until_closed();

    std::raise(SIGTERM);
    BOOST_TEST_REQUIRE(app.returned());
    expect_goodbyes(on_websocket, on_polling);
    BOOST_TEST(disconnected_for_shutdown(app.disconnects(), ws_peer.sid));
}

BOOST_AUTO_TEST_CASE(a_port_in_use_throws_naming_the_address)
{
    net::io_context ioc;
    tcp::acceptor taken(ioc, {net::ip::make_address("127.0.0.1"), 0});
    const auto port = taken.local_endpoint().port();
    corio::server io(ioc.get_executor());
    corio::engine::listener listener(ioc);
    listener.add(io.engine());
    bool reported = false;
    try {
        corio::serve(ioc, listener, io,
                     {.host = "127.0.0.1", .port = port, .on_listening = [&](std::uint16_t) { reported = true; }});
        BOOST_FAIL("serve listened on a port in use");
    } catch (const boost::system::system_error& e) {
        BOOST_TEST(e.code() == boost::system::errc::address_in_use);
        BOOST_TEST(std::string(e.what()).starts_with("cannot listen on 127.0.0.1:" + std::to_string(port)));
    }
    BOOST_TEST(!reported);
}

BOOST_AUTO_TEST_CASE(what_the_drain_throws_comes_out_of_serve)
{
    net::io_context ioc;
    corio::server io(ioc.get_executor());
    corio::engine::listener listener(ioc);
    listener.add(io.engine());
    std::stop_source stop;
    stop.request_stop(); // before serve: it shuts down as soon as it runs
    BOOST_CHECK_EXCEPTION(
        corio::serve(ioc, listener, &failing_drain, {.host = "127.0.0.1", .port = 0, .signals = {}, .stop = stop.get_token()}),
        std::runtime_error, [](const std::runtime_error& e) { return std::string(e.what()) == "the drain failed"; });
}

BOOST_AUTO_TEST_SUITE_END()
