#pragma once
// Watching a whole server: every socket's arrival and departure, its rooms
// and, on request, its events, in every namespace (dynamic ones included).
// What instrumentation needs (corio/admin_ui.hpp is built on it), as
// socket.io's `connection` event, the adapters' `join-room` / `leave-room`
// events and `onAny` / `onAnyOutgoing` give Node's admin-ui.

#include <corio/arguments.hpp>
#include <corio/disconnect_reason.hpp>
#include <corio/socket_ref.hpp>

#include <string_view>

namespace corio {

/// Register with server::observe before the listener accepts. Each member
/// has a default that does nothing.
///
/// @par Thread safety
/// The calls come from the sockets' strands, from several threads at once:
/// every member must allow that. They run inline, on the socket's path: keep
/// them short, and hand long work to another executor. They may emit, join,
/// leave and broadcast, which only queue work.
class server_observer {
public:
    virtual ~server_observer() = default;

    /// `s` connected: its CONNECT answer is being sent.
    virtual void socket_connected(const socket_ref& /*s*/) {}
    /// `s` left its namespace; its rooms are left next (room_left).
    virtual void socket_disconnected(const socket_ref& /*s*/, disconnect_reason /*reason*/) {}

    /// On this server, socket `sid` of namespace `nsp` joined `room` (its
    /// own id room too, as it connects), by a join of its own or a cluster
    /// operation. Reported by the adapter, after its rooms' lock is released.
    virtual void room_joined(std::string_view /*nsp*/, std::string_view /*room*/, std::string_view /*sid*/) {}
    /// As room_joined, for a room left (every room, as the socket goes).
    virtual void room_left(std::string_view /*nsp*/, std::string_view /*room*/, std::string_view /*sid*/) {}

    /// Whether event_received and event_sent are wanted: they cost a copy
    /// of each event's arguments. Read once, at server::observe.
    virtual bool wants_events() const { return false; }
    /// An event from `s`'s client, taken for its handler (rate-limited and
    /// overflowing ones are not reported). No ack callback in `args`.
    virtual void event_received(const socket_ref& /*s*/, std::string_view /*event*/, const arguments& /*args*/) {}
    /// An event sent to `s`: emitted to it, or broadcast to a room it is in.
    virtual void event_sent(const socket_ref& /*s*/, std::string_view /*event*/, const arguments& /*args*/) {}
};

} // namespace corio
