#pragma once
// Errors of the Redis client.

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace corio::redis {

enum class error {
    invalid_url = 1,   ///< not a redis:// or unix:// URL this client understands
    not_connected,     ///< disconnected, and the command did not fit in the queue kept meanwhile
    connection_lost,   ///< the connection dropped after the command was sent: it may or may not have run
    protocol_error,    ///< the server sent bytes that are not RESP
    closed,            ///< the connection was closed by close()
};

const boost::system::error_category& redis_category() noexcept;
boost::system::error_code make_error_code(error e) noexcept;

} // namespace corio::redis

template <>
struct boost::system::is_error_code_enum<corio::redis::error> : std::true_type {};
