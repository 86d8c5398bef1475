#pragma once
// The I/O around session_state: coroutines for the long-polling requests,
// a websocket_connection's events, and the heartbeat timer. Everything here
// runs on the session's strand.

#include <corio/engine/handler.hpp>
#include <corio/engine/session.hpp>

#include "engine/caller_completion.hpp"
#include "engine/session_host.hpp"
#include "engine/session_state.hpp"
#include "engine/session_traffic.hpp"
#include "engine/websocket_connection.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/status.hpp>

#include <exception>
#include <memory>
#include <optional>
#include <string>

namespace corio::engine::detail {

/// The outcome of a polling request, for the HTTP layer to send.
struct poll_reply {
    boost::beast::http::status status = boost::beast::http::status::ok;
    std::string body;                 ///< a payload, or "ok" for a POST
    std::optional<error> engine_error; ///< set for a 4xx Engine.IO error
    /// Set when this is the session's last answer: its drain hold, to keep
    /// until the answer is written.
    std::shared_ptr<void> drain;
    /// The body is an Engine.IO v3 binary payload (application/octet-stream).
    bool binary = false;
};

class session_impl final : public session, private websocket_connection::events {
public:
    /// Holds `host` (shared) and counts itself in `host->drain` until it has
    /// finished. `protocol` is the Engine.IO revision, 3 or 4.
    session_impl(std::shared_ptr<const session_host> host, std::string id, request_info request,
                 executor_type strand, transport_kind transport, int protocol);

    void send(protocol::packet p) override;
    void send(std::vector<protocol::packet> packets) override;
    void send_shared(std::shared_ptr<const std::vector<protocol::packet>> packets) override;
    bool send_volatile(std::shared_ptr<const std::vector<protocol::packet>> packets) override;
    void close(close_reason reason) override;
    /// Ends the session as a crash would: no close packet, TCP cut. Any thread.
    void abort();

    // The polling requests: from any thread (the HTTP connection's strand).
    // Each runs on the session's strand and completes on `token`'s associated
    // executor, as void(std::exception_ptr, poll_reply): an exception thrown
    // on the strand (a handler's) comes back to the caller. The session is
    // held until then.

    /// The handshake GET of a polling session: start, then answer the open packet.
    template <class Token>
    auto async_open_polling(Token&& token)
    {
        return on_strand(std::forward<Token>(token), [](session_impl& s, auto done) {
            try {
                s.start();
            } catch (...) {
                std::move(done)(std::current_exception(), poll_reply{});
                return;
            }
            s.poll_then(std::move(done));
        });
    }
    /// A long-polling GET: waits until there is something to send.
    template <class Token>
    auto async_poll(Token&& token)
    {
        return on_strand(std::forward<Token>(token), [](session_impl& s, auto done) { s.poll_then(std::move(done)); });
    }
    /// A long-polling POST.
    template <class Token>
    auto async_post(std::string body, Token&& token)
    {
        return on_strand(std::forward<Token>(token), [body = std::move(body)](session_impl& s, auto done) mutable {
            std::exception_ptr e;
            poll_reply reply;
            try {
                reply = s.post(std::move(body));
            } catch (...) {
                e = std::current_exception();
            }
            std::move(done)(e, std::move(reply));
        });
    }

    // On the strand only ------------------------------------------------------

    /// Queues the open packet, starts the heartbeat and tells the handler,
    /// keeping the session handler it returns.
    void start();
    /// A POST body over the limit: the session ends with payload_too_large.
    void reject_oversized();
    /// Starts a session whose transport is this WebSocket (its handshake done).
    void run_websocket(std::shared_ptr<websocket_connection> ws);
    /// A WebSocket (its handshake done) that asks to upgrade this polling
    /// session: the probe, then, once upgraded, the transport.
    void begin_probe(std::shared_ptr<websocket_connection> ws);

private:
    /// Initiates a polling request: `step(session, done)` runs on the strand
    /// and calls `done` (a caller_completion) once with the answer.
    template <class Token, class Step>
    auto on_strand(Token&& token, Step step)
    {
        return boost::asio::async_initiate<Token, void(std::exception_ptr, poll_reply)>(
            [](auto handler, std::shared_ptr<session_impl> held, Step run) {
                // The lambda holds the session, so the strand it names outlives the call.
                auto* s = held.get();
                boost::asio::dispatch(s->get_executor(),
                                      [self = std::move(held), step = std::move(run),
                                       done = caller_completion<decltype(handler)>(std::move(handler))]() mutable {
                                          step(*self, std::move(done));
                                      });
            },
            token, self(), std::move(step));
    }

    /// A GET begins: answered at once (an error, the session gone), or it
    /// waits (await_poll).
    template <class Done>
    void poll_then(Done done)
    {
        std::exception_ptr e;
        std::optional<poll_reply> reply;
        try {
            reply = begin_poll_request();
        } catch (...) {
            e = std::current_exception();
        }
        if (e || reply) {
            std::move(done)(e, reply ? std::move(*reply) : poll_reply{});
            return;
        }
        await_poll(std::move(done));
    }
    /// The pending GET: answered once there is something to send, else
    /// waiting on signal_, which wake() cancels. Holds the session meanwhile.
    template <class Done>
    void await_poll(Done done)
    {
        if (!state_.poll_ready()) {
            signal_->async_wait([self = self(), done = std::move(done)](boost::system::error_code) mutable {
                self->await_poll(std::move(done));
            });
            return;
        }
        std::exception_ptr e;
        poll_reply reply;
        try {
            reply = end_poll_request();
        } catch (...) {
            e = std::current_exception();
        }
        std::move(done)(e, std::move(reply));
    }
    /// begin_poll's refusals as answers; nullopt when the GET is now pending.
    std::optional<poll_reply> begin_poll_request();
    /// Ends the pending GET (poll_ready): its answer.
    poll_reply end_poll_request();
    poll_reply post(std::string body);

    std::shared_ptr<session_impl> self() { return std::static_pointer_cast<session_impl>(shared_from_this()); }
    std::shared_ptr<websocket_connection::events> events_handle();

    /// Queues `unit` (a shared_packet or a shared_batch) on the strand.
    template <class Unit> void send_unit(Unit unit);
    /// Wakes the transport for what was queued, or ends the session the
    /// send overflowed. True if queued.
    bool after_send(session_state::send_result r);
    void handle_inbound(protocol::packet&& p);
    /// Ends the session: the state must already be closed.
    void finish_close();
    void close_now(close_reason reason, bool notify_client);
    /// Something changed for the transports: a waiting GET re-checks, and
    /// the WebSocket writes what is owed.
    void wake();
    /// Starts the WebSocket's next write if it is idle and something is
    /// owed: the probe answer, the queue, or, once closed, the close.
    void flush();
    /// Hands batch_ to the WebSocket writer, counting it.
    void write_batch();
    /// Ends the WebSocket of a closed session the way its reason calls for.
    void close_transport();

    void arm_heartbeat();
    void on_heartbeat();
    /// The heartbeat's action for a deadline that passed (on_timer); false
    /// once it closed the session.
    bool run_deadline();
    /// Before a GET or POST: the deadlines that passed are acted on first,
    /// as if the timer had run on time (as Node runs due timers before I/O).
    /// A loaded machine may run the timer late, after a request the client
    /// sent once pingInterval + pingTimeout had passed, which would then find
    /// the session open.
    void catch_up_heartbeat();

    // websocket_connection::events
    void on_ws_message(websocket_connection& c, bool text, std::string_view payload, std::string* storage) override;
    void on_ws_end(websocket_connection& c, close_reason reason) override;
    void on_ws_written(websocket_connection& c, std::size_t packets, std::size_t bytes) override;
    void on_probe_message(websocket_connection& c, bool text, std::string_view payload);
    /// Before acting on a request that came on another connection: the
    /// frames the client sent on the probe before it (`2probe`, `5`) are
    /// handled first, as they were sent. The probe's readiness may reach the
    /// strand behind the request (a thread preempted between the probe's 101
    /// and its wait), and a GET would then be answered as if the upgrade
    /// had not completed, a second WebSocket refused before `3probe`.
    void take_probe_input();
    /// A WebSocket message as a packet, in the session's protocol revision.
    /// `storage`: as in websocket_connection::events::on_ws_message.
    protocol::result<protocol::packet> decode_ws_message(bool text, std::string_view payload,
                                                         std::string* storage) const;
    /// The packets of a GET's answer, as a payload of the session's revision.
    poll_reply encode_poll(const std::vector<shared_packet>& packets);

    /// Leaves the table; `finished` of the host.
    void forget();

    std::shared_ptr<const session_host> host_;
    // After host_, which holds the registry it reports to until destroyed.
    session_traffic traffic_;
    // From on_open until on_close.
    std::shared_ptr<session_handler> handler_;
    // Held while this session may still write to its client; its WebSocket
    // connections hold copies (drain_tracker::hold).
    std::shared_ptr<void> drain_;
    session_state state_;
    // Timers on the strand's own type: wrapped in an any_io_executor, each
    // would hold a heap-allocated copy of the strand.
    using timer = boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                                    boost::asio::wait_traits<std::chrono::steady_clock>, executor_type>;
    timer heartbeat_timer_;
    // Never expires; cancelled to wake a long-poll GET waiting on it. Made
    // by the first GET: a WebSocket session never needs one.
    std::unique_ptr<timer> signal_;
    // The WebSocket in use or being probed.
    std::shared_ptr<websocket_connection> ws_;
    // Packets handed to the WebSocket's writer: kept so that its storage
    // passes between the queue and the writer instead of being reallocated.
    std::vector<shared_packet> batch_;
    // `2probe` arrived; the writer owes `3probe`.
    bool probe_answer_owed_ = false;
    bool finished_ = false;
};

} // namespace corio::engine::detail
