// Opening a client socket on a chosen loopback source address, shared by the
// WebSocket and the long-polling connections.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include <optional>

namespace loadgen {

/// Opens `socket` for `protocol` and, given a `source`, binds it there with
/// the port left to connect() (IP_BIND_ADDRESS_NO_PORT), so that ports are
/// picked by the full 4-tuple and last far longer than with bind() alone.
/// Returns the first error; the socket may then be half set up (close it).
boost::system::error_code open_bound(boost::asio::ip::tcp::socket& socket, boost::asio::ip::tcp protocol,
                                     std::optional<boost::asio::ip::address> source);

} // namespace loadgen
