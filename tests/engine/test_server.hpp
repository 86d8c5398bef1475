#pragma once
// A real engine on 127.0.0.1 with an ephemeral port, run by two threads, and
// synchronous Beast clients for the tests to drive it with.

#include <corio/engine/listener.hpp>
#include <corio/engine/server.hpp>
#include <corio/engine/session.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/parse.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
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
    void on_open(const std::shared_ptr<corio::engine::session>& s) override
    {
        std::lock_guard lock(mutex_);
        opened_.push_back(s);
        changed_.notify_all();
    }
    void on_message(const std::shared_ptr<corio::engine::session>& s, corio::protocol::packet&& m) override
    {
        s->send(std::move(m));
    }
    void on_close(const std::shared_ptr<corio::engine::session>& s, corio::engine::close_reason r) override
    {
        std::lock_guard lock(mutex_);
        closed_.emplace_back(s->id(), r);
        changed_.notify_all();
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

    std::shared_ptr<corio::engine::session> find(const std::string& sid)
    {
        std::lock_guard lock(mutex_);
        for (auto& s : opened_)
            if (s->id() == sid)
                return s;
        return nullptr;
    }

private:
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
    explicit test_server(corio::engine::options o = fast_options())
        : server_(ioc_.get_executor(), std::move(o), echo_), listener_(ioc_)
    {
        listener_.add(server_);
        listener_.listen("127.0.0.1", 0);
        for (int i = 0; i < 2; ++i)
            threads_.emplace_back([this] { ioc_.run(); });
    }
    ~test_server()
    {
        listener_.stop();
        server_.close_all();
        ioc_.stop();
        for (auto& t : threads_)
            t.join();
    }

    std::uint16_t port() const { return listener_.port(); }
    recording_echo& handler() { return echo_; }
    corio::engine::server& server() { return server_; }
    const std::string& path() const { return server_.get_options().path; }

private:
    net::io_context ioc_;
    recording_echo echo_;
    corio::engine::server server_;
    corio::engine::listener listener_;
    std::vector<std::thread> threads_;
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

/// A synchronous WebSocket client.
class ws_client {
public:
    ws_client(std::uint16_t port, const std::string& target) : ws_(ioc_)
    {
        ws_.next_layer().connect({net::ip::make_address("127.0.0.1"), port});
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
    /// The next frame, or the error that ended the connection.
    std::string read(boost::system::error_code& ec)
    {
        boost::beast::flat_buffer buffer;
        ws_.read(buffer, ec);
        return boost::beast::buffers_to_string(buffer.data());
    }
    std::string read()
    {
        boost::system::error_code ec;
        auto frame = read(ec);
        if (ec)
            throw boost::system::system_error(ec);
        return frame;
    }
    /// The next frame that is not a ping; pings are answered on the way.
    std::string next()
    {
        for (;;) {
            auto frame = read();
            if (frame != "2" || got_binary())
                return frame;
            send_text("3");
        }
    }
    bool got_binary() const { return ws_.got_binary(); }
    websocket::close_reason reason() const { return ws_.reason(); }

private:
    net::io_context ioc_;
    websocket::stream<tcp::socket> ws_;
};

} // namespace corio_test
