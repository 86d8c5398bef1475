#pragma once
// A handle on one socket: one client connected to one namespace.

#include <corio/arguments.hpp>
#include <corio/detail/contract_checks.hpp>
#include <corio/detail/json_checks.hpp>
#include <corio/error.hpp>
#include <corio/handshake.hpp>
#include <corio/engine/transport.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace corio {

class broadcast_operator;
class context;

namespace detail {
class socket_state;
void report_argument_error(context& ctx, std::string_view message);
} // namespace detail

/// The answer to an emit_with_ack: the client's ack arguments, or
/// error::ack_timeout / error::socket_disconnected.
using ack_result = boost::system::result<arguments>;

/// A cheap, copyable handle on a socket.
///
/// @par Thread safety
/// Every member may be called from any thread and keeps working after the
/// socket disconnected (emits are then dropped). emit_with_ack completes on
/// the executor of the coroutine that awaits it.
class socket_ref {
public:
    /// The socket id (20 base64url characters), distinct per namespace.
    const std::string& id() const noexcept;
    /// The namespace name, e.g. "/" or "/chat".
    const std::string& nsp() const noexcept;
    const corio::handshake& handshake() const noexcept;
    bool connected() const noexcept;
    /// The socket was restored by connection state recovery
    /// (server_options::recovery): same id, rooms and shared data as before
    /// its connection was lost, and the events it missed were sent before
    /// its CONNECT answer. socket.io's `socket.recovered`.
    bool recovered() const noexcept;
    engine::transport_kind transport() const noexcept;
    /// The id of its Engine.IO session: the client's, shared by its sockets
    /// of every namespace (socket.io's `socket.conn.id`).
    const std::string& client_id() const noexcept;

    /// Sends an event to this socket. With connection state recovery on and
    /// the socket connected, it goes through the namespace's adapter (as a
    /// broadcast to the socket's id room) so that it is kept with an offset;
    /// an emit from a middleware or the connect handler is sent as it is.
    /// Arguments: anything Boost.JSON's
    /// value_from accepts, corio::binary, or corio::arguments (spliced); a
    /// type value_from cannot convert fails to compile with one static_assert
    /// naming it. A described struct, at any depth, leaves out its empty
    /// std::optional members (value_from would write null): a handler reads
    /// a missing one as std::nullopt, and the generated TypeScript declares
    /// it `name?: T` (corio/invoke.hpp). The same holds for every emit and
    /// ack (broadcast_operator, nsp, context::ack). What waits to go out is bounded
    /// (engine::options::max_queued_bytes): an emit that would go over
    /// disconnects the socket with disconnect_reason::send_queue_full. For a
    /// send that may be dropped instead, use
    /// `to(id()).include_self().volatile_()`.
    template <class... Args>
    void emit(std::string_view event, Args&&... args) const
    {
        if constexpr (detail::check_emitted<Args...>())
            emit_arguments(event, arguments::of(std::forward<Args>(args)...));
    }
    void emit_arguments(std::string_view event, arguments args) const;
    /// emit for an event of a contract (corio/contract.hpp):
    /// `emit<new_game>(state)`. Checked at compile time: Event is
    /// server-to-client without an ack, and `args` are as many as it
    /// declares, each convertible to its type (and converted to it before it
    /// is encoded). Otherwise one static_assert names the event and the
    /// mistake.
    template <class Event, class... Args>
    void emit(Args&&... args) const
    {
        if constexpr (detail::check_emit<Event, false, Args...>())
            emit_arguments(Event::name,
                           detail::declared_arguments(typename Event::argument_types(), std::forward<Args>(args)...));
    }

    /// Sends an event and waits for the client's acknowledgement, up to
    /// `timeout`: socket.io's `socket.timeout(ms).emitWithAck(...)`. Without
    /// a timeout, up to server_options::ack_timeout. The same shape as
    /// broadcast_operator::emit_with_ack. Completes with
    /// error::ack_timeout, or error::socket_disconnected when the socket
    /// leaves first.
    template <class... Args>
    boost::asio::awaitable<ack_result> emit_with_ack(std::chrono::milliseconds timeout, std::string_view event,
                                                     Args&&... args) const
    {
        if constexpr (detail::check_emitted<Args...>())
            return emit_with_ack_arguments(timeout, event, arguments::of(std::forward<Args>(args)...));
        else
            return {};
    }
    template <class... Args>
    boost::asio::awaitable<ack_result> emit_with_ack(std::string_view event, Args&&... args) const
    {
        if constexpr (detail::check_emitted<Args...>())
            return emit_with_ack_arguments(event, arguments::of(std::forward<Args>(args)...));
        else
            return {};
    }
    boost::asio::awaitable<ack_result> emit_with_ack_arguments(std::chrono::milliseconds timeout,
                                                               std::string_view event, arguments args) const;
    boost::asio::awaitable<ack_result> emit_with_ack_arguments(std::string_view event, arguments args) const;
    /// emit_with_ack for an event of a contract that declares an ack, checked
    /// as emit<Event>. The ack comes back as it arrived (not converted to the
    /// declared ack type). `timeout` is any duration that converts to
    /// milliseconds without loss.
    template <class Event, class Rep, class Period, class... Args>
    boost::asio::awaitable<ack_result> emit_with_ack(std::chrono::duration<Rep, Period> timeout,
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
    boost::asio::awaitable<ack_result> emit_with_ack(Args&&... args) const
    {
        if constexpr (detail::check_emit<Event, true, Args...>())
            return emit_with_ack_arguments(
                Event::name, detail::declared_arguments(typename Event::argument_types(), std::forward<Args>(args)...));
        else
            return {};
    }

    /// Rooms. Every socket is in the room named by its id.
    ///
    /// join fails with error::too_many_rooms, joining nothing, when the socket
    /// is in socket_limits::max_rooms_per_socket rooms already (its id room
    /// not counted) and not in `room`; the refusal is counted
    /// (server_stats::room_limit_refusals) and logged at info.
    boost::system::result<void> join(std::string room) const;
    void leave(const std::string& room) const;
    std::vector<std::string> rooms() const;

    /// The other sockets in `room` (this one left out), as socket.to(room).
    broadcast_operator to(std::string room) const;
    /// Every other socket of the namespace, as socket.broadcast.
    broadcast_operator broadcast() const;
    /// This socket alone, its emit compressed or not: socket.io's
    /// `socket.compress(false).emit(...)` sends that event uncompressed even
    /// where WebSocket permessage-deflate is on (see
    /// broadcast_operator::compress). It goes through this server's part of
    /// the adapter, as `to(id()).include_self().local().compress(on)`.
    broadcast_operator compress(bool on) const;

    /// Disconnects this socket from its namespace (the client sees
    /// "io server disconnect"). The Engine.IO connection stays open.
    void disconnect() const;

    /// The socket's data that other servers see: fetch_sockets reports it
    /// as remote_socket::data (socket.io's `socket.data`). Null until set.
    boost::json::value shared_data() const;
    void set_shared_data(boost::json::value data) const;

    /// Typed per-socket data, created on first use. Touch it only from this
    /// socket's handlers (they run on the socket's strand).
    template <class T>
    T& data() const;

    friend bool operator==(const socket_ref& a, const socket_ref& b) noexcept { return a.state_ == b.state_; }

protected:
    friend class detail::socket_state;
    friend void detail::report_argument_error(context& ctx, std::string_view message);

    explicit socket_ref(std::shared_ptr<detail::socket_state> state) noexcept : state_(std::move(state)) {}

    std::shared_ptr<detail::socket_state> state_;

private:
    std::shared_ptr<void>& data_slot(const void* type_key) const;
};

template <class T>
T& socket_ref::data() const
{
    static const char key = 0;
    auto& slot = data_slot(&key);
    if (!slot)
        slot = std::make_shared<T>();
    return *static_cast<T*>(slot.get());
}

} // namespace corio
