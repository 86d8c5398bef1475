#include "connection.hpp"

#include "bound_socket.hpp"
#include "polling_connection.hpp"
#include "raw_connection.hpp"
#include "wire.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <deque>
#include <type_traits>

#include <openssl/ssl.h>

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

using plain_ws = websocket::stream<beast::tcp_stream>;
using tls_ws = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

/// The connection over `Ws`: plain_ws for ws://, tls_ws for wss://. The
/// same code for both but the TLS handshake, so that the two measure the
/// same client.
template <class Ws>
class ws_connection final : public connection {
public:
    static constexpr bool tls = std::is_same_v<Ws, tls_ws>;

    ws_connection(net::any_io_executor executor, const target& t)
        : connection(executor), ws_(make_stream(executor, t)), binary_packets_(t.parser == wire::format::msgpack)
    {
        // One frame per message, as socket.io's JavaScript clients (ws,
        // browsers) send them; Beast would otherwise cut a message into
        // frames of its write buffer's size (4 KiB), which the servers then
        // reassemble.
        ws_.auto_fragment(false);
        if (t.deflate) {
            websocket::permessage_deflate pmd;
            pmd.client_enable = true;
            pmd.msg_size_threshold = 1024; // as the servers' threshold
            ws_.set_option(pmd);
        }
    }

    static net::awaitable<open_result> open(const target& t, std::optional<net::ip::address> source,
                                            std::chrono::milliseconds timeout);

    void start(connection_observer& observer) override
    {
        net::co_spawn(executor_, read_loop(self(), &observer), net::detached);
    }

    void send(std::string message) override { queue(std::move(message), binary_packets_); }

    void send_binary(std::string bytes) override { queue(std::move(bytes), true); }

    void close(std::chrono::milliseconds timeout) override
    {
        net::dispatch(executor_, [self = self(), timeout] { self->begin_close(timeout); });
    }

    net::awaitable<boost::system::error_code> close_now(std::chrono::milliseconds timeout) override
    {
        closing_ = true;
        tcp().expires_after(timeout);
        auto [ec] = co_await ws_.async_close(websocket::close_code::normal, use_tuple);
        tcp().close();
        co_return ec;
    }

private:
    static Ws make_stream(net::any_io_executor executor, const target& t)
    {
        if constexpr (tls)
            return Ws(executor, *t.tls);
        else
            return Ws(executor);
    }

    std::shared_ptr<ws_connection> self() { return std::static_pointer_cast<ws_connection>(shared_from_this()); }
    beast::tcp_stream& tcp() { return beast::get_lowest_layer(ws_); }

    void queue(std::string message, bool binary)
    {
        if (ended_ || closing_)
            return;
        queue_.push_back({std::move(message), binary});
        if (!writing_)
            write_front();
    }

    static net::awaitable<void> read_loop(std::shared_ptr<ws_connection> self, connection_observer* observer);
    net::awaitable<boost::system::error_code> read_message(std::string_view& message);
    void write_front();
    void begin_close(std::chrono::milliseconds timeout);

    Ws ws_;
    beast::flat_buffer buffer_;
    struct outgoing {
        std::string bytes;
        bool binary;
    };
    std::deque<outgoing> queue_; ///< front() is being written while writing_
    const bool binary_packets_;
    bool writing_ = false;
    bool closing_ = false;
    bool ended_ = false;
};

template <class Ws>
net::awaitable<open_result> ws_connection<Ws>::open(const target& t, std::optional<net::ip::address> source,
                                                    std::chrono::milliseconds timeout)
{
    auto started = clock::now();
    auto conn = std::make_shared<ws_connection>(co_await net::this_coro::executor, t);
    open_result result;
    auto& tcp = conn->tcp();
    // One deadline for the whole handshake: every operation below fails
    // with beast::error::timeout once it has passed.
    tcp.expires_after(timeout);

    auto& socket = tcp.socket();
    auto ec = open_bound(socket, t.endpoint.protocol(), source);
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

    if constexpr (tls) {
        // A full handshake every time: the client keeps no session to resume.
        auto& stream = conn->ws_.next_layer();
        if (t.verify)
            stream.set_verify_callback(net::ssl::host_name_verification(t.host_name));
        ::SSL_set_tlsext_host_name(stream.native_handle(), t.host_name.c_str());
        auto [tls_ec] = co_await stream.async_handshake(net::ssl::stream_base::client, use_tuple);
        if (tls_ec) {
            result.failure = failure("tls_handshake", describe(tls_ec));
            co_return result;
        }
    }

    {
        auto [upgrade_ec] = co_await conn->ws_.async_handshake(t.host, t.resource, use_tuple);
        if (upgrade_ec) {
            result.failure = failure("ws_upgrade", describe(upgrade_ec));
            co_return result;
        }
    }
    // Engine.IO reads binary frames as binary packets: text, but for the
    // msgpack parser's Socket.IO packets.
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
        const auto connect = wire::connect_root(t.parser);
        conn->ws_.binary(conn->binary_packets_);
        auto [write_ec, n] = co_await conn->ws_.async_write(net::buffer(connect), use_tuple);
        conn->ws_.text(true);
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
        if (wire::is_connect_ok(t.parser, message))
            break;
        if (wire::is_connect_error(t.parser, message)) {
            result.failure = failure("sio_connect", "refused by server");
            co_return result;
        }
        if (seen >= max_messages_before_connect_answer) {
            result.failure = failure("sio_connect", "no answer to CONNECT");
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

template <class Ws>
net::awaitable<boost::system::error_code> ws_connection<Ws>::read_message(std::string_view& message)
{
    buffer_.consume(buffer_.size());
    auto [ec, n] = co_await ws_.async_read(buffer_, use_tuple);
    if (!ec) {
        auto data = buffer_.cdata();
        message = {static_cast<const char*>(data.data()), data.size()};
    }
    co_return ec;
}

template <class Ws>
net::awaitable<void> ws_connection<Ws>::read_loop(std::shared_ptr<ws_connection> self, connection_observer* observer)
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
        // Engine.IO's own packets are text: a binary message is Socket.IO's
        // (an attachment, or a msgpack packet), whatever its bytes.
        const bool text = self->ws_.got_text();
        if (text && message == wire::ping)
            self->queue(std::string(wire::pong), false);
        else if (text && wire::is_close(message)) {
            reason = "engine.io close from server";
            break;
        } else
            observer->on_message(*self, message);
    }
    self->ended_ = true;
    // Release the descriptor now rather than when the last reference goes.
    self->tcp().close();
    observer->on_closed(*self, self->closing_ ? std::string_view{} : std::string_view{reason});
}

template <class Ws>
void ws_connection<Ws>::write_front()
{
    // A plain completion handler rather than a coroutine per write: echo
    // and fanout write tens of thousands of small messages a second.
    writing_ = true;
    ws_.binary(queue_.front().binary);
    ws_.async_write(net::buffer(queue_.front().bytes), [self = self()](boost::system::error_code ec, std::size_t) {
        self->queue_.pop_front();
        if (ec || self->ended_) {
            self->queue_.clear();
            self->writing_ = false;
            // Closing the socket makes the reader end and report the failure.
            if (ec)
                self->tcp().close();
            return;
        }
        if (self->queue_.empty())
            self->writing_ = false;
        else
            self->write_front();
    });
}

template <class Ws>
void ws_connection<Ws>::begin_close(std::chrono::milliseconds timeout)
{
    if (closing_ || ended_)
        return;
    closing_ = true;
    // The stream's own timeout cannot be set while the reader's read (and
    // maybe a write) is pending, so a timer closes the socket if the server
    // never answers.
    auto deadline = std::make_shared<net::steady_timer>(executor_, timeout);
    deadline->async_wait([self = self()](boost::system::error_code ec) {
        if (!ec)
            self->tcp().close();
    });
    ws_.async_close(websocket::close_code::normal, [self = self(), deadline](boost::system::error_code) {
        deadline->cancel();
        self->tcp().close();
    });
}

} // namespace

net::awaitable<open_result> connection::open(const target& t, std::optional<net::ip::address> source,
                                             std::chrono::milliseconds timeout)
{
    if (t.transport == transport_kind::polling)
        return open_polling(t, source, timeout);
    if (t.tls)
        return ws_connection<tls_ws>::open(t, source, timeout);
    if (t.deflate)
        return ws_connection<plain_ws>::open(t, source, timeout);
    return open_raw_websocket(t, source, timeout);
}

} // namespace loadgen
