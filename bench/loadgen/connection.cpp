#include "connection.hpp"

#include "wire.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/websocket/error.hpp>

#include <netinet/in.h>
#include <sys/socket.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24 // <linux/in.h>, Linux 4.2+
#endif

namespace loadgen {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
/// Messages a server may send between `40` and its answer (pings) before we
/// call the connect answer missing.
constexpr int max_messages_before_connect_answer = 16;

std::string describe(const boost::system::error_code& ec)
{
    if (ec == beast::error::timeout)
        return "timeout";
    if (ec == websocket::error::closed)
        return "closed by server";
    return ec.message();
}

std::string failure(std::string_view phase, std::string_view what)
{
    return std::string(phase) + ": " + std::string(what);
}

} // namespace

connection::connection(net::any_io_executor executor)
    : executor_(executor)
    , ws_(executor)
{
}

net::awaitable<open_result> connection::open(const target& t, std::optional<net::ip::address> source,
                                             std::chrono::milliseconds timeout)
{
    auto started = clock::now();
    auto conn = std::make_shared<connection>(co_await net::this_coro::executor);
    open_result result;
    auto& tcp = conn->ws_.next_layer();
    // One deadline for the whole handshake: every operation below fails
    // with beast::error::timeout once it has passed.
    tcp.expires_after(timeout);

    boost::system::error_code ec;
    auto& socket = tcp.socket();
    socket.open(t.endpoint.protocol(), ec);
    if (!ec && source) {
        // Let connect() pick the port by the full 4-tuple: bind() alone would
        // reserve (address, port) and run out of ports sooner.
        int one = 1;
        ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        socket.bind({*source, 0}, ec);
    }
    if (ec) {
        result.failure = failure("socket", describe(ec));
        co_return result;
    }

    {
        auto [connect_ec] = co_await tcp.async_connect(t.endpoint, use_tuple);
        if (connect_ec) {
            result.failure = failure("tcp_connect", describe(connect_ec));
            co_return result;
        }
    }
    // Small frames go out at once instead of waiting on Nagle's algorithm.
    socket.set_option(net::ip::tcp::no_delay(true), ec);

    {
        auto [upgrade_ec] = co_await conn->ws_.async_handshake(t.host, t.resource, use_tuple);
        if (upgrade_ec) {
            result.failure = failure("ws_upgrade", describe(upgrade_ec));
            co_return result;
        }
    }
    // Engine.IO reads binary frames as binary packets: text only.
    conn->ws_.text(true);

    std::string_view message;
    ec = co_await conn->read_message(message);
    if (ec) {
        result.failure = failure("eio_open", describe(ec));
        co_return result;
    }
    if (!wire::is_open(message)) {
        result.failure = failure("eio_open", "unexpected packet");
        co_return result;
    }

    {
        auto [write_ec, n] = co_await conn->ws_.async_write(net::buffer(wire::connect_root), use_tuple);
        if (write_ec) {
            result.failure = failure("sio_connect", describe(write_ec));
            co_return result;
        }
    }
    for (int seen = 0;; ++seen) {
        ec = co_await conn->read_message(message);
        if (ec) {
            result.failure = failure("sio_connect", describe(ec));
            co_return result;
        }
        if (wire::is_connect_ok(message))
            break;
        if (wire::is_connect_error(message)) {
            result.failure = failure("sio_connect", "refused by server");
            co_return result;
        }
        if (seen >= max_messages_before_connect_answer) {
            result.failure = failure("sio_connect", "no answer to 40");
            co_return result;
        }
        if (message == wire::ping) {
            auto [pong_ec, n] = co_await conn->ws_.async_write(net::buffer(wire::pong), use_tuple);
            if (pong_ec) {
                result.failure = failure("sio_connect", describe(pong_ec));
                co_return result;
            }
        }
    }
    // From here on the Engine.IO heartbeat and the scenario's own bounds
    // decide how long a connection may stay quiet.
    tcp.expires_never();
    result.latency = clock::now() - started;
    result.conn = std::move(conn);
    co_return result;
}

net::awaitable<boost::system::error_code> connection::read_message(std::string_view& message)
{
    buffer_.consume(buffer_.size());
    auto [ec, n] = co_await ws_.async_read(buffer_, use_tuple);
    if (!ec) {
        auto data = buffer_.cdata();
        message = {static_cast<const char*>(data.data()), data.size()};
    }
    co_return ec;
}

void connection::start(connection_observer& observer)
{
    net::co_spawn(executor_, read_loop(shared_from_this(), &observer), net::detached);
}

net::awaitable<void> connection::read_loop(std::shared_ptr<connection> self, connection_observer* observer)
{
    std::string reason;
    auto& buffer = self->buffer_;
    for (;;) {
        buffer.consume(buffer.size());
        auto [ec, n] = co_await self->ws_.async_read(buffer, use_tuple);
        if (ec) {
            reason = failure("read", describe(ec));
            break;
        }
        auto data = buffer.cdata();
        std::string_view message(static_cast<const char*>(data.data()), data.size());
        if (message == wire::ping)
            self->send(std::string(wire::pong));
        else if (wire::is_close(message)) {
            reason = "engine.io close from server";
            break;
        } else
            observer->on_message(*self, message);
    }
    self->ended_ = true;
    // Release the descriptor now rather than when the last reference goes.
    self->ws_.next_layer().close();
    observer->on_closed(*self, self->closing_ ? std::string_view{} : std::string_view{reason});
}

void connection::send(std::string message)
{
    if (ended_ || closing_)
        return;
    queue_.push_back(std::move(message));
    if (!writing_)
        write_front();
}

void connection::write_front()
{
    // A plain completion handler rather than a coroutine per write: echo
    // and fanout write tens of thousands of small messages a second.
    writing_ = true;
    ws_.async_write(net::buffer(queue_.front()), [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
        self->queue_.pop_front();
        if (ec || self->ended_) {
            self->queue_.clear();
            self->writing_ = false;
            // Closing the socket makes the reader end and report the failure.
            if (ec)
                self->ws_.next_layer().close();
            return;
        }
        if (self->queue_.empty())
            self->writing_ = false;
        else
            self->write_front();
    });
}

void connection::close(std::chrono::milliseconds timeout)
{
    net::dispatch(executor_, [self = shared_from_this(), timeout] { self->begin_close(timeout); });
}

void connection::begin_close(std::chrono::milliseconds timeout)
{
    if (closing_ || ended_)
        return;
    closing_ = true;
    // The stream's own timeout cannot be set while the reader's read (and
    // maybe a write) is pending, so a timer closes the socket if the server
    // never answers.
    auto deadline = std::make_shared<net::steady_timer>(executor_, timeout);
    deadline->async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec)
            self->ws_.next_layer().close();
    });
    ws_.async_close(websocket::close_code::normal, [self = shared_from_this(), deadline](boost::system::error_code) {
        deadline->cancel();
        self->ws_.next_layer().close();
    });
}

net::awaitable<boost::system::error_code> connection::close_now(std::chrono::milliseconds timeout)
{
    closing_ = true;
    ws_.next_layer().expires_after(timeout);
    auto [ec] = co_await ws_.async_close(websocket::close_code::normal, use_tuple);
    ws_.next_layer().close();
    co_return ec;
}

} // namespace loadgen
