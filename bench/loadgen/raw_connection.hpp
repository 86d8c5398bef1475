// The client behind connection::open for a plain ws:// target without
// permessage-deflate: the upgrade request written by hand and WebSocket
// frames of our own (client_frames.hpp) on an Asio socket, with completion
// handlers rather than a coroutine per message. Beast's WebSocket stream,
// which the TLS and deflate clients keep, cost the load generator more
// instructions per echo than the server it measured.
#pragma once

#include "connection.hpp"

namespace loadgen {

/// Opens a WebSocket client as connection::open does (the same phases and
/// failure reasons), over plain TCP.
boost::asio::awaitable<open_result> open_raw_websocket(const target& t, std::optional<boost::asio::ip::address> source,
                                                       std::chrono::milliseconds timeout);

} // namespace loadgen
