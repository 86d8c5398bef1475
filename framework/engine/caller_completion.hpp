#pragma once
// A completion handler carried to another strand and called there: it hands
// its result back to the executor it came from.

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/prefer.hpp>

#include <tuple>
#include <utility>

namespace corio::engine::detail {

/// Wraps `Handler` (an asynchronous operation's completion handler) for an
/// operation whose work runs on another strand. Called there, once, it
/// dispatches the handler with the arguments onto the handler's associated
/// executor, which it keeps busy (outstanding work) from construction until
/// then, as co_spawn does for its caller. Its own associated executor is the
/// default: whoever holds it runs it where they are.
template <class Handler>
class caller_completion {
public:
    explicit caller_completion(Handler h)
        : work_(boost::asio::prefer(boost::asio::get_associated_executor(h),
                                    boost::asio::execution::outstanding_work.tracked)),
          handler_(std::move(h))
    {
    }

    template <class... Args>
    void operator()(Args&&... args) &&
    {
        auto ex = std::move(work_);
        boost::asio::dispatch(ex, [h = std::move(handler_), args = std::tuple<std::decay_t<Args>...>(
                                                               std::forward<Args>(args)...)]() mutable {
            std::apply(std::move(h), std::move(args));
        });
    }

private:
    using work_type = std::decay_t<decltype(boost::asio::prefer(
        std::declval<boost::asio::associated_executor_t<Handler>>(), boost::asio::execution::outstanding_work.tracked))>;
    work_type work_;
    Handler handler_;
};

} // namespace corio::engine::detail
