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
};

const boost::system::error_category& socketio_category() noexcept;
boost::system::error_code make_error_code(error e) noexcept;

} // namespace corio

template <>
struct boost::system::is_error_code_enum<corio::error> : std::true_type {};
