#pragma once
// corio::server: the Socket.IO server. Owns an Engine.IO endpoint; attach it
// to an engine::listener (several servers and static files may share one).

#include <corio/detail/json_checks.hpp>
#include <corio/disconnect_reason.hpp>
#include <corio/engine/server.hpp>
#include <corio/nsp.hpp>
#include <corio/options.hpp>
#include <corio/server_observer.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace corio {

namespace detail {
class server_state;
}

struct server_stats {
    std::size_t engine_sessions = 0;
    /// Sockets connected now, by namespace.
    std::map<std::string, std::size_t> sockets;
    /// Sockets that joined a namespace (CONNECT accepted).
    std::uint64_t connects = 0;
    /// CONNECTs refused by a middleware or connect handler (CONNECT_ERROR sent).
    std::uint64_t connects_refused = 0;
    /// Sockets that left their namespace, by disconnect_reason (index: the
    /// enumerator's value).
    std::array<std::uint64_t, disconnect_reason_count> disconnects{};
    std::uint64_t argument_errors = 0; ///< events whose arguments did not convert
    std::uint64_t handler_errors = 0;  ///< exceptions thrown by handlers
    /// Volatile packets dropped: the socket was still connecting, or its
    /// transport was not writable (engine::session::send_volatile). Counted
    /// per recipient.
    std::uint64_t volatile_dropped = 0;

    // Limits (server_options::limits, engine.limits): each counts the
    // times its bound was met.
    /// Connections closed: one packet's attachments went over
    /// decode_limits::max_attachment_bytes (disconnect_reason::attachments_too_large).
    std::uint64_t attachments_too_large = 0;
    /// Connections closed: one packet's attachments took longer than
    /// socket_limits::attachment_timeout (disconnect_reason::attachment_timeout).
    std::uint64_t attachment_timeouts = 0;
    /// CONNECTs refused: socket_limits::max_namespaces_per_connection.
    std::uint64_t namespace_limit_refusals = 0;
    /// Joins refused with error::too_many_rooms: socket_limits::max_rooms_per_socket.
    std::uint64_t room_limit_refusals = 0;
    /// Emits with ack refused with error::too_many_pending_acks: socket_limits::max_pending_acks.
    std::uint64_t ack_limit_refusals = 0;
    /// Events dropped by a token bucket: socket_limits::events / event_rates.
    std::uint64_t events_rate_limited = 0;
    /// Connections closed: socket_limits::max_queued_events (disconnect_reason::event_queue_full).
    std::uint64_t event_queue_full = 0;

    /// Namespaces this server holds now (static and dynamic).
    std::size_t namespaces = 0;
    /// Dynamic namespaces removed once empty (server_options::cleanup_empty_dynamic_namespaces).
    std::uint64_t dynamic_namespaces_removed = 0;

    /// Broadcasts made on this server: one per emit or emit_with_ack of a
    /// broadcast_operator (to, except, a namespace, remote_socket::emit...),
    /// whatever number of sockets it reaches.
    std::uint64_t broadcasts = 0;
    /// Packets that broadcasts handed to this server's sockets, one per
    /// recipient: this server's broadcasts and, with a cluster adapter,
    /// the other servers' that reached sockets here.
    std::uint64_t broadcast_deliveries = 0;
    // Connection state recovery (server_options::recovery).
    /// Sockets kept after a recoverable disconnect.
    std::uint64_t recovery_sessions_kept = 0;
    /// Sockets recovered: a CONNECT with a kept session's pid and a kept offset.
    std::uint64_t recoveries = 0;
    /// CONNECTs with a pid and an offset that got a new session instead
    /// (unknown or expired session, or an offset no longer kept).
    std::uint64_t recoveries_failed = 0;
    /// Kept events dropped to stay within state_recovery_options::max_packets
    /// or max_bytes.
    std::uint64_t recovery_packets_dropped = 0;
    /// Kept events dropped after max_disconnection_duration.
    std::uint64_t recovery_packets_expired = 0;
    /// Kept sessions dropped after max_disconnection_duration, never restored.
    std::uint64_t recovery_sessions_expired = 0;
    /// Seconds from the start of an event's handlers (the catch-all, then
    /// the event's own or the fallback) to their completion, awaitable
    /// handlers awaited; one observation per event run, thrown or not.
    engine::histogram_snapshot handler_duration;
    /// Seconds from sending an EVENT with an ack id (emit_with_ack, also to
    /// each socket of a broadcast with acks) to the client's answer arriving;
    /// acknowledgements that time out or never come are not observed.
    engine::histogram_snapshot ack_round_trip;
};

/// @par Thread safety
/// Configure namespaces before the listener accepts; the rest is safe from
/// any thread. Handlers of one socket run on that socket's strand.
class server {
public:
    /// `ex`: the executor of the io_context whose threads run the server.
    /// @throws std::invalid_argument if `ex` is not an io_context's.
    explicit server(boost::asio::any_io_executor ex, server_options opts = {});
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /// The namespace `name`, created on first use ("/" always exists).
    nsp of(std::string name);

    /// The namespaces this server holds now (static, and dynamic ones not
    /// removed), by name. Unlike of(), creates none.
    std::vector<nsp> namespaces() const;

    /// Dynamic namespaces: a CONNECT to a name without a namespace of its own
    /// that `match` accepts creates that namespace, configured by `setup`.
    ///
    /// With server_options::cleanup_empty_dynamic_namespaces (the default),
    /// such a namespace is removed, rooms and adapter with it, once no socket
    /// is connected or connecting to it; the next CONNECT to its name creates
    /// it again and runs `setup` again, as Node copies its parent namespace's
    /// middlewares and listeners into each child it creates. What was added
    /// to a removed namespace otherwise (through an nsp handle kept from
    /// `setup` or from of()) is gone with it; an nsp handle still held
    /// keeps the removed namespace alive but reaches no new socket.
    void of_dynamic(std::function<bool(std::string_view name)> match, std::function<void(nsp)> setup);

    /// A connect middleware for every namespace, run before theirs.
    template <class F>
    server& use(F&& middleware)
    {
        return add_middleware(make_connect_handler(std::forward<F>(middleware)));
    }

    // Operations on "/" across the cluster, as socket.io's `io.to(...)` and
    // friends (see nsp and broadcast_operator).
    broadcast_operator to(std::string room) { return of("/").to(std::move(room)); }
    broadcast_operator in(std::string room) { return of("/").to(std::move(room)); }
    broadcast_operator except(std::string room) { return of("/").except(std::move(room)); }
    broadcast_operator local() { return of("/").local(); }
    template <class... Args>
    void emit(std::string_view event, Args&&... args)
    {
        if constexpr (detail::check_emitted<Args...>())
            of("/").emit(event, std::forward<Args>(args)...);
    }
    boost::asio::awaitable<fetch_result> fetch_sockets() { return of("/").fetch_sockets(); }
    void sockets_join(std::string room) { of("/").all().sockets_join(std::move(room)); }
    void sockets_leave(std::string room) { of("/").all().sockets_leave(std::move(room)); }
    void disconnect_sockets(bool close_connection = false) { of("/").all().disconnect_sockets(close_connection); }
    template <class... Args>
    void server_side_emit(std::string_view event, Args&&... args)
    {
        if constexpr (detail::check_emitted<Args...>())
            of("/").server_side_emit(event, std::forward<Args>(args)...);
    }
    template <class... Args>
    boost::asio::awaitable<boost::system::result<std::vector<arguments>>>
    server_side_emit_with_ack(std::string_view event, Args&&... args)
    {
        if constexpr (detail::check_emitted<Args...>())
            return of("/").server_side_emit_with_ack(event, std::forward<Args>(args)...);
        else
            return {};
    }

    /// Adds an observer of every namespace's sockets (see server_observer).
    /// Call before the listener accepts.
    void observe(std::shared_ptr<server_observer> observer);

    /// Runs `task` on the server's executor; it is cancelled at shutdown.
    void spawn(std::function<boost::asio::awaitable<void>()> task);

    /// Graceful shutdown: refuses new sessions, disconnects every socket with
    /// "server shutting down", lets running handlers finish until `deadline`
    /// (then cancels them), cancels background tasks, and completes once every
    /// client has been sent its close (engine::server::async_close_all, for at
    /// most `deadline` more): the io_context may be stopped then. Stop the
    /// listener too, once this completes.
    boost::asio::awaitable<void> shutdown(std::chrono::milliseconds deadline);

    engine::server& engine() noexcept;
    const engine::server& engine() const noexcept;
    /// The Engine.IO handler the server implements: what corio::testing and
    /// custom transports drive instead of an engine::server.
    engine::handler& engine_handler() noexcept;
    const server_options& options() const noexcept;
    server_stats stats() const;

private:
    server& add_middleware(connect_handler h);

    std::shared_ptr<detail::server_state> state_;
};

} // namespace corio
