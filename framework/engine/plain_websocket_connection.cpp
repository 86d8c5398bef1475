#include "engine/plain_websocket_connection.hpp"


#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/write.hpp>

namespace corio::engine::detail {

namespace net = boost::asio;

namespace {

// Bytes asked of the socket per read, and most reads per readiness event
// before waiting again (so one busy client cannot hold the thread).
constexpr std::size_t plain_read_size = 64 * 1024;
constexpr int reads_per_wakeup = 4;

/// The per-thread read buffer. A connection's handler may run another
/// session's handlers inline (a strand dispatch), so the buffer is lent
/// out, and a nested reader gets a buffer of its own.
class read_buffer {
public:
    read_buffer()
    {
        if (!lent_) {
            lent_ = true;
            if (!shared_)
                shared_ = std::make_unique<char[]>(plain_read_size);
            bytes_ = shared_.get();
        } else {
            own_ = std::make_unique<char[]>(plain_read_size);
            bytes_ = own_.get();
        }
    }
    ~read_buffer()
    {
        if (!own_)
            lent_ = false;
    }
    read_buffer(const read_buffer&) = delete;
    read_buffer& operator=(const read_buffer&) = delete;

    char* data() const noexcept { return bytes_; }

private:
    static thread_local std::unique_ptr<char[]> shared_;
    static thread_local bool lent_;
    std::unique_ptr<char[]> own_;
    char* bytes_ = nullptr;
};

thread_local std::unique_ptr<char[]> read_buffer::shared_;
thread_local bool read_buffer::lent_ = false;

} // namespace

plain_websocket_connection::plain_websocket_connection(socket_type socket, std::size_t max_message)
    : websocket_connection(socket.get_executor(), max_message), socket_(std::move(socket))
{
}

void plain_websocket_connection::begin_reading()
{
    // Reads are attempted only when the socket is readable, and must not
    // block; the asynchronous writes are unaffected.
    // Set already by the listener at the accept, or for a rehomed socket
    // when the handshake's answer was written (an ioctl each time otherwise).
    boost::system::error_code ec;
    if (!socket_.non_blocking())
        socket_.non_blocking(true, ec);
    if (ec) {
        on_read_failed(close_reason::transport_error);
        return;
    }
    wait_readable();
}

void plain_websocket_connection::wait_readable()
{
    if (!socket_.is_open()) {
        release_if_done();
        return;
    }
    reading_ = true;
    // An idle connection's one pending operation, in the connection's own
    // block (reused_block): no larger than it needs, and no malloc per read.
    socket_.async_wait(socket_type::wait_read,
                       net::bind_allocator(reused_block_allocator<void>(wait_block_),
                                           [self = self()](boost::system::error_code ec) { self->on_readable(ec); }));
}

void plain_websocket_connection::on_readable(boost::system::error_code ec)
{
    reading_ = false;
    if (ec || !socket_.is_open()) {
        on_read_failed(reason_for(ec));
        return;
    }
    // After the peer's close frame nothing may come: ours is on its way,
    // and its write's completion hangs up.
    if (read_available() && !peer_closed())
        wait_readable();
}

void plain_websocket_connection::read_received()
{
    // Between reads, a wait for readability is pending: it stays, and finds
    // the socket empty or holding what came after.
    if (reading_ && socket_.is_open())
        read_available();
}

bool plain_websocket_connection::read_available()
{
    read_buffer buffer;
    boost::system::error_code ec;
    for (int round = 0; round < reads_per_wakeup; ++round) {
        auto n = socket_.read_some(net::buffer(buffer.data(), plain_read_size), ec);
        if (ec == net::error::would_block || ec == net::error::try_again)
            break;
        if (ec) {
            on_read_failed(reason_for(ec));
            return false;
        }
        on_bytes(std::span<char>(buffer.data(), n));
        if (n < plain_read_size)
            break;
    }
    return true;
}

void plain_websocket_connection::write_buffers()
{
    // The socket is non-blocking (begin_reading), so a write is tried at
    // once: most go out whole and complete here, without a reactor operation
    // and a posted completion. What the socket does not take, an error, and
    // a write that may not complete at once take the asynchronous path.
    const auto& all = buffers();
    std::size_t sent = 0;
    if (may_complete_at_once()) {
        boost::system::error_code ec;
        sent = socket_.write_some(all, ec);
        if (ec)
            sent = 0;
        else if (sent == net::buffer_size(all)) {
            on_written_at_once();
            return;
        }
    }
    rest_.clear();
    for (auto b : all) {
        if (sent >= b.size()) {
            sent -= b.size();
            continue;
        }
        rest_.push_back(b + sent);
        sent = 0;
    }
    net::async_write(socket_, rest_, [self = self()](boost::system::error_code ec, std::size_t) {
        std::vector<net::const_buffer>{}.swap(self->rest_); // rare (a slow reader): not kept
        self->on_written(ec);
    });
}

void plain_websocket_connection::close_transport() noexcept
{
    boost::system::error_code ignored;
    socket_.close(ignored);
}

void plain_websocket_connection::shutdown_send() noexcept
{
    boost::system::error_code ignored;
    socket_.shutdown(socket_type::shutdown_send, ignored);
}

} // namespace corio::engine::detail
