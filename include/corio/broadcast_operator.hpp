#pragma once
// Emitting to many sockets: rooms, exclusions, and server-side operations on
// the sockets selected.

#include <corio/arguments.hpp>
#include <corio/socket_ref.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace corio {

namespace detail {
class namespace_state;
}

/// Selects sockets of one namespace: those in any of the `to` rooms (every
/// socket when none is given), minus those in an `except` room, minus the
/// skipped socket. Each call returns a new operator; copies are cheap.
///
/// @par Thread safety
/// Usable from any thread, inside or outside handlers. A broadcast encodes
/// its packet once and every recipient's session shares those bytes.
class broadcast_operator {
public:
    explicit broadcast_operator(std::shared_ptr<detail::namespace_state> nsp) : nsp_(std::move(nsp)) {}

    broadcast_operator to(std::string room) const;
    broadcast_operator in(std::string room) const { return to(std::move(room)); }
    broadcast_operator except(std::string room) const;
    /// Leaves one socket out (Flask-SocketIO's skip_sid).
    broadcast_operator skip(std::string sid) const;
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

    template <class... Args>
    void emit(std::string_view event, Args&&... args) const
    {
        emit_arguments(event, arguments::of(std::forward<Args>(args)...));
    }
    void emit_arguments(std::string_view event, arguments args) const;

    /// Emits with an ack request to every selected socket and collects the
    /// answers that arrive within `timeout`: (socket id, ack arguments).
    template <class... Args>
    boost::asio::awaitable<std::vector<std::pair<std::string, arguments>>>
    emit_with_ack(std::chrono::milliseconds timeout, std::string_view event, Args&&... args) const
    {
        return emit_with_ack_arguments(timeout, event, arguments::of(std::forward<Args>(args)...));
    }
    boost::asio::awaitable<std::vector<std::pair<std::string, arguments>>>
    emit_with_ack_arguments(std::chrono::milliseconds timeout, std::string_view event, arguments args) const;

    /// The selected sockets, now.
    std::vector<socket_ref> fetch_sockets() const;
    std::size_t count() const { return fetch_sockets().size(); }
    void sockets_join(const std::string& room) const;
    void sockets_leave(const std::string& room) const;
    void disconnect_sockets() const;

private:
    friend class socket_ref;

    std::shared_ptr<detail::namespace_state> nsp_;
    std::set<std::string> rooms_;
    std::set<std::string> except_;
    std::optional<std::string> skip_;
    std::optional<std::string> self_;   // the socket an operator from socket_ref skips
    bool is_volatile_ = false;
};

} // namespace corio
