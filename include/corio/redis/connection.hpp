#pragma once
// The command connection: one TCP or Unix connection to Redis, pipelined,
// that reconnects by itself.

#include <corio/redis/connection_options.hpp>
#include <corio/redis/error.hpp>
#include <corio/redis/reply.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
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
/// connection's strand, in the order the commands were given (except that a
/// command refused with error::not_connected fails at once, ahead of the
/// commands queued before it).
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
    /// socket closes. It runs on the connection's strand: run the
    /// io_context until then (their callbacks may hold this connection).
    virtual void close() = 0;

    /// Sends one command (`args`: the command name, then its arguments, each
    /// binary-safe). `done` gets the reply (an error reply of Redis is a
    /// reply of kind::error, not a failure), or fails with:
    /// - error::not_connected, when disconnected and the queue is full;
    /// - error::connection_lost, when the connection dropped after sending;
    /// - error::closed, after close().
    /// @throws std::invalid_argument when `args` is empty (Redis would not
    /// answer it, and every later reply would go to the wrong command).
    virtual void exec(std::vector<std::string> args, callback done) = 0;
    /// As exec, but never queued while disconnected: if the connection is
    /// not up when the command reaches its strand, `done` fails with
    /// error::not_connected. For what is worthless late: a Pub/Sub message
    /// queued while Redis was away would be published after the reconnect,
    /// out of its time (connected() may still say true when the caller asks,
    /// before the connection has seen the drop).
    virtual void exec_if_connected(std::vector<std::string> args, callback done) = 0;

    /// The executor the connection was created with (its strand's inner one).
    virtual boost::asio::any_io_executor get_executor() const = 0;

    /// Whether the connection is up (connected, AUTH and SELECT done).
    virtual bool connected() const noexcept = 0;
    /// Times the connection came back up after it was lost (the first
    /// connect is not counted). Any thread.
    virtual std::uint64_t reconnects() const noexcept = 0;
    /// Called on every change: true once (re)connected, false once lost.
    /// Set before start().
    virtual void on_state(std::function<void(bool up)> handler) = 0;

    /// exec as an asynchronous operation completing with
    /// (error_code, reply). The completion runs on the handler's associated
    /// executor (a coroutine resumes on its own executor, not on the
    /// connection's strand), which is kept busy meanwhile.
    template <class CompletionToken>
    auto async_exec(std::vector<std::string> args, CompletionToken&& token)
    {
        return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code, reply)>(
            [this](auto handler, std::vector<std::string> a) {
                using handler_type = decltype(handler);
                auto ex = boost::asio::get_associated_executor(handler);
                struct pending {
                    handler_type handler;
                    boost::asio::executor_work_guard<decltype(ex)> work;
                };
                // Shared: a std::function must be copyable, the handler need not be.
                auto p = std::make_shared<pending>(pending{std::move(handler), boost::asio::make_work_guard(ex)});
                exec(std::move(a), [p](boost::system::result<reply> r) {
                    boost::system::error_code ec;
                    reply value;
                    if (r)
                        value = std::move(*r);
                    else
                        ec = r.error();
                    auto work_ex = p->work.get_executor();
                    boost::asio::dispatch(work_ex, [p, ec, value = std::move(value)]() mutable {
                        p->work.reset();
                        std::move(p->handler)(ec, std::move(value));
                    });
                });
            },
            token, std::move(args));
    }
};

} // namespace corio::redis
