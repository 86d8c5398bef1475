// One keep-alive HTTP/1.1 client connection, as long-polling uses two of:
// one request at a time, the connection opened on first use and opened
// again when the server ends it.
#pragma once

#include "target.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace loadgen {

/// The outcome of http_channel::exchange().
struct http_reply {
    boost::system::error_code ec; ///< set when no answer came
    std::string failure;          ///< "phase: reason" when ec is set
    unsigned status = 0;          ///< the HTTP status otherwise
    std::string body;
};

/// A server may end a kept-alive connection at any time between requests:
/// with `Connection: close` on an answer (Corio after
/// max_requests_per_connection), or by closing one idle for a while (Node's
/// keepAliveTimeout, 5 s). The channel then opens a new connection for the
/// next request, as browsers do; a request never goes on a connection that
/// has been idle for longer than `reuse_limit`, which would race the
/// server's idle close.
///
/// @par Thread Safety
/// Not thread safe: every call on the owner's executor, one exchange at a
/// time.
///
/// @par Lifetime
/// `t` must outlive the channel; an exchange in progress must not outlive
/// it (its owner's coroutine keeps the owner, and so the channel, alive).
class http_channel {
public:
    /// Idle longer than this, the connection is replaced before a request.
    static constexpr std::chrono::seconds reuse_limit{4};

    http_channel(boost::asio::any_io_executor executor, const target& t, std::optional<boost::asio::ip::address> source);

    /// Sends one request for `resource` (a POST with `body` as text/plain)
    /// and reads its answer, opening the connection first if needed. The
    /// whole exchange must end by `deadline` (nullopt: no bound), else it
    /// fails with beast::error::timeout. After shutdown() it fails at once.
    boost::asio::awaitable<http_reply> exchange(boost::beast::http::verb verb, std::string resource, std::string body,
                                                std::optional<std::chrono::steady_clock::time_point> deadline);

    /// Closes the connection for good: an exchange in progress fails, and
    /// so does every later one.
    void shutdown();

private:
    void reset();

    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
    const target& target_;
    const std::optional<boost::asio::ip::address> source_;
    std::chrono::steady_clock::time_point last_used_{};
    bool connected_ = false;
    bool shut_ = false;
};

} // namespace loadgen
