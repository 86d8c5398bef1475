#pragma once
// Awaiting an operation that reports through a callback (the adapter's
// interfaces, a socket's ack): the coroutine resumes on its own executor.

#include <boost/asio/async_result.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <functional>
#include <memory>
#include <utility>

namespace corio::detail {

/// Calls `start(done)` and completes with the value passed to `done`.
/// `done` may be called from any thread; it must be called exactly once
/// (a `done` never called leaves the coroutine suspended for good).
template <class T, class Start>
boost::asio::awaitable<T> await_callback(Start start)
{
    namespace net = boost::asio;
    return net::async_initiate<const net::use_awaitable_t<>&, void(T)>(
        [start = std::move(start)](auto handler) mutable {
            using handler_type = decltype(handler);
            auto shared = std::make_shared<handler_type>(std::move(handler));
            start(std::function<void(T)>([shared](T value) {
                auto ex = net::get_associated_executor(*shared);
                net::post(ex, [shared, value = std::move(value)]() mutable { std::move (*shared)(std::move(value)); });
            }));
        },
        net::use_awaitable);
}

} // namespace corio::detail
