#pragma once
// The command connection: one TCP or Unix connection to Redis, pipelined,
// that reconnects by itself.

#include <corio/redis/connection_options.hpp>
#include <corio/redis/error.hpp>
#include <corio/redis/reply.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/system/result.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace corio::redis {

/// Sends commands to Redis and hands back their replies, in order.
///
/// Commands are pipelined: each is written as soon as the previous write
/// completed, without waiting for replies. After start(), the connection
/// connects (AUTH, SELECT) and reconnects with backoff whenever it drops,
/// until close(). While disconnected, commands are queued up to
/// connection_options::max_queued_bytes and sent on reconnect.
///
/// @par Thread safety
/// Every member may be called from any thread. Callbacks run on the
/// connection's strand, in the order the commands were given.
///
/// @par Lifetime
/// Held by shared_ptr; pending operations keep it alive until close().
class connection {
public:
    using callback = std::function<void(boost::system::result<reply>)>;

    static std::shared_ptr<connection> create(boost::asio::any_io_executor ex, connection_options opts);
    virtual ~connection() = default;

    /// Starts connecting (and reconnecting) in the background.
    virtual void start() = 0;
    /// Stops for good: pending commands fail with error::closed, and the
    /// socket closes.
    virtual void close() = 0;

    /// Sends one command (`args`: the command name, then its arguments, each
    /// binary-safe). `done` gets the reply (an error reply of Redis is a
    /// reply of kind::error, not a failure), or fails with:
    /// - error::not_connected, when disconnected and the queue is full;
    /// - error::connection_lost, when the connection dropped after sending;
    /// - error::closed, after close().
    virtual void exec(std::vector<std::string> args, callback done) = 0;

    /// The executor the connection was created with (its strand's inner one).
    virtual boost::asio::any_io_executor get_executor() const = 0;

    /// Whether the connection is up (connected, AUTH and SELECT done).
    virtual bool connected() const noexcept = 0;
    /// Called on every change: true once (re)connected, false once lost.
    /// Set before start().
    virtual void on_state(std::function<void(bool up)> handler) = 0;

    /// exec as an asynchronous operation completing with
    /// (error_code, reply).
    template <class CompletionToken>
    auto async_exec(std::vector<std::string> args, CompletionToken&& token)
    {
        return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code, reply)>(
            [this](auto handler, std::vector<std::string> a) {
                exec(std::move(a), [h = std::make_shared<decltype(handler)>(std::move(handler))](
                                       boost::system::result<reply> r) mutable {
                    if (r)
                        std::move(*h)(boost::system::error_code{}, std::move(*r));
                    else
                        std::move(*h)(r.error(), reply{});
                });
            },
            token, std::move(args));
    }
};

} // namespace corio::redis
