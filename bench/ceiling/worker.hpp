// One thread's share of the ceiling server: an io_context that thread alone runs, the
// connections it serves, its part of room "bench", the heartbeat, and the buffers its
// connections share.
#pragma once

#include "engine/send_ring.hpp"
#include "options.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <sys/socket.h>
#include <sys/uio.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ceiling {

class connection;

/// Connections are spread over workers when accepted and stay on theirs; everything a
/// connection does runs on its worker's thread, so nothing here locks. Room "bench" is the
/// union of the workers' member lists; a broadcast reaches the other workers' members through
/// a post, with the frame built once and shared.
///
/// @par Thread Safety
/// Every member function but context() runs on the worker's thread.
///
/// @par Lifetime
/// Workers outlive the running of every worker's io_context (main stops and joins all threads
/// first). Connections list themselves here and unlist in connection::close(), which every
/// ending goes through; the lists hold plain pointers.
class worker {
public:
    /// `concurrency_hint` for the io_context: 1 when other threads post to it, or
    /// BOOST_ASIO_CONCURRENCY_HINT_UNSAFE when the whole server is this one thread.
    worker(const options& o, int concurrency_hint);
    worker(const worker&) = delete;
    worker& operator=(const worker&) = delete;

    boost::asio::io_context& context() noexcept { return ioc_; }
    const options& opts() const noexcept { return opts_; }

    /// All the server's workers, this one included: where broadcasts go. Set before running.
    void set_peers(std::vector<worker*> peers) { peers_ = std::move(peers); }
    /// Starts the heartbeat timer.
    void start();

    void add(connection& c);
    void remove(connection& c);
    void join_bench(connection& c);
    void leave_bench(connection& c);

    /// Sends `frame` (a whole WebSocket frame) to every member of room "bench" on every worker.
    void broadcast(std::string_view frame);

    /// Engine.IO and Socket.IO session ids: 20 characters of base64url, from a per-worker
    /// pseudo-random sequence (unique in practice; not a secret, as the bench needs none).
    void new_id(char (&out)[20]);
    /// What follows the sid in the open packet: `","upgrades":[],"pingInterval":…}`.
    std::string_view open_packet_tail() const noexcept { return open_tail_; }

    /// The read buffer the worker's connections share, one read at a time, for what does not
    /// fit their own.
    char* read_buffer() noexcept { return read_buffer_.get(); }
    std::size_t read_buffer_size() const noexcept { return read_buffer_size_; }
    /// Doubles the read buffer, keeping its first `used` bytes.
    void grow_read_buffer(std::size_t used);

    /// While a connection handles what it read, its output collects here (flushed once at the
    /// end of the read) and broadcasts to it join that output rather than overtake it.
    std::string& output() noexcept { return output_; }
    connection* current() const noexcept { return current_; }
    void set_current(connection* c) noexcept { current_ = c; }
    /// A broadcast frame built here is sent from here to every local member.
    std::string& frame_scratch() noexcept { return frame_; }

    /// Takes `c`'s write (its unsent bytes, which stay put until then) to send with every other
    /// write of this round: the first one held posts the sending, which runs after the handlers
    /// already queued. Each connection then hears what its socket took (on_held_sent). False
    /// when writes are not batched (options::batch_writes off, or no io_uring): write at once.
    bool hold_write(connection& c);

private:
    void deliver(std::string_view frame);
    /// Sends every held write: one alone by a plain write, more through the ring, at most its
    /// capacity per system call.
    void send_held();
    void send_through_ring(std::size_t first, std::size_t last);
    void heartbeat_ping();
    void heartbeat_check();

    const options opts_;
    std::vector<worker*> peers_;
    std::vector<connection*> all_;
    std::vector<connection*> bench_;
    std::unique_ptr<char[]> read_buffer_;
    std::size_t read_buffer_size_;
    std::string output_;
    std::string frame_;
    connection* current_ = nullptr;
    std::string open_tail_;
    std::uint64_t id_state_;
    // The ring, and the scratch of one submission (kept for their capacity).
    std::optional<corio::engine::detail::send_ring> ring_;
    bool send_posted_ = false;
    std::vector<int> sockets_;
    std::vector<iovec> iovs_;
    std::vector<msghdr> messages_;
    std::vector<std::int64_t> results_;
    // The io_context goes before the timer and after the lists: destroying it destroys the
    // handlers that still hold connections, and the timer must go first.
    boost::asio::io_context ioc_;
    boost::asio::steady_timer heartbeat_;
    // Held writes, whose connections own sockets of ioc_: they go before it.
    std::vector<std::shared_ptr<connection>> held_;
    std::vector<std::shared_ptr<connection>> sending_;
};

} // namespace ceiling
