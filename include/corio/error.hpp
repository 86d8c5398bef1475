#pragma once
// Errors of the Socket.IO layer.

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <type_traits>

namespace corio {

enum class error {
    ack_timeout = 1,     ///< no acknowledgement within the timeout
    socket_disconnected, ///< the socket left before it acknowledged
    invalid_arguments,   ///< event arguments did not convert to the handler's types
    cluster_timeout,     ///< not every server replied to a cluster request in time
    cluster_unavailable, ///< the adapter cannot reach the other servers
    too_many_rooms,        ///< the socket is in socket_limits::max_rooms_per_socket rooms already
    too_many_pending_acks, ///< the socket has socket_limits::max_pending_acks acks awaited already
};

const boost::system::error_category& socketio_category() noexcept;
boost::system::error_code make_error_code(error e) noexcept;

} // namespace corio

template <>
struct boost::system::is_error_code_enum<corio::error> : std::true_type {};
