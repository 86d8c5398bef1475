#include "raw_connection.hpp"

#include "bound_socket.hpp"
#include "client_frames.hpp"
#include "http_head.hpp"
#include "read_buffer.hpp"
#include "wire.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <random>

namespace loadgen {

namespace net = boost::asio;
using client_frames::opcode;

namespace {

constexpr auto as_result = net::as_tuple(net::use_awaitable);
/// Messages a server may send between `40` and its answer (pings) before we
/// call the connect answer missing.
constexpr int max_messages_before_answer = 16;
/// The upgrade response's head may not be longer.
constexpr std::size_t max_response_head = 8192;
/// No scenario receives more in one message (binary-echo's largest is 512 KiB).
constexpr std::size_t max_message = 64 * 1024 * 1024;
/// The RFC 6455 example key: a server checks its form, not its freshness.
constexpr std::string_view websocket_key = "dGhlIHNhbXBsZSBub25jZQ==";
/// A close frame's payload: status 1000 (normal closure).
constexpr std::string_view normal_closure("\x03\xe8", 2);

std::string phase_failure(std::string_view phase, std::string_view what)
{
    return std::string(phase) + ": " + std::string(what);
}

/// A masking key per frame, as RFC 6455 asks; unpredictable enough for a
/// load generator (xorshift32, seeded once per thread).
std::uint32_t next_mask_key()
{
    thread_local std::uint32_t state = std::random_device{}() | 1u;
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
}

class raw_connection final : public connection {
public:
    raw_connection(net::any_io_executor executor, bool binary_packets)
        : connection(executor), socket_(executor), deadline_(executor), binary_packets_(binary_packets)
    {
    }

    static net::awaitable<open_result> open(const target& t, std::optional<net::ip::address> source,
                                            std::chrono::milliseconds timeout);

    void start(connection_observer& observer) override
    {
        observer_ = &observer;
        deliver_buffered();
    }

    void send(std::string message) override { queue(binary_packets_ ? opcode::binary : opcode::text, message); }

    void send_binary(std::string bytes) override { queue(opcode::binary, bytes); }

    void close(std::chrono::milliseconds timeout) override
    {
        net::dispatch(executor_, [self = self(), timeout] { self->begin_close(timeout); });
    }

    net::awaitable<boost::system::error_code> close_now(std::chrono::milliseconds timeout) override;

private:
    enum class next { message, need_bytes, closed, failed };

    std::shared_ptr<raw_connection> self() { return std::static_pointer_cast<raw_connection>(shared_from_this()); }

    /// Closes the socket when `timeout` passes, which fails whatever is
    /// pending on it; the phase then reports "timeout".
    void arm_deadline(std::chrono::milliseconds timeout)
    {
        deadline_.expires_after(timeout);
        deadline_.async_wait([self = self()](boost::system::error_code ec) {
            if (ec)
                return;
            self->timed_out_ = true;
            boost::system::error_code ignored;
            self->socket_.close(ignored);
        });
    }

    std::string describe(const boost::system::error_code& ec) const { return timed_out_ ? "timeout" : ec.message(); }

    /// The next data message among the bytes read: `message_` and `text_`
    /// are set for next::message, and valid until the next read. Pings are
    /// answered here; a close frame is answered (unless ours went first).
    next next_message()
    {
        for (;;) {
            auto parsed = client_frames::parse(in_.unread(), max_message);
            if (std::holds_alternative<client_frames::incomplete>(parsed))
                return next::need_bytes;
            if (const auto* reason = std::get_if<std::string_view>(&parsed)) {
                failure_ = *reason;
                return next::failed;
            }
            const auto f = std::get<client_frames::frame>(parsed);
            in_.consume(f.size);
            switch (f.op) {
            case opcode::ping:
                append_frame(opcode::pong, f.payload);
                continue;
            case opcode::pong:
                continue;
            case opcode::close:
                if (!close_sent_)
                    append_frame(opcode::close, normal_closure);
                close_sent_ = true;
                return next::closed;
            case opcode::continuation:
                // A message in fragments (no server here sends one, but any may).
                fragments_.append(f.payload);
                if (!f.fin)
                    continue;
                assembled_.swap(fragments_);
                fragments_.clear();
                message_ = assembled_;
                break;
            default:
                text_ = f.op == opcode::text;
                if (!f.fin) {
                    fragments_.assign(f.payload);
                    continue;
                }
                message_ = f.payload;
            }
            return next::message;
        }
    }

    // -- once started: completion handlers on the executor -----------------

    void read_some()
    {
        socket_.async_read_some(in_.space(), [self = self()](boost::system::error_code ec, std::size_t n) {
            if (ec) {
                self->end(phase_failure("read", self->got_close_ ? "closed by server" : self->describe(ec)));
                return;
            }
            self->in_.commit(n);
            self->deliver_buffered();
        });
    }

    void deliver_buffered()
    {
        while (!ended_) {
            if (got_close_) {
                // After the close frames, the server closes the TCP connection
                // first (RFC 6455 7.1.1): the bytes until its end are dropped.
                in_.clear();
                read_some();
                return;
            }
            switch (next_message()) {
            case next::need_bytes:
                read_some();
                return;
            case next::failed:
                end(phase_failure("read", failure_));
                return;
            case next::closed:
                got_close_ = true;
                if (!closing_)
                    arm_deadline(std::chrono::seconds(5));
                continue;
            case next::message:
                if (text_ && message_ == wire::ping)
                    queue(opcode::text, wire::pong);
                else if (text_ && wire::is_close(message_))
                    end("engine.io close from server");
                else
                    observer_->on_message(*this, message_);
            }
        }
    }

    void end(std::string_view reason)
    {
        if (ended_)
            return;
        ended_ = true;
        deadline_.cancel();
        boost::system::error_code ignored;
        socket_.close(ignored);
        const bool ours = closing_;
        observer_->on_closed(*this, ours ? std::string_view{} : reason);
    }

    void queue(opcode op, std::string_view payload)
    {
        if (ended_ || closing_ || close_sent_)
            return;
        append_frame(op, payload);
    }

    /// Frames queued while a write is out go together in the next one.
    void append_frame(opcode op, std::string_view payload)
    {
        client_frames::append_masked(pending_, op, payload, next_mask_key());
        if (!writing_)
            write_pending();
    }

    void write_pending()
    {
        writing_ = true;
        out_.swap(pending_);
        net::async_write(socket_, net::buffer(out_), [self = self()](boost::system::error_code ec, std::size_t) {
            self->out_.clear();
            if (ec) {
                self->writing_ = false;
                self->pending_.clear();
                // Closing the socket makes the reader end and report the failure.
                boost::system::error_code ignored;
                self->socket_.close(ignored);
                return;
            }
            if (self->pending_.empty())
                self->writing_ = false;
            else
                self->write_pending();
        });
    }

    void begin_close(std::chrono::milliseconds timeout)
    {
        if (closing_ || ended_)
            return;
        closing_ = true;
        arm_deadline(timeout);
        if (!close_sent_) {
            close_sent_ = true;
            append_frame(opcode::close, normal_closure);
        }
    }

    // -- before start: coroutines ---------------------------------------------

    /// Reads until the next data message (open phase only); empty, or what failed.
    net::awaitable<std::string> read_message()
    {
        for (;;) {
            const auto got = next_message();
            if (got == next::message)
                co_return std::string();
            if (got == next::failed)
                co_return failure_;
            if (got == next::closed)
                co_return std::string("closed by server");
            auto [ec, n] = co_await socket_.async_read_some(in_.space(), as_result);
            if (ec)
                co_return describe(ec);
            in_.commit(n);
        }
    }

    net::ip::tcp::socket socket_;
    net::steady_timer deadline_;
    const bool binary_packets_;
    connection_observer* observer_ = nullptr;

    read_buffer in_;
    std::string fragments_;    ///< a fragmented message so far
    std::string assembled_;    ///< the last fragmented message, whole
    std::string_view message_; ///< next_message()'s result
    bool text_ = false;
    std::string failure_;

    std::string out_;     ///< frames being written
    std::string pending_; ///< frames queued meanwhile
    bool writing_ = false;
    bool closing_ = false;    ///< we began the close
    bool close_sent_ = false; ///< our close frame is queued or sent
    bool got_close_ = false;  ///< the server's close frame came
    bool ended_ = false;
    bool timed_out_ = false;
};

net::awaitable<open_result> raw_connection::open(const target& t, std::optional<net::ip::address> source,
                                                 std::chrono::milliseconds timeout)
{
    auto started = clock::now();
    auto conn = std::make_shared<raw_connection>(co_await net::this_coro::executor, t.parser == wire::format::msgpack);
    open_result result;
    // One deadline for the whole handshake.
    conn->arm_deadline(timeout);

    auto ec = open_bound(conn->socket_, t.endpoint.protocol(), source);
    if (ec) {
        result.failure = phase_failure("socket", conn->describe(ec));
        co_return result;
    }
    {
        auto [connect_ec] = co_await conn->socket_.async_connect(t.endpoint, as_result);
        if (connect_ec) {
            result.failure = phase_failure("tcp_connect", conn->describe(connect_ec));
            co_return result;
        }
    }
    // Small frames go out at once instead of waiting on Nagle's algorithm.
    conn->socket_.set_option(net::ip::tcp::no_delay(true), ec);

    const std::string request = "GET " + t.resource + " HTTP/1.1\r\nHost: " + t.host +
                                "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " +
                                std::string(websocket_key) + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    {
        auto [write_ec, n] = co_await net::async_write(conn->socket_, net::buffer(request), as_result);
        if (write_ec) {
            result.failure = phase_failure("ws_upgrade", conn->describe(write_ec));
            co_return result;
        }
    }
    // The response's head; bytes after it are the first frames.
    auto parsed = http_head::parse({}, max_response_head);
    while (std::holds_alternative<http_head::incomplete>(parsed)) {
        auto [read_ec, n] = co_await conn->socket_.async_read_some(conn->in_.space(), as_result);
        if (read_ec) {
            result.failure = phase_failure("ws_upgrade", conn->describe(read_ec));
            co_return result;
        }
        conn->in_.commit(n);
        parsed = http_head::parse(conn->in_.unread(), max_response_head);
    }
    if (const auto* reason = std::get_if<std::string_view>(&parsed)) {
        result.failure = phase_failure("ws_upgrade", *reason);
        co_return result;
    }
    const auto& head = std::get<http_head::head>(parsed);
    if (head.status != 101) {
        const auto unread = conn->in_.unread();
        result.failure = phase_failure("ws_upgrade", "refused: " + std::string(unread.substr(0, unread.find('\r'))));
        co_return result;
    }
    conn->in_.consume(head.size);

    auto read_failure = co_await conn->read_message();
    if (!read_failure.empty()) {
        result.failure = phase_failure("eio_open", read_failure);
        co_return result;
    }
    if (!conn->text_ || !wire::is_open(conn->message_)) {
        result.failure = phase_failure("eio_open", "unexpected packet");
        co_return result;
    }

    {
        std::string frames;
        client_frames::append_masked(frames, conn->binary_packets_ ? opcode::binary : opcode::text,
                                     wire::connect_root(t.parser), next_mask_key());
        auto [write_ec, n] = co_await net::async_write(conn->socket_, net::buffer(frames), as_result);
        if (write_ec) {
            result.failure = phase_failure("sio_connect", conn->describe(write_ec));
            co_return result;
        }
    }
    for (int seen = 0;; ++seen) {
        read_failure = co_await conn->read_message();
        if (!read_failure.empty()) {
            result.failure = phase_failure("sio_connect", read_failure);
            co_return result;
        }
        if (wire::is_connect_ok(t.parser, conn->message_))
            break;
        if (wire::is_connect_error(t.parser, conn->message_)) {
            result.failure = phase_failure("sio_connect", "refused by server");
            co_return result;
        }
        if (seen >= max_messages_before_answer) {
            result.failure = phase_failure("sio_connect", "no answer to CONNECT");
            co_return result;
        }
        if (conn->text_ && conn->message_ == wire::ping) {
            std::string frames;
            client_frames::append_masked(frames, opcode::text, wire::pong, next_mask_key());
            auto [pong_ec, n] = co_await net::async_write(conn->socket_, net::buffer(frames), as_result);
            if (pong_ec) {
                result.failure = phase_failure("sio_connect", conn->describe(pong_ec));
                co_return result;
            }
        }
    }
    // From here on the Engine.IO heartbeat and the scenario's own bounds
    // decide how long a connection may stay quiet.
    conn->deadline_.cancel();
    result.latency = clock::now() - started;
    result.conn = std::move(conn);
    co_return result;
}

net::awaitable<boost::system::error_code> raw_connection::close_now(std::chrono::milliseconds timeout)
{
    closing_ = true;
    close_sent_ = true;
    arm_deadline(timeout);
    std::string frame;
    client_frames::append_masked(frame, opcode::close, normal_closure, next_mask_key());
    auto [ec, n] = co_await net::async_write(socket_, net::buffer(frame), as_result);
    // Then the server's close frame, and the end of its TCP connection.
    while (!ec) {
        if (got_close_) {
            in_.clear();
        } else {
            const auto got = next_message();
            if (got == next::closed) {
                got_close_ = true;
                continue;
            }
            if (got == next::failed) {
                ec = make_error_code(boost::system::errc::protocol_error);
                break;
            }
            if (got == next::message)
                continue;
        }
        auto [read_ec, read] = co_await socket_.async_read_some(in_.space(), as_result);
        if (read_ec) {
            if (read_ec != net::error::eof || !got_close_)
                ec = timed_out_ ? net::error::timed_out : read_ec;
            break;
        }
        in_.commit(read);
    }
    ended_ = true;
    deadline_.cancel();
    boost::system::error_code ignored;
    socket_.close(ignored);
    co_return ec;
}

} // namespace

net::awaitable<open_result> open_raw_websocket(const target& t, std::optional<net::ip::address> source,
                                               std::chrono::milliseconds timeout)
{
    return raw_connection::open(t, source, timeout);
}

} // namespace loadgen
