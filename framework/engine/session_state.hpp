#pragma once
// The Engine.IO session as a sans-I/O state machine: heartbeat, outgoing
// buffer, long-polling GET bookkeeping, WebSocket upgrade and close. It takes
// events with the current time and answers what to do; the coroutines in
// session_impl.cpp do the I/O. Tested with a fake clock in tests/engine.

#include <corio/engine/error.hpp>
#include <corio/engine/transport.hpp>
#include <corio/protocol/engine_packet.hpp>

#include <chrono>
#include <cstddef>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

namespace corio::engine::detail {

/// A queued packet. Shared so that a broadcast's bytes exist once however
/// many sessions send them.
using shared_packet = std::shared_ptr<const protocol::packet>;

/// A batch of packets sent as one unit (a Socket.IO packet and its
/// attachments), shared read-only between the sessions that send it.
using shared_batch = std::shared_ptr<const std::vector<protocol::packet>>;

struct session_timing {
    std::chrono::milliseconds ping_interval;
    std::chrono::milliseconds ping_timeout;
    std::chrono::milliseconds upgrade_timeout;
    /// Engine.IO v3: the client pings and the server answers with a pong;
    /// the session closes after ping_interval + ping_timeout without a ping.
    /// (v4: the server pings, the client answers.)
    bool client_pings = false;
};

/// options::max_queued_bytes and max_queued_packets.
struct queue_limits {
    std::size_t max_bytes = std::numeric_limits<std::size_t>::max();
    std::size_t max_packets = std::numeric_limits<std::size_t>::max();
};

class session_state {
public:
    using clock = std::chrono::steady_clock;
    using time_point = clock::time_point;

    session_state(session_timing timing, transport_kind transport, time_point now, queue_limits limits = {});

    transport_kind transport() const noexcept { return transport_; }
    bool closed() const noexcept { return close_reason_.has_value(); }
    std::optional<close_reason> reason() const noexcept { return close_reason_; }

    // Heartbeat and timeouts ------------------------------------------------

    /// When on_timer must be called next.
    time_point next_deadline() const noexcept;

    enum class timer_event { none, ping_queued, ping_timeout, upgrade_timeout };

    /// Queues a ping when one is due (v4), closes on ping timeout, and
    /// abandons a WebSocket probe that did not complete in time. One event a
    /// call; the pong is due ping_timeout after the ping was due, whenever
    /// this is called.
    timer_event on_timer(time_point now);

    // Inbound ---------------------------------------------------------------

    enum class inbound { deliver, handled, answered, closed, invalid };

    /// A packet of this type arrived on the active transport. A message is to
    /// be delivered; pong (v4), ping (v3: `answered`, a pong is queued) and
    /// noop are handled here; close ends the session; a packet a client may
    /// not send closes it with parse_error.
    inbound on_packet(protocol::packet_type type, time_point now);

    // Outbound --------------------------------------------------------------
    //
    // The queue is bounded (queue_limits). What counts is what is queued plus
    // the write in flight: packets taken by take_outbound stay counted until
    // written() (WebSocket) or the client's next GET (long-polling: it has
    // the previous response then), or complete_upgrade. Running counters,
    // no scans.

    enum class send_result {
        queued,
        dropped,  ///< volatile, and the transport was not writable
        overflow, ///< over a bound: the session is now closed with send_queue_full
        closed,   ///< the session had closed: ignored
    };

    /// Queues an application packet, or a unit of them (all or none): a
    /// volatile one only if writable(); one that would take the session over
    /// a bound closes it (a volatile one is dropped instead).
    send_result send(shared_packet p, bool is_volatile = false);
    send_result send(const shared_batch& unit, bool is_volatile = false);

    /// The transport could take a packet right now, as Engine.IO's
    /// `transport.writable`: nothing queued, no write in flight, and on
    /// long-polling a GET waiting for it.
    bool writable() const noexcept;

    /// Queues one of the engine's own packets (open, ping). Counted, but
    /// never refused. Ignored once closed.
    void enqueue(shared_packet p);
    void enqueue(protocol::packet p) { enqueue(std::make_shared<const protocol::packet>(std::move(p))); }
    bool has_outbound() const noexcept { return !outbound_.empty(); }
    /// Hands the queue to the transport; its packets become the write in flight.
    std::vector<shared_packet> take_outbound() noexcept;
    /// As take_outbound, by swapping with `into`, which must be empty: the
    /// two vectors trade their storage instead of allocating anew.
    void take_outbound(std::vector<shared_packet>& into) noexcept;
    /// Packets taken by take_outbound, carrying `bytes` bytes of data, were
    /// written to the WebSocket.
    void written(std::size_t packets, std::size_t bytes) noexcept;

    /// Payload bytes and packets counted against the bounds.
    std::size_t queued_bytes() const noexcept { return queued_bytes_ + in_flight_bytes_; }
    std::size_t queued_packets() const noexcept { return outbound_.size() + in_flight_packets_; }

    // Long-polling ------------------------------------------------------------

    enum class poll_start {
        wait,               ///< this GET is now the pending one
        not_polling,        ///< the session uses WebSocket: HTTP 400
        duplicate,          ///< a GET was already pending: session closed; HTTP 400
        closed,             ///< the session is gone: HTTP 400
    };

    poll_start begin_poll();

    /// The pending GET can be answered now.
    bool poll_ready() const noexcept;

    /// Ends the pending GET and returns its packets: the buffer, else a noop
    /// while an upgrade is under way; after close, the packets owed to the
    /// client (a close packet when the server closed, else a noop).
    /// After a server close or a client close with no GET pending,
    /// begin_poll admits one more GET to collect what is owed.
    std::vector<shared_packet> end_poll();

    bool poll_pending() const noexcept { return poll_pending_; }
    /// Closed, and the client's next GET is still owed an answer (see close).
    bool owes_poll() const noexcept { return final_poll_owed_; }

    // WebSocket upgrade -------------------------------------------------------

    /// A WebSocket arrived for this polling session. False when the session
    /// cannot upgrade (closed, not polling, or already probing).
    bool begin_upgrade(time_point now);
    /// `2probe` was answered with `3probe`: the pending GET gets a noop so the
    /// client can pause polling.
    void probe_answered() noexcept { probe_answered_ = true; }
    /// `5` arrived on the probe: WebSocket becomes the transport.
    void complete_upgrade() noexcept;
    void abort_upgrade() noexcept;
    bool upgrading() const noexcept { return upgrading_; }

    // Close -------------------------------------------------------------------

    /// Ends the session (idempotent). With `notify_client`, a close packet is
    /// queued after the buffer so the client learns the server closed it.
    void close(close_reason r, bool notify_client);
    bool notify_client() const noexcept { return notify_client_; }

private:
    /// Admits a unit of `packets` packets and `bytes` bytes, or says why not
    /// (closing the session on overflow).
    send_result admit(std::size_t packets, std::size_t bytes, bool is_volatile);
    void push(shared_packet p);
    void clear_outbound() noexcept;

    session_timing timing_;
    transport_kind transport_;
    time_point next_ping_;
    // v4: set while a ping awaits its pong. v3: while open, when the
    // client's next ping is due at the latest.
    std::optional<time_point> pong_deadline_;
    std::optional<time_point> upgrade_deadline_;
    queue_limits limits_;
    std::vector<shared_packet> outbound_;
    std::size_t queued_bytes_ = 0;      // payload bytes in outbound_
    std::size_t in_flight_bytes_ = 0;   // taken by the transport, not yet written
    std::size_t in_flight_packets_ = 0;
    std::optional<close_reason> close_reason_;
    bool notify_client_ = false;
    bool poll_pending_ = false;
    bool final_poll_owed_ = false;
    bool upgrading_ = false;
    bool probe_answered_ = false;
};

} // namespace corio::engine::detail
