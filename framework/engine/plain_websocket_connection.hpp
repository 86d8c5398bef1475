#pragma once
// A WebSocket over a plain TCP socket: the transport of ws://.
//
// An idle connection holds no read buffer, only a wait on the socket's
// readiness: a read then goes into a per-thread buffer, and only what the
// end of a read cuts is kept: a text or binary frame's payload in the buffer
// that goes up as the message, a cut header or control frame as bytes
// (websocket_connection::on_bytes). A busy connection, whose small messages
// come close together, waits with a read into a small buffer of its own
// instead (hot_read_size): Asio 1.81 re-arms the descriptor with an
// epoll_ctl for every wait for readability, but queues a read that the last
// one left exhausted with no system call. A write is
// tried at once on the non-blocking socket, and waits for the socket only
// for what it did not take (write_buffers).

#include "engine/reused_block.hpp"
#include "engine/socket_strand.hpp"
#include "engine/websocket_connection.hpp"
#include "engine/write_batch.hpp"

#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace corio::engine::detail {

class plain_websocket_connection final : public websocket_connection, public held_write_owner {
public:
    /// On the session's strand, so every completion runs there.
    using socket_type = boost::asio::basic_stream_socket<boost::asio::ip::tcp, socket_strand>;

    plain_websocket_connection(socket_type socket, std::size_t max_message);

    /// For the handshake, before start().
    socket_type& socket() noexcept { return socket_; }

    /// The connection is busy: its next wait is a read into a small buffer
    /// of its own (see the top of this file).
    bool reads_into_own_buffer() const noexcept { return hot_buffer_ != nullptr; }

    /// For the write batch (write_batch.hpp): the write that write_buffers
    /// held went out, or was dropped as the socket closed.
    void on_batched_write(std::int64_t result) override;
    void on_batched_write_dropped() override;

private:
    std::shared_ptr<plain_websocket_connection> self()
    {
        return std::static_pointer_cast<plain_websocket_connection>(shared_from_this());
    }

    void begin_reading() override;
    void write_buffers() override;
    void read_received() override;
    void close_transport() noexcept override;
    void shutdown_send() noexcept override;

    /// Writes buffers() but their first `sent` bytes, asynchronously.
    void write_rest(std::size_t sent);
    void wait_readable();
    void on_readable(boost::system::error_code ec);
    void on_hot_read(boost::system::error_code ec, std::size_t n);
    /// After a wait's read of `n` bytes (nothing when reading failed):
    /// the next wait, unless reading is over.
    void read_ended(std::optional<std::size_t> n);
    /// After a read of `n` bytes that ended a wait: takes or gives back the
    /// hot buffer for the next wait, by how close together reads come.
    void note_read(std::size_t n);
    /// Reads what the socket holds, a few reads at most, and handles it;
    /// the bytes read, or nothing when reading failed (the connection then
    /// ends).
    std::optional<std::size_t> read_available();

    socket_type socket_;
    // Held while the connection is hot: the next wait reads into it.
    std::unique_ptr<char[]> hot_buffer_;
    // When the last wait ended with bytes, and how many waits in a row
    // before it ended with a few bytes within hot_gap of the one before.
    std::chrono::steady_clock::time_point last_read_;
    std::uint8_t close_reads_ = 0;
    // The memory of the wait (for readability, or the hot read) and of the
    // completion it dispatches to the strand, taken in turn read after read.
    reused_block wait_block_;
    // A batch holds this connection's write (write_buffers).
    bool held_ = false;
    // What a write that went out in part has left to write.
    std::vector<boost::asio::const_buffer> rest_;
};

} // namespace corio::engine::detail
