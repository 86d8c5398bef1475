#pragma once
// Counts the sessions of one endpoint that have not finished, so that
// server::async_close_all can wait for the last: a session has finished once
// nothing of it may still be written to its client.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

namespace corio::engine::detail {

/// @par Thread safety
/// Every member may be called from any thread.
class drain_tracker : public std::enable_shared_from_this<drain_tracker> {
public:
    /// One more unfinished session, until the returned token and all its
    /// copies are gone. Whatever may still write to the session's client
    /// holds a copy: the session until it owes nothing more, each of its
    /// WebSocket connections until its socket is closed, the long-polling
    /// response that carries its close until it is written.
    std::shared_ptr<void> hold();

    /// Tokens alive.
    std::size_t unfinished() const;

    /// Completes once no token is alive (at once if none is), or after
    /// `limit`. Waits on a strand of `ioc`; resumes on the caller's executor.
    boost::asio::awaitable<void> async_wait_drained(boost::asio::io_context& ioc, std::chrono::milliseconds limit);

private:
    class token;

    void release();
    /// The wait itself, on the timer's strand: a cancel that release posts
    /// there cannot run before the wait has begun.
    boost::asio::awaitable<void> wait(std::shared_ptr<boost::asio::steady_timer> timer);

    mutable std::mutex mutex_;
    std::size_t held_ = 0;
    // Not owned: the waiting coroutine owns its timer.
    std::vector<std::weak_ptr<boost::asio::steady_timer>> waiters_;
};

} // namespace corio::engine::detail
