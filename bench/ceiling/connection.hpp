// One client of the ceiling server: the HTTP upgrade, then WebSocket frames carrying the bench
// app's Engine.IO / Socket.IO messages, on a non-blocking socket: one pending read at a time,
// writes made at once, and a wait for writability only when the socket would not take them.
#pragma once

#include "frame.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace ceiling {

class worker;

/// A TCP socket bound to its worker's io_context by type: no type-erased executor on the
/// path of every operation.
using socket_type = boost::asio::basic_stream_socket<boost::asio::ip::tcp, boost::asio::io_context::executor_type>;

/// A connection reads into a small buffer of its own and handles every complete frame there;
/// what does not fit goes on in its worker's shared read buffer, and only a partial frame's
/// bytes are kept between reads. What it answers collects in the worker's output and goes out
/// in one write at the end of the read (held by the worker to go out with the round's other
/// writes, when it batches them); what the socket does not take waits in the connection's own
/// buffer for writability.
///
/// @par Thread Safety
/// Runs on its worker's thread only.
///
/// @par Lifetime
/// Owned by the handlers of its pending operations (shared_from_this). close() unlists it
/// from its worker and closes the socket, which ends those operations; every ending goes
/// through close().
class connection : public std::enable_shared_from_this<connection> {
public:
    connection(worker& w, socket_type socket);

    /// Lists the connection with its worker and reads the upgrade request.
    void start();

    /// Queues a whole WebSocket frame (a broadcast, a ping): behind this read's answers when
    /// the connection is the one handling a read, else sent at once if nothing is waiting.
    void send(std::string_view frame);

    /// Heartbeat, once per ping interval: pings an open connection. Returns false for one
    /// that should be closed: still upgrading, or still closing on a client that does not
    /// read, since the last time.
    bool ping();
    /// Heartbeat, a ping timeout after ping(): false for a connection that has not answered.
    bool answered_ping() const noexcept { return !awaiting_pong_; }

    /// Ends the connection now: unlists it and closes the socket. Idempotent.
    void close();

    /// A held write (worker::hold_write): what to send (empty once closed), on which socket
    /// (−1 once closed).
    std::string_view held_bytes() const noexcept { return unsent_; }
    int native_handle() noexcept { return socket_.native_handle(); }
    /// Sends the held write by a plain write, then on_held_sent().
    void send_held_alone();
    /// The held write went out: `result` is the bytes the socket took, or −errno. The rest
    /// waits for writability; an error closes the connection.
    void on_held_sent(std::int64_t result);

private:
    friend class worker;
    enum class state { upgrading, open, closing, closed };

    void await_readable();
    void on_read(std::size_t n);
    /// The rare path: a partial frame was kept, or the inbox filled up. Returns false when the
    /// peer has gone.
    bool read_on(std::size_t n);
    void await_writable();
    void on_writable();
    /// Handles the complete requests or frames at the start of `data`; returns the bytes used.
    std::size_t consume(char* data, std::size_t size);
    std::size_t consume_upgrade(char* data, std::size_t size);
    std::size_t consume_frames(char* data, std::size_t size);
    void on_frame(const frame::header& h, std::string_view payload);
    void on_message(std::string_view text);
    /// A close frame to the client with `code`, then the connection closes once it is sent.
    void fail(unsigned code);
    /// Sends the worker's output (this read's answers).
    void flush_output();
    /// Writes `bytes` now as far as the socket takes them; the rest waits in unsent_.
    void write(std::string_view bytes);
    void queue_unsent(std::string_view bytes);

    worker& worker_;
    socket_type socket_;
    state state_ = state::upgrading;
    bool awaiting_writable_ = false;
    bool write_held_ = false; ///< unsent_ is held by the worker, to go out with the round
    bool awaiting_pong_ = false;
    bool seen_by_heartbeat_ = false; ///< still upgrading at a heartbeat: dropped at the next
    bool fragmenting_ = false;       ///< inside a fragmented message
    bool fragmented_text_ = false;   ///< ... which is text (binary ones are read and dropped)
    std::size_t all_slot_ = 0;       ///< index in the worker's lists
    std::size_t bench_slot_ = 0;
    /// Where the socket is read into: big enough for the bench's requests and messages, so
    /// that they are handled where they lie.
    char inbox_[512];
    std::string unread_;    ///< a partial request or frame, kept between reads
    std::string unsent_;    ///< what the socket has not taken yet
    std::string fragments_; ///< a fragmented message being reassembled
};

} // namespace ceiling
