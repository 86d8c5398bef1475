#pragma once

#include "engine/plain_websocket_connection.hpp"

#include <boost/asio/ip/tcp.hpp>

namespace corio::engine::detail {

/// Moves the TCP connection of `from` onto `to`, a socket on the session's
/// strand (Beast's stream has an any_io_executor). False if it cannot: the
/// connection is closed then, whatever step failed (a handle released from
/// `from` and refused by `to` belongs to neither, and is closed here).
bool rehome(boost::asio::ip::tcp::socket from, plain_websocket_connection::socket_type& to);

} // namespace corio::engine::detail
