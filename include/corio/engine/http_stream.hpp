#pragma once
// The connection an HTTP request came in on, plain TCP or TLS: what an
// http_endpoint writes its answer to, and, for a WebSocket, takes over.

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <memory>

// Declared only, so that this header does not pull OpenSSL's headers into
// every user of the engine: include <boost/beast/ssl/ssl_stream.hpp> to use
// a tls_stream.
namespace boost::beast {
template <class NextLayer> class ssl_stream;
}

namespace corio::engine {

namespace detail {
class held_write_owner;
}

using http_request = boost::beast::http::request<boost::beast::http::string_body>;
using http_response = boost::beast::http::response<boost::beast::http::string_body>;

/// A TLS connection as the listener serves it: Beast's ssl_stream (over
/// OpenSSL) on a tcp_stream, its handshake done.
using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

/// A view of one HTTP connection, made by the listener for the endpoint it
/// routes a request to. It does not own the connection.
///
/// @par Thread safety
/// Use it on the connection's strand only (where the endpoint is called).
///
/// @par Lifetime
/// Valid during the endpoint call it is given to.
class http_stream {
public:
    explicit http_stream(boost::beast::tcp_stream& tcp) noexcept : tcp_(&tcp) {}
    /// Over `tls`, whose TLS handshake is done.
    explicit http_stream(tls_stream& tls) noexcept;

    /// True when the connection is HTTPS (and a WebSocket on it WSS).
    bool is_tls() const noexcept { return tls_ != nullptr; }

    /// The TCP layer: the connection itself, or, under TLS, the layer below
    /// it. Its timeout (expires_after) bounds what follows on either; its
    /// socket gives the addresses. Writing to it directly under TLS would
    /// corrupt the connection: write with async_write.
    boost::beast::tcp_stream& tcp() const noexcept { return *tcp_; }

    /// The TLS layer, or null for plain TCP.
    tls_stream* tls() const noexcept { return tls_; }

    /// Writes `res` whole, through TLS when there is one, within the write
    /// timeout (set_write_timeout; listener_options::write_timeout): past it
    /// the connection is closed and the error is boost::beast::error::timeout.
    /// Returns the error, if any (the connection is then unusable). Leaves no
    /// timeout set on tcp().
    boost::asio::awaitable<boost::system::error_code> async_write(http_response& res);

    /// Bounds each async_write from now on; zero: no bound (the default).
    void set_write_timeout(std::chrono::milliseconds t) noexcept { write_timeout_ = t; }

    /// True once an async_write ran out of time.
    bool write_timed_out() const noexcept { return write_timed_out_; }

    /// The listener's count of this connection (listener_options::
    /// max_connections): an endpoint that takes the connection over
    /// (release_socket, release_tls) keeps this as long as it keeps the
    /// connection, so that the connection stays counted. May be null.
    const std::shared_ptr<void>& hold() const noexcept { return hold_; }
    /// Set by the listener.
    void set_hold(std::shared_ptr<void> h) noexcept { hold_ = std::move(h); }

    /// Takes the TLS connection over (for an endpoint that keeps it, as a
    /// WebSocket does): the listener does nothing more with it, and this
    /// view may not be used again but for released(). Precondition: is_tls().
    tls_stream release_tls();

    /// Takes the TCP socket over (see release_tls). Precondition: !is_tls().
    boost::asio::ip::tcp::socket release_socket();

    /// True once release_tls or release_socket handed the connection over.
    bool released() const noexcept { return released_; }

    /// Closes the connection's socket at once. An answer that async_write
    /// has not sent yet is not sent: the write ends with operation_aborted.
    /// Precondition: !released().
    void close() noexcept;

private:
    boost::beast::tcp_stream* tcp_;
    tls_stream* tls_ = nullptr;
    bool released_ = false;
    bool write_timed_out_ = false;
    std::chrono::milliseconds write_timeout_{0};
    std::shared_ptr<void> hold_;
    // The answer async_write holds for the thread's batch of writes, if any.
    const detail::held_write_owner* held_ = nullptr;
};

} // namespace corio::engine
