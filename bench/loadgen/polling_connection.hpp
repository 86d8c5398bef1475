// A Socket.IO client over Engine.IO v4 HTTP long-polling only (it never
// upgrades): the connection behind connection::open for
// transport_kind::polling.
#pragma once

#include "connection.hpp"

namespace loadgen {

/// Opens a long-polling client: the handshake GET (`?EIO=4&transport=polling`),
/// the CONNECT to "/" in a POST, then GETs until its answer, on one keep-alive
/// HTTP/1.1 connection, all within `timeout`.
///
/// Once started, the client keeps one GET waiting on that connection (the
/// server answers it with the packets it has, joined by a record separator)
/// and sends on a second connection, opened on first use: one POST at a
/// time, carrying every packet queued meanwhile, as socket.io-client does.
/// It answers the server's pings with a pong in a POST; a binary packet
/// travels as `b` + base64 either way. close() POSTs Engine.IO's close
/// packet, and the reader ends with the GET the server then answers.
/// Each client holds at most two sockets.
boost::asio::awaitable<open_result> open_polling(const target& t, std::optional<boost::asio::ip::address> source,
                                                 std::chrono::milliseconds timeout);

} // namespace loadgen
