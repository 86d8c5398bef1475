#pragma once
// What a listener routes requests to: something that answers HTTP at one
// path. engine::server is one (an Engine.IO endpoint); a status or metrics
// page could be another.

#include <corio/engine/http_stream.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <cstddef>
#include <string>

namespace corio::engine {

/// One path on a listener (listener::add).
///
/// @par Thread safety
/// The listener calls it from many connections at once, each on its own
/// strand; every member must allow that.
///
/// @par Lifetime
/// The listener holds it (shared) while any of its connections may call it.
class http_endpoint {
public:
    /// A connection's strand: the executor of the stream a call is given.
    using strand_type = boost::asio::strand<boost::asio::io_context::executor_type>;

    virtual ~http_endpoint() = default;

    /// The request path it answers, with its trailing slash ("/engine.io/"
    /// also answers "/engine.io"). Must not change once added to a listener.
    virtual const std::string& path() const noexcept = 0;

    /// Whether it also answers every path below path() (which must end in
    /// '/' then), as a directory of files does.
    virtual bool serves_below() const noexcept { return false; }

    /// The largest request body it takes. A larger one is not read: the
    /// request goes to handle_oversized.
    virtual std::size_t body_limit() const noexcept = 0;

    /// A request (not a WebSocket upgrade) whose body has been read. Writes
    /// the answer to `stream` (plain or TLS: http_stream::async_write), and
    /// returns whether the connection may carry another request (false after
    /// a write error or a `Connection: close`). Runs on the connection's
    /// strand, with no timeout set on `stream`; it may co_await, which holds
    /// up only this connection. `remote_address` is the peer's IP address.
    virtual boost::asio::awaitable<bool> handle_request(http_stream& stream, http_request req,
                                                        std::string remote_address) = 0;

    /// A request whose body is over body_limit (only its header was read):
    /// the answer, which the listener writes before it closes the
    /// connection. Runs on the connection's strand. By default: 413.
    virtual http_response handle_oversized(const http_request& req);

    /// A WebSocket upgrade request (its header is the whole request). Takes
    /// over the connection: the listener does nothing more with `stream`
    /// after this returns, and destroys it then, so an endpoint that keeps
    /// the connection takes it first (http_stream::release_socket, or
    /// release_tls over TLS, where the TLS handshake is done already).
    /// `strand` is the connection's strand; `handshake_timeout` bounds the
    /// WebSocket opening handshake. By default: answered by handle_request,
    /// then the connection ends.
    virtual boost::asio::awaitable<void> handle_websocket(http_stream& stream, http_request req,
                                                          std::string remote_address, strand_type strand,
                                                          std::chrono::seconds handshake_timeout);
};

} // namespace corio::engine
