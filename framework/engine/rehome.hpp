#pragma once

#include "engine/plain_websocket_connection.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <optional>

namespace corio::engine::detail {

/// The TCP connection of `from` as a socket on `strand`, or nothing if it
/// cannot be moved (the connection is closed then). A connection accepted on
/// `strand` itself (a new session keeps its HTTP connection's strand) moves
/// as it is, with no system call; any other is rehomed.
std::optional<plain_websocket_connection::socket_type> move_to_strand(boost::asio::ip::tcp::socket from,
                                                                      const session::executor_type& strand);

/// Moves the TCP connection of `from` onto `to`, a socket on the session's
/// strand (Beast's stream has an any_io_executor): released and registered
/// again. False if it cannot: the connection is closed then, whatever step
/// failed (a handle released from `from` and refused by `to` belongs to
/// neither, and is closed here).
bool rehome(boost::asio::ip::tcp::socket from, plain_websocket_connection::socket_type& to);

} // namespace corio::engine::detail
