#pragma once
// A WebSocket after its handshake: RFC 6455 frames over a byte stream, read
// and written with callbacks on the session's strand. It knows frames, not
// Engine.IO; the session (websocket_connection::events) gives it packets to
// write and takes the messages it reads.
//
// This class is the frame side: the reader's state, the gathered writes, the
// close handshake. The bytes move through one of two transports, each its own
// final class: plain_websocket_connection (a TCP socket) and
// tls_websocket_connection (TLS over TCP). Each reads in its own way and
// hands the bytes to on_bytes(); the only call through the vtable per message
// is the one that starts a write (write_buffers()), once per batch.
//
// Callbacks rather than coroutines: a WebSocket session is idle most of its
// life, and an idle connection here holds no coroutine frame.

#include <corio/engine/error.hpp>
#include <corio/engine/session.hpp>
#include <corio/protocol/permessage_deflate.hpp>
#include <corio/protocol/websocket_frame.hpp>

#include "engine/session_state.hpp"

#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/system/error_code.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace corio::engine::detail {

class websocket_connection : public std::enable_shared_from_this<websocket_connection> {
public:
    /// The session's strand: every completion runs there.
    using executor_type = session::executor_type;

    /// What the connection tells its session, on the strand.
    class events {
    public:
        /// A whole message. `payload` is valid during the call only. When
        /// `storage` is not null, it holds exactly `payload`, and the call
        /// may take it (move from it) instead of copying: a large message
        /// was gathered there, in its own allocation.
        virtual void on_ws_message(websocket_connection& c, bool text, std::string_view payload,
                                   std::string* storage) = 0;
        /// Reading stopped, for good; called once. `reason` says why: the
        /// peer closed (transport_close), an I/O error (transport_error), a
        /// message over the limit (payload_too_large), or a framing error
        /// (parse_error). The connection closes itself in each case.
        virtual void on_ws_end(websocket_connection& c, close_reason reason) = 0;
        /// A write is on the wire: `packets` packets (none for a write of
        /// control frames only) carrying `bytes` bytes of packet data.
        /// write() may be called from here.
        virtual void on_ws_written(websocket_connection& c, std::size_t packets, std::size_t bytes) = 0;

    protected:
        ~events() = default;
    };

    virtual ~websocket_connection() = default;
    websocket_connection(const websocket_connection&) = delete;
    websocket_connection& operator=(const websocket_connection&) = delete;

    /// Starts reading. The connection holds `e` and `hold` until it is done
    /// (transport closed, nothing in flight), then lets them go: `hold` tells
    /// whoever counts it (drain_tracker) that nothing more will be written.
    void start(std::shared_ptr<events> e, std::shared_ptr<void> hold);
    /// start() in two steps: attach() makes `e` hear of writes (so that a
    /// write may complete at once, see may_complete_at_once) before
    /// start_reading() lets messages in.
    void attach(std::shared_ptr<events> e, std::shared_ptr<void> hold);
    void start_reading() { begin_reading(); }
    /// `bytes` go out before the frames of the next write, in the same
    /// write: a new session's 101 answer, so that it and the open packet
    /// cost one system call and one TCP segment.
    void precede_next_write(std::string bytes);
    /// Reads at once what the transport has already received, without
    /// waiting for its readiness to be reported, and handles it as a read:
    /// messages and the end go to the events before this returns. For the
    /// session to take in a probe's frames before acting on a request of the
    /// same client on another connection, sent after them: the readiness of
    /// the probe may reach the strand behind that request. Only between
    /// reads (started, no read running); does nothing over TLS, whose reads
    /// go through the TLS stream.
    void take_received() { read_received(); }

    /// The session's strand.
    const executor_type& get_executor() const noexcept { return strand_; }

    /// No write in flight and not closing: write() may be called.
    bool can_write() const noexcept { return !writing_ && !closing_; }

    /// Writes `packets` (taken; `packets` is left empty) in one gathered
    /// write, a frame each: a text packet is its type digit then its data, a
    /// binary one its bytes. The data is not copied (TLS encrypts from it);
    /// each packet is held until on_ws_written. Precondition: can_write().
    void write(std::vector<shared_packet>& packets);

    /// Closes gracefully: after the write in flight, a close frame with
    /// `code`; then the TCP connection is shut down once the peer answers or
    /// hangs up, or after a short linger. Idempotent: the first close wins.
    void close(protocol::websocket::close_code code);

    /// Closes the TCP connection at once, abandoning any write in flight.
    void cut() noexcept;

    /// permessage-deflate was negotiated (before start()): messages of at
    /// least `threshold` bytes go out compressed, unless their packet says
    /// not to (protocol::packet::compress), and compressed messages from
    /// the client are inflated, to at most the connection's message limit.
    void enable_deflate(std::size_t threshold);
    /// enable_deflate() was called.
    bool deflating() const noexcept { return inflater_ != nullptr; }
    /// Engine.IO v3 (before start()): binary messages go out with the
    /// packet type byte (4) before their bytes. Those frames are never
    /// compressed: a broadcast's shared compressed bytes are made without it.
    void prefix_binary_type() noexcept { prefix_binary_type_ = true; }

    /// Keeps `h` as long as this connection lives: the listener's count of
    /// the connection (http_stream::hold).
    void keep(std::shared_ptr<void> h) noexcept { kept_ = std::move(h); }

    /// Bytes allocated for reading: the kept tail of the last read and the
    /// reader's message buffer. Between messages, at most a few KiB: a
    /// large message's buffer goes up with the message or is freed.
    std::size_t read_capacity() const noexcept { return partial_.capacity() + reader_.buffer_capacity(); }

protected:
    websocket_connection(executor_type strand, std::size_t max_message);

    /// For the transports: bytes read. Handles the whole frames among them,
    /// after what was kept of the last read, and keeps the cut-off rest.
    /// Ignores them once closing or ended: only the peer's hang-up matters
    /// then.
    void on_bytes(std::span<char> input);
    /// For the transports: reading failed (`reason` from reason_for), so the
    /// connection ends.
    void on_read_failed(close_reason reason);
    /// For the transports: the write of write_buffers() finished.
    void on_written(boost::system::error_code ec);
    /// For the transports: the write of write_buffers() went out whole before
    /// write_buffers() returned. Completes it there, keeping this connection
    /// and its session alive through what the completion may do (another
    /// write, a close). Only when may_complete_at_once().
    void on_written_at_once();
    /// Whether the write in flight may complete within write_buffers(): the
    /// session hears of completions (start() was called; a write before it,
    /// the open packet's, completes once it has), and the write does not carry
    /// our close frame, whose completion ends the connection.
    bool may_complete_at_once() const noexcept { return events_ && !close_in_flight_; }
    /// What a failed read means for the session.
    static close_reason reason_for(const boost::system::error_code& ec);

    /// The frames of the write to start, valid until on_written.
    const std::vector<boost::asio::const_buffer>& buffers() const noexcept { return buffers_; }

    /// True until cut().
    bool open() const noexcept { return open_; }
    /// The peer's close frame arrived: nothing may follow it.
    bool peer_closed() const noexcept { return peer_closed_; }
    /// Once nothing is in flight and the transport is closed, lets go of
    /// the session.
    void release_if_done();

    // A read (or a wait for readability) is pending: set by the transport.
    bool reading_ = false;

private:
    // The transport, implemented by each final class; all on the strand.
    /// Starts reading; reports a failure through on_read_failed.
    virtual void begin_reading() = 0;
    /// Starts writing buffers(), all of them; completes with on_written.
    virtual void write_buffers() = 0;
    /// take_received(), where the transport can read without waiting.
    virtual void read_received() {}
    /// Closes the TCP connection; completes what is pending with an error.
    /// Called once, by cut(): the transport is open until then.
    virtual void close_transport() noexcept = 0;
    /// TCP shutdown of the sending side: our FIN, while reading goes on.
    virtual void shutdown_send() noexcept = 0;

    /// Handles the frames at the front of `input`; consumes what it handled.
    void handle_frames(std::span<char>& input);
    /// Handles one event of the reader; false when reading is over.
    bool handle_event(const protocol::websocket::frame_event& event);
    /// Reports the end of reading to the session, once.
    void end_reading(close_reason reason);
    /// Writes what is owed in one gathered write: a pong, the packets taken
    /// by write(), then the close frame once closing.
    void start_write();
    void add_frame(protocol::websocket::opcode op, std::string_view prefix, std::string_view data,
                   bool compressed = false);
    /// A packet's frame: compressed when deflate is on and the packet is
    /// large enough, from the packet's shared cache.
    void add_packet(protocol::websocket::opcode op, std::string_view prefix, const protocol::packet& p);
    /// Inflates a compressed message and hands it to the session; false
    /// when it was bad and the connection is closing.
    bool deliver_compressed(bool text, std::string_view payload);
    /// Our close frame is out: hang up, or wait a little for the peer to.
    void after_close_sent();

    using timer = boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                                    boost::asio::wait_traits<std::chrono::steady_clock>, executor_type>;

    executor_type strand_;
    protocol::websocket::frame_reader reader_; // holds the message limit
    // permessage-deflate: made by enable_deflate(); the last inflated
    // message.
    std::unique_ptr<protocol::websocket::inflater> inflater_;
    std::string inflated_;
    std::size_t deflate_threshold_ = 0;
    bool prefix_binary_type_ = false;
    std::shared_ptr<events> events_;
    std::shared_ptr<void> hold_;
    std::shared_ptr<void> kept_;
    // The tail of the last read that the reader left: a cut header, or a cut
    // control frame (at most frame_reader::max_kept bytes). A cut text or
    // binary frame is gathered by the reader instead.
    std::string partial_;
    // The write in flight: its packets, its frame headers, its buffers.
    std::vector<shared_packet> in_flight_;
    std::vector<std::array<unsigned char, protocol::websocket::max_header_size + 1>> headers_;
    std::vector<boost::asio::const_buffer> buffers_;
    // precede_next_write()'s bytes, until their write is done.
    std::unique_ptr<std::string> preamble_;
    // Control payloads: the pong owed for the last ping, the pong being
    // written, and our close frame's. Made by the first ping or the close:
    // an idle connection holds none.
    struct control_payloads {
        std::string pong;
        std::string pong_in_flight;
        std::string close;
    };
    control_payloads& control();
    std::unique_ptr<control_payloads> control_;
    // Bounds the close; made by close().
    std::unique_ptr<timer> linger_timer_;
    bool open_ = true;             // cut() not called yet: the transport is open
    bool writing_ = false;
    bool pong_owed_ = false;
    bool ended_ = false;           // on_ws_end was reported
    bool closing_ = false;         // close() was called
    bool close_in_flight_ = false; // the write in flight carries our close frame
    bool close_sent_ = false;
    bool peer_closed_ = false;     // the peer's close frame arrived
};

} // namespace corio::engine::detail
