#include "socketio/background_tasks.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>

namespace corio::detail {

namespace net = boost::asio;

void background_tasks::spawn(std::function<net::awaitable<void>()> work)
{
    // Each task runs on a strand of its own, where its cancellation signal
    // is emitted too (signals are not thread safe).
    auto slot = std::make_shared<task>(net::make_strand(context_->executor()));
    std::list<std::shared_ptr<task>>::iterator it;
    {
        std::lock_guard lock(mutex_);
        it = tasks_.insert(tasks_.end(), slot);
    }
    // The task's own function object must outlive its coroutine frame.
    auto owned = std::make_shared<std::function<net::awaitable<void>()>>(std::move(work));
    net::co_spawn(
        slot->strand, [owned]() { return (*owned)(); },
        net::bind_cancellation_slot(slot->signal.slot(), [self = shared_from_this(), it, owned](std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const boost::system::system_error& err) {
                    if (err.code() != net::error::operation_aborted)
                        self->context_->log(
                            {.level = log_level::error, .message = "background task failed", .error = err.what()});
                } catch (const std::exception& err) {
                    self->context_->log(
                        {.level = log_level::error, .message = "background task failed", .error = err.what()});
                }
            }
            std::lock_guard lock(self->mutex_);
            self->tasks_.erase(it);
        }));
}

void background_tasks::cancel_all()
{
    std::lock_guard lock(mutex_);
    for (auto& t : tasks_)
        net::dispatch(t->strand, [t] { t->signal.emit(net::cancellation_type::terminal); });
}

} // namespace corio::detail
