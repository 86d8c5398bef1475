#include "engine/plain_websocket_connection.hpp"

#include "engine/write_batch.hpp"

#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>

namespace corio::engine::detail {

namespace net = boost::asio;

namespace {

// Bytes asked of the socket per read, and most reads per readiness event
// before waiting again (so one busy client cannot hold the thread).
constexpr std::size_t plain_read_size = 64 * 1024;
constexpr int reads_per_wakeup = 4;

// A connection is hot once hot_after reads in a row each came within
// hot_gap of the one before and fit its hot buffer, and cools with the
// first that does not. The cost it saves, an epoll_ctl per wait, counts
// only when reads come that often; the buffer is not worth holding for a
// client that speaks now and then, nor when large messages fill it (a
// second read would then replace the epoll_ctl).
constexpr std::size_t hot_read_size = 1024;
constexpr auto hot_gap = std::chrono::milliseconds(50);
constexpr std::uint8_t hot_after = 4;

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
    // The connection's one pending operation, in its own block
    // (reused_block): no larger than it needs, and no malloc per read.
    const reused_block_allocator<void> alloc(wait_block_);
    if (hot_buffer_) {
        socket_.async_read_some(net::buffer(hot_buffer_.get(), hot_read_size),
                                net::bind_allocator(alloc, [self = self()](boost::system::error_code ec, std::size_t n) {
                                    self->on_hot_read(ec, n);
                                }));
        return;
    }
    socket_.async_wait(socket_type::wait_read, net::bind_allocator(alloc, [self = self()](boost::system::error_code ec) {
                           self->on_readable(ec);
                       }));
}

void plain_websocket_connection::on_readable(boost::system::error_code ec)
{
    reading_ = false;
    if (ec || !socket_.is_open()) {
        on_read_failed(reason_for(ec));
        return;
    }
    read_ended(read_available());
}

void plain_websocket_connection::on_hot_read(boost::system::error_code ec, std::size_t n)
{
    reading_ = false;
    if (ec || !socket_.is_open()) {
        on_read_failed(reason_for(ec));
        return;
    }
    on_bytes(std::span<char>(hot_buffer_.get(), n));
    std::optional<std::size_t> total = n;
    // A full buffer may have left more in the socket.
    if (n == hot_read_size) {
        const auto more = read_available();
        total = more ? std::optional<std::size_t>(n + *more) : std::nullopt;
    }
    read_ended(total);
}

void plain_websocket_connection::read_ended(std::optional<std::size_t> n)
{
    // After the peer's close frame nothing may come: ours is on its way,
    // and its write's completion hangs up.
    if (!n || peer_closed())
        return;
    note_read(*n);
    wait_readable();
}

void plain_websocket_connection::note_read(std::size_t n)
{
    const auto now = std::chrono::steady_clock::now();
    if (n > 0 && n < hot_read_size && now - last_read_ < hot_gap) {
        if (close_reads_ < hot_after)
            ++close_reads_;
    } else {
        close_reads_ = 0;
    }
    last_read_ = now;
    if (close_reads_ < hot_after)
        hot_buffer_.reset();
    else if (!hot_buffer_)
        hot_buffer_ = std::make_unique_for_overwrite<char[]>(hot_read_size);
}

void plain_websocket_connection::read_received()
{
    // Between reads, a wait for readability is pending: it stays, and finds
    // the socket empty or holding what came after. A pending read into the
    // hot buffer may hold bytes already, which must come first: it is left
    // alone (the caller, an upgrade's probe, has had too few reads to be
    // hot).
    if (reading_ && socket_.is_open() && !hot_buffer_)
        read_available();
}

std::optional<std::size_t> plain_websocket_connection::read_available()
{
    read_buffer buffer;
    boost::system::error_code ec;
    std::size_t total = 0;
    for (int round = 0; round < reads_per_wakeup; ++round) {
        auto n = socket_.read_some(net::buffer(buffer.data(), plain_read_size), ec);
        if (ec == net::error::would_block || ec == net::error::try_again)
            break;
        if (ec) {
            on_read_failed(reason_for(ec));
            return std::nullopt;
        }
        total += n;
        on_bytes(std::span<char>(buffer.data(), n));
        if (n < plain_read_size)
            break;
    }
    return total;
}

void plain_websocket_connection::write_buffers()
{
    // The socket is non-blocking (begin_reading), so a write is tried at
    // once: most go out whole and complete here, without a reactor operation
    // and a posted completion. When the thread holds writes, the try waits
    // for the batch, which makes it for many connections in one system call.
    // What the socket does not take, an error, and a write that may not
    // complete at once take the asynchronous path.
    const auto& all = buffers();
    if (!may_complete_at_once()) {
        write_rest(0);
        return;
    }
    const std::size_t size = net::buffer_size(all);
    if (may_hold_write(size)) {
        hold_write(self(), socket_.native_handle(), all);
        held_ = true;
        return;
    }
    boost::system::error_code ec;
    const std::size_t sent = socket_.write_some(all, ec);
    if (!ec && sent == size) {
        on_written_at_once();
        return;
    }
    write_rest(ec ? 0 : sent);
}

void plain_websocket_connection::on_batched_write(std::int64_t result)
{
    held_ = false;
    if (!open()) {
        // Cut after its bytes went out, by another write's completion: it
        // ends as a write the cut aborted.
        on_written(net::error::operation_aborted);
        return;
    }
    const auto sent = static_cast<std::size_t>(std::max<std::int64_t>(result, 0));
    if (sent == net::buffer_size(buffers())) {
        on_written_at_once();
        return;
    }
    write_rest(sent);
}

void plain_websocket_connection::on_batched_write_dropped()
{
    held_ = false;
    on_written(net::error::operation_aborted);
}

void plain_websocket_connection::write_rest(std::size_t sent)
{
    rest_.clear();
    for (auto b : buffers()) {
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
    // A write held by a batch must not go out on a closed descriptor, or on
    // another socket given the same number.
    if (held_)
        drop_held_write(*this);
    boost::system::error_code ignored;
    socket_.close(ignored);
}

void plain_websocket_connection::shutdown_send() noexcept
{
    boost::system::error_code ignored;
    socket_.shutdown(socket_type::shutdown_send, ignored);
}

} // namespace corio::engine::detail
