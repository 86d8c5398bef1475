#pragma once
// corio::sleep: waiting in a coroutine without holding a thread.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <type_traits>

namespace corio {

/// Suspends the calling coroutine for `duration`, Flask-SocketIO's
/// `socketio.sleep`: `co_await corio::sleep(1s);` in a background task
/// (server::spawn) or a coroutine handler. The thread runs other work
/// meanwhile; never call std::this_thread::sleep_for there.
///
/// Runs on the awaiting coroutine's executor (a handler resumes on its
/// socket's strand, a spawned task on its own).
///
/// @par Cancellation
/// When the awaiting coroutine is cancelled (server::shutdown cancels
/// spawned tasks; a handler's socket left; the other side of an awaitable
/// `||` finished first), the wait ends at once and throws
/// boost::system::system_error with boost::asio::error::operation_aborted,
/// which ends a spawned task or a handler quietly.
inline boost::asio::awaitable<void> sleep(std::chrono::steady_clock::duration duration)
{
    auto executor = co_await boost::asio::this_coro::executor;
    boost::asio::steady_timer timer(executor, duration);
    co_await timer.async_wait(boost::asio::use_awaitable);
}

/// A fractional duration (`corio::sleep(0.5s)`), rounded up to the clock's
/// resolution.
template <class Rep, class Period>
    requires std::is_floating_point_v<Rep>
boost::asio::awaitable<void> sleep(std::chrono::duration<Rep, Period> duration)
{
    return sleep(std::chrono::ceil<std::chrono::steady_clock::duration>(duration));
}

} // namespace corio
