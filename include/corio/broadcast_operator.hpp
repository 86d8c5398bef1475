#pragma once
// Emitting to many sockets, on this server and, through the namespace's
// adapter, on every server of a cluster: rooms, exclusions, flags, and
// server-side operations on the sockets selected.

#include <corio/adapter.hpp>
#include <corio/arguments.hpp>
#include <corio/detail/contract_checks.hpp>
#include <corio/detail/json_checks.hpp>
#include <corio/remote_socket.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace corio {

class nsp;
class socket_ref;

namespace detail {
class namespace_state;
}

/// The acknowledgements of a broadcast: one `arguments` per socket that
/// answered, in arrival order; or error::ack_timeout.
using broadcast_ack_result = boost::system::result<std::vector<arguments>>;
/// fetch_sockets' answer, or error::cluster_timeout / cluster_unavailable.
using fetch_result = boost::system::result<std::vector<remote_socket>>;

/// Selects sockets of one namespace on every server: those in any of the
/// `to` rooms (every socket when none is given), minus those in an `except`
/// room, minus the skipped socket. Each call returns a new operator; copies
/// are cheap. Every operation goes through the namespace's adapter.
///
/// @par Thread safety
/// Usable from any thread, inside or outside handlers. A broadcast encodes
/// its packet once and every recipient's session shares those bytes.
///
/// @par Completion
/// The fire-and-forget forms (`emit`, `sockets_join`, …) return at once. The
/// `async_` forms and the awaitables complete on the awaiting coroutine's
/// executor when the cluster has answered (with the in-memory adapter, at
/// once), or fail with a corio::error.
class broadcast_operator {
public:
    broadcast_operator to(std::string room) const;
    broadcast_operator in(std::string room) const { return to(std::move(room)); }
    broadcast_operator except(std::string room) const;
    /// Leaves one socket out (Flask-SocketIO's skip_sid).
    broadcast_operator skip(std::string sid) const { return except(std::move(sid)); }
    /// Puts back the socket an operator from socket_ref::to/broadcast left
    /// out (Flask-SocketIO's include_self=True).
    broadcast_operator include_self() const;
    /// A volatile packet is dropped for each recipient whose transport is
    /// not writable right now (something queued or being written; on
    /// long-polling, no GET waiting) or that is still connecting, as
    /// socket.io's `volatile`. Drops are counted in
    /// server_stats::volatile_dropped. A volatile packet never makes a
    /// recipient go over its send bounds (engine::options::max_queued_bytes).
    broadcast_operator volatile_() const;
    /// This server's sockets only (socket.io's `local`).
    broadcast_operator local() const;
    /// `false`: the packet goes out uncompressed even where WebSocket
    /// permessage-deflate is on (engine::options::compression), as
    /// socket.io's `compress(false)`: for data that does not compress
    /// (images, already compressed bytes), or to save the CPU. Default true.
    /// For one socket: socket_ref::compress.
    broadcast_operator compress(bool on) const;

    /// Sends an event to every selected socket. Arguments as
    /// socket_ref::emit's.
    template <class... Args>
    void emit(std::string_view event, Args&&... args) const
    {
        if constexpr (detail::check_emitted<Args...>())
            emit_arguments(event, arguments::of(std::forward<Args>(args)...));
    }
    void emit_arguments(std::string_view event, arguments args) const;
    /// emit for an event of a contract, checked at compile time as
    /// socket_ref::emit<Event>.
    template <class Event, class... Args>
    void emit(Args&&... args) const
    {
        if constexpr (detail::check_emit<Event, false, Args...>())
            emit_arguments(Event::name,
                           detail::declared_arguments(typename Event::argument_types(), std::forward<Args>(args)...));
    }

    /// Emits asking every selected socket for an ack: socket.io's
    /// `timeout(ms).emitWithAck(...)`, the same shape as
    /// socket_ref::emit_with_ack. Completes when every server reported and
    /// every socket asked answered (an empty selection completes at once
    /// with none), or with error::ack_timeout after `timeout` (without one,
    /// server_options::ack_timeout).
    template <class... Args>
    boost::asio::awaitable<broadcast_ack_result>
    emit_with_ack(std::chrono::milliseconds timeout, std::string_view event, Args&&... args) const
    {
        if constexpr (detail::check_emitted<Args...>())
            return emit_with_ack_arguments(timeout, event, arguments::of(std::forward<Args>(args)...));
        else
            return {};
    }
    template <class... Args>
    boost::asio::awaitable<broadcast_ack_result> emit_with_ack(std::string_view event, Args&&... args) const
    {
        if constexpr (detail::check_emitted<Args...>())
            return emit_with_ack_arguments(event, arguments::of(std::forward<Args>(args)...));
        else
            return {};
    }
    boost::asio::awaitable<broadcast_ack_result>
    emit_with_ack_arguments(std::chrono::milliseconds timeout, std::string_view event, arguments args) const;
    boost::asio::awaitable<broadcast_ack_result> emit_with_ack_arguments(std::string_view event,
                                                                         arguments args) const;
    /// emit_with_ack for an event of a contract that declares an ack,
    /// checked as socket_ref::emit_with_ack<Event>; the acks come back as
    /// they arrived.
    template <class Event, class Rep, class Period, class... Args>
    boost::asio::awaitable<broadcast_ack_result> emit_with_ack(std::chrono::duration<Rep, Period> timeout,
                                                           Args&&... args) const
    {
        if constexpr (detail::check_emit<Event, true, Args...>())
            return emit_with_ack_arguments(
                std::chrono::milliseconds(timeout), Event::name,
                detail::declared_arguments(typename Event::argument_types(), std::forward<Args>(args)...));
        else
            return {};
    }
    template <class Event, class... Args>
    boost::asio::awaitable<broadcast_ack_result> emit_with_ack(Args&&... args) const
    {
        if constexpr (detail::check_emit<Event, true, Args...>())
            return emit_with_ack_arguments(
                Event::name, detail::declared_arguments(typename Event::argument_types(), std::forward<Args>(args)...));
        else
            return {};
    }

    /// The selected sockets on every server; fails with
    /// error::cluster_timeout when a server does not reply within
    /// server_options::cluster_timeout.
    boost::asio::awaitable<fetch_result> fetch_sockets() const;

    /// The selected sockets join `room`.
    void sockets_join(std::string room) const;
    boost::asio::awaitable<boost::system::result<void>> async_sockets_join(std::string room) const;
    /// The selected sockets leave `room`.
    void sockets_leave(std::string room) const;
    boost::asio::awaitable<boost::system::result<void>> async_sockets_leave(std::string room) const;
    /// The selected sockets leave the namespace (each client sees "io
    /// server disconnect"); with `close_connection`, their Engine.IO
    /// connections close too.
    void disconnect_sockets(bool close_connection = false) const;
    boost::asio::awaitable<boost::system::result<void>> async_disconnect_sockets(bool close_connection = false) const;

private:
    friend class nsp;
    friend class socket_ref;
    friend class remote_socket;

    explicit broadcast_operator(std::shared_ptr<detail::namespace_state> nsp) : nsp_(std::move(nsp)) {}
    broadcast_options options() const;
    static boost::asio::awaitable<fetch_result> fetch(std::shared_ptr<detail::namespace_state> nsp,
                                                      broadcast_options opts);

    std::shared_ptr<detail::namespace_state> nsp_;
    broadcast_options opts_;
    std::optional<std::string> self_; // the socket an operator from socket_ref leaves out
};

} // namespace corio
