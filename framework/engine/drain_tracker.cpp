#include "engine/drain_tracker.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace corio::engine::detail {

namespace net = boost::asio;

class drain_tracker::token {
public:
    explicit token(std::shared_ptr<drain_tracker> owner) : owner_(std::move(owner)) {}
    ~token() { owner_->release(); }
    token(const token&) = delete;
    token& operator=(const token&) = delete;

private:
    std::shared_ptr<drain_tracker> owner_;
};

std::shared_ptr<void> drain_tracker::hold()
{
    {
        std::lock_guard lock(mutex_);
        ++held_;
    }
    return std::make_shared<token>(shared_from_this());
}

std::size_t drain_tracker::unfinished() const
{
    std::lock_guard lock(mutex_);
    return held_;
}

void drain_tracker::release()
{
    std::vector<std::shared_ptr<net::steady_timer>> wake;
    {
        std::lock_guard lock(mutex_);
        if (--held_ != 0 || waiters_.empty())
            return;
        for (auto& w : waiters_)
            if (auto t = w.lock())
                wake.push_back(std::move(t));
    }
    // A timer belongs to its strand: cancelled there.
    for (auto& t : wake)
        net::post(t->get_executor(), [t] { t->cancel(); });
}

net::awaitable<void> drain_tracker::async_wait_drained(net::io_context& ioc, std::chrono::milliseconds limit)
{
    auto timer = std::make_shared<net::steady_timer>(net::make_strand(ioc), limit);
    co_await net::co_spawn(timer->get_executor(), shared_from_this()->wait(timer), net::use_awaitable);
}

net::awaitable<void> drain_tracker::wait(std::shared_ptr<net::steady_timer> timer)
{
    // Holds the tracker while it waits.
    auto self = shared_from_this();
    {
        std::lock_guard lock(mutex_);
        if (held_ == 0)
            co_return;
        waiters_.push_back(timer);
    }
    co_await timer->async_wait(net::as_tuple(net::use_awaitable));
    std::lock_guard lock(mutex_);
    std::erase_if(waiters_, [&](const std::weak_ptr<net::steady_timer>& w) {
        auto t = w.lock();
        return !t || t == timer;
    });
}

} // namespace corio::engine::detail
