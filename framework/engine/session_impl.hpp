#pragma once
// The coroutines around session_state: long-polling requests, the WebSocket
// reader and writer, the heartbeat timer. Everything here runs on the
// session's strand.

#include <corio/engine/listener.hpp>
#include <corio/engine/session.hpp>

#include "engine/session_state.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <memory>
#include <string>

namespace corio::engine::detail {

class server_impl;

// On a plain socket, not a beast::tcp_stream: the WebSocket's own timer
// bounds its handshakes, and the heartbeat is its liveness check, so
// tcp_stream's three timers would be dead weight in every session.
using websocket_stream = boost::beast::websocket::stream<boost::asio::ip::tcp::socket>;

/// The outcome of a polling request, for the HTTP layer to send.
struct poll_reply {
    boost::beast::http::status status = boost::beast::http::status::ok;
    std::string body;                 ///< a payload, or "ok" for a POST
    std::optional<error> engine_error; ///< set for a 4xx Engine.IO error
};

class session_impl final : public session {
public:
    session_impl(std::shared_ptr<server_impl> server, std::string id, request_info request,
                 executor_type strand, transport_kind transport);

    void send(protocol::packet p) override;
    void send(std::vector<protocol::packet> packets) override;
    void send_shared(std::shared_ptr<const std::vector<protocol::packet>> packets) override;
    bool send_volatile(std::shared_ptr<const std::vector<protocol::packet>> packets) override;
    void close(close_reason reason) override;
    /// Ends the session as a crash would: no close packet, TCP cut. Any thread.
    void abort();

    // On the strand only ------------------------------------------------------

    /// Queues the open packet, starts the heartbeat and tells the handler.
    void start();
    /// The handshake GET of a polling session: start, then answer the open packet.
    boost::asio::awaitable<poll_reply> open_polling();
    /// A long-polling GET: waits until there is something to send.
    boost::asio::awaitable<poll_reply> poll();
    /// A long-polling POST.
    boost::asio::awaitable<poll_reply> post(std::string body);
    /// A POST body over the limit: the session ends with payload_too_large.
    void reject_oversized();
    /// Runs a WebSocket opened with the handshake until it closes.
    boost::asio::awaitable<void> run_websocket(std::shared_ptr<websocket_stream> ws);
    /// Accepts a WebSocket that asks to upgrade this polling session and runs
    /// it: the probe, then, once upgraded, the transport.
    boost::asio::awaitable<void> run_upgrade(std::shared_ptr<websocket_stream> ws, http_request req);

private:
    std::shared_ptr<session_impl> self() { return std::static_pointer_cast<session_impl>(shared_from_this()); }

    /// Wakes the transport for what was queued, or ends the session the
    /// send overflowed. True if queued.
    bool after_send(session_state::send_result r);
    void handle_inbound(protocol::packet&& p);
    /// Ends the session: the state must already be closed.
    void finish_close();
    void close_now(close_reason reason, bool notify_client);
    void wake();
    bool writer_has_work(const websocket_stream& ws) const noexcept;

    boost::asio::awaitable<void> heartbeat();
    boost::asio::awaitable<void> websocket_reader(std::shared_ptr<websocket_stream> ws);
    boost::asio::awaitable<void> websocket_writer(std::shared_ptr<websocket_stream> ws);
    /// Writes what is queued; false if the write failed (the session is closed).
    boost::asio::awaitable<bool> write_outbound(websocket_stream& ws);

    std::shared_ptr<server_impl> server_;
    session_state state_;
    // Timers on the strand's own type: wrapped in an any_io_executor, each
    // would hold a heap-allocated copy of the strand.
    using timer = boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                                    boost::asio::wait_traits<std::chrono::steady_clock>, executor_type>;
    timer heartbeat_timer_;
    // Never expires; cancelled to wake whoever waits on it: a long-poll, a
    // WebSocket writer, or both during an upgrade (each re-checks its own
    // condition). One timer serves them all.
    timer signal_;
    // The WebSocket in use or being probed, to cut it on close or timeout.
    std::shared_ptr<websocket_stream> ws_;
    // `2probe` arrived; the writer owes `3probe`.
    bool probe_answer_owed_ = false;
    bool finished_ = false;
};

} // namespace corio::engine::detail
