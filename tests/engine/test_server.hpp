#pragma once
// A real engine on 127.0.0.1 with an ephemeral port, run by two threads, and
// synchronous Beast clients for the tests to drive it with.

#include <corio/engine/listener.hpp>
#include <corio/engine/run.hpp>
#include <corio/engine/server.hpp>
#include <corio/engine/session.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/parse.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace corio_test {

namespace net = boost::asio;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

/// Echoes every message and records what happened, for tests to wait on.
class recording_echo final : public corio::engine::handler {
public:
    std::shared_ptr<corio::engine::session_handler> on_open(const std::shared_ptr<corio::engine::session>& s) override
    {
        std::lock_guard lock(mutex_);
        opened_.push_back(s);
        changed_.notify_all();
        return std::make_shared<echo>(*this, s);
    }

    /// The close reason of `sid`, waiting up to `limit` for it.
    std::optional<corio::engine::close_reason> wait_closed(const std::string& sid,
                                                           std::chrono::milliseconds limit = 5000ms)
    {
        std::unique_lock lock(mutex_);
        std::optional<corio::engine::close_reason> found;
        changed_.wait_for(lock, limit, [&] {
            for (auto& [id, r] : closed_)
                if (id == sid)
                    found = r;
            return found.has_value();
        });
        return found;
    }

    /// Whether `n` sessions have opened, waiting up to `limit` for them.
    bool wait_opened(std::size_t n, std::chrono::milliseconds limit = 5000ms)
    {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, limit, [&] { return opened_.size() >= n; });
    }

    std::shared_ptr<corio::engine::session> find(const std::string& sid)
    {
        std::lock_guard lock(mutex_);
        for (auto& s : opened_)
            if (s->id() == sid)
                return s;
        return nullptr;
    }

private:
    /// One session's: echoes, and reports the close to the recorder. Weak:
    /// a session the test leaves open is freed with the io_context.
    class echo final : public corio::engine::session_handler {
    public:
        echo(recording_echo& recorder, const std::shared_ptr<corio::engine::session>& s)
            : recorder_(recorder), session_(s), id_(s->id())
        {
        }
        void on_message(corio::protocol::packet&& m) override
        {
            if (auto s = session_.lock())
                s->send(std::move(m));
        }
        void on_close(corio::engine::close_reason r) override { recorder_.closed(id_, r); }

    private:
        recording_echo& recorder_;
        std::weak_ptr<corio::engine::session> session_;
        std::string id_;
    };

    void closed(const std::string& sid, corio::engine::close_reason r)
    {
        std::lock_guard lock(mutex_);
        closed_.emplace_back(sid, r);
        changed_.notify_all();
    }

    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::shared_ptr<corio::engine::session>> opened_;
    std::vector<std::pair<std::string, corio::engine::close_reason>> closed_;
};

inline corio::engine::options fast_options()
{
    corio::engine::options o;
    o.ping_interval = 300ms;
    o.ping_timeout = 200ms;
    o.limits.max_payload = 10'000;
    return o;
}

class test_server {
public:
    /// Sessions go to `h`, or to the recording echo without one. The engine
    /// runs under corio::engine::run(ioc, threads): one io_context per
    /// thread, where writes may be batched.
    explicit test_server(corio::engine::options o = fast_options(), corio::engine::handler* h = nullptr,
                         corio::engine::listener_options lo = {}, unsigned threads = 2)
        : server_(ioc_.get_executor(), std::move(o), h ? *h : echo_), listener_(ioc_, std::move(lo))
    {
        listener_.add(server_);
        listener_.listen("127.0.0.1", 0);
        runner_ = std::thread([this, threads] { corio::engine::run(ioc_, threads); });
    }
    /// Stops as corio::serve does: every session finishes before the
    /// io_context stops. Stopping it first would strand a WebSocket session
    /// and its connection, which hold each other until the close completes,
    /// and LeakSanitizer (build-asan) would report them.
    ~test_server()
    {
        // A test may have stopped the io_context itself (close_all_test does).
        if (!ioc_.stopped())
            net::co_spawn(ioc_,
                          server_.async_close_all(corio::engine::close_reason::server_close, std::chrono::seconds(2)),
                          net::use_future)
                .wait_for(std::chrono::seconds(3));
        listener_.stop();
        ioc_.stop();
        runner_.join();
    }

    std::uint16_t port() const { return listener_.port(); }
    recording_echo& handler() { return echo_; }
    corio::engine::server& server() { return server_; }
    corio::engine::listener& listener() { return listener_; }
    net::io_context& io_context() { return ioc_; }
    const std::string& path() const { return server_.options().path; }

private:
    net::io_context ioc_;
    recording_echo echo_;
    corio::engine::server server_;
    corio::engine::listener listener_;
    std::thread runner_;
};

using response = http::response<http::string_body>;

/// One HTTP request on a fresh connection.
inline response http_request(std::uint16_t port, http::verb verb, const std::string& target, std::string body = {},
                             const std::vector<std::pair<std::string, std::string>>& headers = {})
{
    net::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect({net::ip::make_address("127.0.0.1"), port});
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (auto& [k, v] : headers)
        req.set(k, v);
    req.body() = std::move(body);
    req.prepare_payload();
    http::write(socket, req);
    boost::beast::flat_buffer buffer;
    response res;
    boost::system::error_code ec;
    http::read(socket, buffer, res, ec);
    return res;
}

inline std::string query(const std::string& path, const std::string& transport, const std::string& sid = {})
{
    std::string q = path + "?EIO=4&transport=" + transport;
    if (!sid.empty())
        q += "&sid=" + sid;
    return q;
}

/// The sid from an open packet `0{...}`.
inline std::string sid_of(const std::string& open_packet)
{
    auto v = boost::json::parse(std::string_view(open_packet).substr(1));
    return std::string(v.at("sid").as_string());
}

inline std::string open_polling(test_server& s)
{
    return sid_of(http_request(s.port(), http::verb::get, query(s.path(), "polling")).body());
}

/// How long a client waits for the server before giving up: a test that
/// expects a frame which never comes fails instead of hanging.
inline constexpr std::chrono::milliseconds io_limit = 5000ms;

/// Runs the asynchronous operation just started on `ioc` until it sets
/// `done`, for at most `limit`. A late one is ended by closing `socket`
/// (the connection is lost) and `ec` becomes timed_out. SO_RCVTIMEO would not
/// do: Asio's blocking reads wait again after the socket's timeout.
inline void finish_within(net::io_context& ioc, tcp::socket& socket, const bool& done,
                          std::chrono::steady_clock::duration limit, boost::system::error_code& ec)
{
    ioc.restart();
    ioc.run_for(limit);
    if (done)
        return;
    boost::system::error_code ignored;
    socket.close(ignored);
    ioc.restart();
    ioc.run();
    ec = net::error::timed_out;
}

/// The server hung up: a clean end, or a reset (it closed with unread data).
inline bool hung_up(const boost::system::error_code& ec)
{
    return ec == net::error::eof || ec == net::error::connection_reset;
}

/// A GET on a fresh connection whose answer is awaited for at most `limit`:
/// `ec` is timed_out if none came (the server stopped, say), or the error that
/// kept the request from being sent.
inline response http_get_within(std::uint16_t port, const std::string& target, boost::system::error_code& ec,
                                std::chrono::milliseconds limit = io_limit)
{
    net::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect({net::ip::make_address("127.0.0.1"), port}, ec);
    if (ec)
        return {};
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, "127.0.0.1");
    http::write(socket, req, ec);
    if (ec)
        return {};
    boost::beast::flat_buffer buffer;
    response res;
    bool done = false;
    http::async_read(socket, buffer, res, [&](boost::system::error_code e, std::size_t) {
        ec = e;
        done = true;
    });
    finish_within(ioc, socket, done, limit, ec);
    return res;
}

/// A WebSocket client: blocking writes, reads bounded by io_limit.
class ws_client {
public:
    /// With `deflate`, Beast offers permessage-deflate, and compresses and
    /// inflates messages when the server accepts.
    ws_client(std::uint16_t port, const std::string& target, bool deflate = false) : ws_(ioc_)
    {
        if (deflate) {
            websocket::permessage_deflate pmd;
            pmd.client_enable = true;
            pmd.msg_size_threshold = 0;
            ws_.set_option(pmd);
        }
        ws_.next_layer().connect({net::ip::make_address("127.0.0.1"), port});
        // Small writes (fragments, pings) go out at once, not after an ACK.
        ws_.next_layer().set_option(tcp::no_delay(true));
        ws_.handshake("127.0.0.1", target);
    }
    void send_text(std::string_view text)
    {
        ws_.text(true);
        ws_.write(net::buffer(text));
    }
    void send_binary(std::string_view bytes)
    {
        ws_.binary(true);
        ws_.write(net::buffer(bytes));
    }
    /// The next message, or the error that ended the connection (timed_out
    /// if nothing came within `limit`).
    std::string read(boost::system::error_code& ec, std::chrono::steady_clock::duration limit = io_limit)
    {
        boost::beast::flat_buffer buffer;
        bool done = false;
        ws_.async_read(buffer, [&](boost::system::error_code e, std::size_t) {
            ec = e;
            done = true;
        });
        finish_within(ioc_, ws_.next_layer(), done, limit, ec);
        return boost::beast::buffers_to_string(buffer.data());
    }
    std::string read(std::chrono::steady_clock::duration limit = io_limit)
    {
        boost::system::error_code ec;
        auto frame = read(ec, limit);
        if (ec)
            throw boost::system::system_error(ec);
        return frame;
    }
    /// The next message that is not an Engine.IO ping, within io_limit in
    /// all; pings are answered on the way.
    std::string next()
    {
        const auto deadline = std::chrono::steady_clock::now() + io_limit;
        for (;;) {
            auto frame = read(deadline - std::chrono::steady_clock::now());
            if (frame != "2" || got_binary())
                return frame;
            send_text("3");
        }
    }
    /// Sends a close frame with `code` and waits for the server's, then for
    /// the end of the connection, within io_limit.
    boost::system::error_code close(websocket::close_reason code)
    {
        boost::system::error_code ec;
        bool done = false;
        ws_.async_close(code, [&](boost::system::error_code e) {
            ec = e;
            done = true;
        });
        finish_within(ioc_, ws_.next_layer(), done, io_limit, ec);
        return ec;
    }
    bool got_binary() const { return ws_.got_binary(); }
    bool got_text() const { return ws_.got_text(); }
    websocket::close_reason reason() const { return ws_.reason(); }
    /// For what the helpers do not cover: fragments, pings, control callbacks.
    websocket::stream<tcp::socket>& stream() { return ws_; }

private:
    net::io_context ioc_;
    websocket::stream<tcp::socket> ws_;
};

/// A frame as a client sends it: `head` (FIN, RSV bits, opcode), then the
/// payload, masked with a fixed key unless `masked` is false (a violation).
inline std::string client_frame(unsigned char head, std::string_view payload, bool masked = true)
{
    std::string out(1, static_cast<char>(head));
    const unsigned char mask_bit = masked ? 0x80 : 0x00;
    if (payload.size() < 126) {
        out.push_back(static_cast<char>(mask_bit | payload.size()));
    } else {
        out.push_back(static_cast<char>(mask_bit | 126));
        out.push_back(static_cast<char>(payload.size() >> 8));
        out.push_back(static_cast<char>(payload.size() & 0xFF));
    }
    const char key[4] = {'\x12', '\x34', '\x56', '\x78'};
    if (masked)
        out.append(key, 4);
    for (std::size_t i = 0; i < payload.size(); ++i)
        out.push_back(static_cast<char>(masked ? payload[i] ^ key[i % 4] : payload[i]));
    return out;
}

/// A WebSocket client on a plain TCP socket, for bytes no WebSocket library
/// would send: it does the HTTP upgrade itself, then writes raw bytes and
/// reads raw bytes or the server's (unmasked) frames, within io_limit.
class raw_ws_client {
public:
    struct frame {
        unsigned char head = 0; // FIN, RSV bits, opcode
        std::string payload;
    };

    /// `extensions`: the Sec-WebSocket-Extensions header to offer, if any.
    raw_ws_client(std::uint16_t port, const std::string& target, std::string_view extensions = {}) : socket_(ioc_)
    {
        socket_.connect({net::ip::make_address("127.0.0.1"), port});
        http::request<http::empty_body> req{http::verb::get, target, 11};
        req.set(http::field::host, "127.0.0.1");
        req.set(http::field::upgrade, "websocket");
        req.set(http::field::connection, "Upgrade");
        req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
        req.set(http::field::sec_websocket_version, "13");
        if (!extensions.empty())
            req.set(http::field::sec_websocket_extensions, extensions);
        http::write(socket_, req);
        // The open packet may follow the 101 in the same read: it stays in
        // buffer_ for the frame reads.
        http::response<http::empty_body> res;
        boost::system::error_code ec;
        bool done = false;
        http::async_read(socket_, buffer_, res, [&](boost::system::error_code e, std::size_t) {
            ec = e;
            done = true;
        });
        finish_within(ioc_, socket_, done, io_limit, ec);
        if (ec)
            throw boost::system::system_error(ec);
        // The accept value for that key (RFC 6455, section 1.3).
        if (res.result() != http::status::switching_protocols ||
            res[http::field::sec_websocket_accept] != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
            throw std::runtime_error("the WebSocket handshake failed");
        extensions_ = res[http::field::sec_websocket_extensions];
    }

    /// The server's Sec-WebSocket-Extensions answer; empty for none.
    const std::string& extensions() const noexcept { return extensions_; }

    void write(std::string_view bytes) { net::write(socket_, net::buffer(bytes)); }

    /// Exactly `n` bytes; throws if the connection ends or io_limit passes first.
    std::string read_bytes(std::size_t n)
    {
        boost::system::error_code ec;
        fill(n, ec);
        if (ec)
            throw boost::system::system_error(ec);
        std::string out(static_cast<const char*>(buffer_.data().data()), n);
        buffer_.consume(n);
        return out;
    }

    /// Everything until the connection ends; `ec` says how (eof for a clean
    /// hang-up, timed_out if it did not end within io_limit).
    std::string read_to_end(boost::system::error_code& ec)
    {
        fill(std::numeric_limits<std::size_t>::max(), ec);
        auto out = boost::beast::buffers_to_string(buffer_.data());
        buffer_.consume(buffer_.size());
        return out;
    }

    /// The next frame from the server, which must be unmasked and short
    /// enough for a 7- or 16-bit length.
    frame read_frame()
    {
        frame f;
        auto header = read_bytes(2);
        f.head = static_cast<unsigned char>(header[0]);
        std::size_t length = static_cast<unsigned char>(header[1]);
        if (length & 0x80)
            throw std::runtime_error("the server masked a frame");
        if (length == 126) {
            auto ext = read_bytes(2);
            length = (static_cast<std::size_t>(static_cast<unsigned char>(ext[0])) << 8) |
                     static_cast<unsigned char>(ext[1]);
        } else if (length == 127) {
            throw std::runtime_error("frame too long for raw_ws_client");
        }
        f.payload = read_bytes(length);
        return f;
    }

private:
    /// Reads until buffer_ holds `n` bytes or the connection ends.
    void fill(std::size_t n, boost::system::error_code& ec)
    {
        const auto deadline = std::chrono::steady_clock::now() + io_limit;
        while (buffer_.size() < n && !ec) {
            bool done = false;
            socket_.async_read_some(buffer_.prepare(64 * 1024), [&](boost::system::error_code e, std::size_t got) {
                buffer_.commit(got);
                ec = e;
                done = true;
            });
            finish_within(ioc_, socket_, done, deadline - std::chrono::steady_clock::now(), ec);
        }
    }

    net::io_context ioc_;
    tcp::socket socket_;
    boost::beast::flat_buffer buffer_;
    std::string extensions_;
};

} // namespace corio_test
