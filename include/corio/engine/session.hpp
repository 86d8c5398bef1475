#pragma once
// A handle on one Engine.IO session, shared by the engine and the layer above.

#include <corio/engine/error.hpp>
#include <corio/engine/request_info.hpp>
#include <corio/engine/transport.hpp>
#include <corio/protocol/engine_packet.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace corio::engine {

/// One Engine.IO session.
///
/// @par Thread safety
/// `id`, `request`, `transport`, `get_executor`, `send`, `send_shared` and
/// `close` may be called from any thread. `send_volatile` belongs to the
/// session's strand: use it only from handler callbacks or code dispatched
/// to `get_executor()`.
///
/// @par Per-session state
/// The layer above keeps its state for a session in the session_handler its
/// handler::on_open returned; the engine holds that until after on_close.
///
/// @par Backpressure
/// What waits to go out is bounded by `options::max_queued_bytes` and
/// `max_queued_packets`; a send that would go over either closes the session
/// with close_reason::send_queue_full.
class session : public std::enable_shared_from_this<session> {
public:
    /// On the io_context's own executor type, not any_io_executor: this
    /// strand fits inside an any_io_executor, where a strand of a type-erased
    /// executor is heap-allocated at every conversion (each coroutine and
    /// each asynchronous operation's work tracking does one).
    using executor_type = boost::asio::strand<boost::asio::io_context::executor_type>;

    session(const session&) = delete;
    session& operator=(const session&) = delete;
    virtual ~session() = default;

    /// 20 base64url characters from a CSPRNG.
    const std::string& id() const noexcept { return id_; }
    const request_info& request() const noexcept { return *request_; }
    /// The same, shared: the layer above keeps it without a copy.
    const std::shared_ptr<const request_info>& shared_request() const noexcept { return request_; }
    transport_kind transport() const noexcept { return transport_.load(std::memory_order_relaxed); }
    /// The Engine.IO protocol revision the client speaks: 4, or 3 (a
    /// socket.io-client 2.x, accepted with options::allow_eio3). Fixed for
    /// the session's life.
    int protocol_version() const noexcept { return protocol_version_; }
    /// The strand every event of this session runs on. A reference: each
    /// copy of a strand copies a type-erased executor, which broadcasts
    /// would pay per recipient.
    const executor_type& get_executor() const noexcept { return strand_; }

    /// Queues a packet for the client. Packets go out in the order sent; those
    /// sent after close are dropped.
    virtual void send(protocol::packet p) = 0;
    /// Queues several packets as one unit: nothing another thread sends can
    /// come between them (a Socket.IO packet and its binary attachments).
    virtual void send(std::vector<protocol::packet> packets) = 0;
    /// As send(std::vector), for packets several sessions send (a
    /// broadcast): the bytes are shared, never copied per session.
    virtual void send_shared(std::shared_ptr<const std::vector<protocol::packet>> packets) = 0;
    /// As send_shared, for packets the client may miss (socket.io's
    /// `volatile`): they are queued only if the transport is writable now —
    /// nothing queued, no write in flight, and on long-polling a GET waiting
    /// — else dropped. A volatile unit never closes the session, even one
    /// larger than the bounds (it is dropped). Strand only: returns whether
    /// the packets were queued.
    virtual bool send_volatile(std::shared_ptr<const std::vector<protocol::packet>> packets) = 0;
    /// Closes the session: what is queued is flushed, then a close packet.
    /// The session handler's on_close follows with `reason`.
    virtual void close(close_reason reason = close_reason::server_close) = 0;

protected:
    session(std::string id, request_info request, executor_type strand, transport_kind t, int protocol_version = 4)
        : id_(std::move(id)),
          request_(std::make_shared<const request_info>(std::move(request))),
          strand_(std::move(strand)),
          transport_(t),
          protocol_version_(protocol_version)
    {
    }

    void set_transport(transport_kind t) noexcept { transport_.store(t, std::memory_order_relaxed); }

private:
    std::string id_;
    std::shared_ptr<const request_info> request_;
    executor_type strand_;
    std::atomic<transport_kind> transport_;
    int protocol_version_ = 4;
};

} // namespace corio::engine
