#pragma once
// A socket on any server of the cluster, as fetch_sockets returns it: its
// description, and the operations that reach it through the adapter.

#include <corio/adapter.hpp>
#include <corio/arguments.hpp>
#include <corio/detail/json_checks.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace corio {

class broadcast_operator;

namespace detail {
class namespace_state;
}

/// socket.io's RemoteSocket: a snapshot of a socket's description, taken
/// when fetch_sockets ran, and operations on that socket wherever it is.
///
/// @par Thread safety
/// Any thread. The operations are fire-and-forget; a socket that left in
/// the meantime is not affected.
class remote_socket {
public:
    const std::string& id() const noexcept { return info_.id; }
    /// socket.io's handshake object (see corio::handshake::describe).
    const boost::json::object& handshake() const noexcept { return info_.handshake; }
    /// Its rooms when fetched, its own id room included.
    const std::vector<std::string>& rooms() const noexcept { return info_.rooms; }
    /// Its shared data (socket_ref::shared_data) when fetched.
    const boost::json::value& data() const noexcept { return info_.data; }

    template <class... Args>
    void emit(std::string_view event, Args&&... args) const
    {
        if constexpr (detail::check_emitted<Args...>())
            emit_arguments(event, arguments::of(std::forward<Args>(args)...));
    }
    void emit_arguments(std::string_view event, arguments args) const;
    void join(std::string room) const;
    void leave(std::string room) const;
    void disconnect(bool close_connection = false) const;

private:
    friend class broadcast_operator;

    remote_socket(std::shared_ptr<detail::namespace_state> nsp, socket_info info)
        : nsp_(std::move(nsp)), info_(std::move(info))
    {
    }
    broadcast_operator only_this() const;

    std::shared_ptr<detail::namespace_state> nsp_;
    socket_info info_;
};

} // namespace corio
