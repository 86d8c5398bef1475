#pragma once
// Background tasks of a server (server::spawn): each on a strand of its own,
// all cancelled at shutdown.

#include "socketio/server_context.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/strand.hpp>

#include <functional>
#include <list>
#include <memory>
#include <mutex>

namespace corio::detail {

/// @par Thread safety
/// Any thread.
class background_tasks : public std::enable_shared_from_this<background_tasks> {
public:
    explicit background_tasks(std::shared_ptr<server_context> context) : context_(std::move(context)) {}

    /// Runs `task`; a failure other than cancellation is logged.
    void spawn(std::function<boost::asio::awaitable<void>()> task);
    /// Cancels every running task (terminal cancellation).
    void cancel_all();

private:
    struct task {
        explicit task(boost::asio::strand<boost::asio::any_io_executor> s) : strand(std::move(s)) {}
        boost::asio::strand<boost::asio::any_io_executor> strand;
        boost::asio::cancellation_signal signal;
    };

    std::shared_ptr<server_context> context_;
    std::mutex mutex_;
    std::list<std::shared_ptr<task>> tasks_;
};

} // namespace corio::detail
