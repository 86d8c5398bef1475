#include "cluster_link.hpp"

#include "cluster_hub.hpp"

#include <corio/error.hpp>

#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <limits>

namespace corio::redis::detail {

/// How many of the other servers replied to a timed request, and how many
/// will (known once the request is published).
struct request_progress {
    std::atomic<std::size_t> replies = 0;
    std::atomic<std::size_t> expected = std::numeric_limits<std::size_t>::max();
};

void cluster_link::count_reply(const pending& p) noexcept
{
    if (p.progress)
        p.progress->replies.fetch_add(1, std::memory_order_relaxed);
}

void cluster_link::count_if_unanswered(const pending& p) const noexcept
{
    if (p.progress &&
        p.progress->replies.load(std::memory_order_relaxed) < p.progress->expected.load(std::memory_order_relaxed))
        hub_->count_request_timeout();
}

cluster_link::cluster_link(std::shared_ptr<cluster_hub> hub, std::string nsp, redis_adapter& owner)
    : hub_(std::move(hub)), nsp_(std::move(nsp)), owner_(&owner)
{
}

void cluster_link::detach()
{
    unsubscribe_all();
    std::unique_lock lock(owner_mutex_);
    owner_ = nullptr;
}

void cluster_link::fail_sinks(const pending& p, boost::system::error_code ec)
{
    if (auto s = p.fetch.lock())
        s->fail(ec);
    if (auto s = p.emit.lock())
        s->fail(ec);
    if (auto s = p.acks.lock())
        s->fail(ec);
}

std::optional<std::string> cluster_link::add_pending(pending p, bool timed)
{
    if (!hub_->reachable()) {
        fail_sinks(p, corio::error::cluster_unavailable);
        return std::nullopt;
    }
    auto id = hub_->make_id();
    {
        std::lock_guard lock(pending_mutex_);
        // Requests end by their sinks' deadlines; forget the ended ones.
        std::erase_if(pending_, [this](const auto& e) {
            bool ended = e.second.fetch.expired() && e.second.emit.expired() && e.second.acks.expired();
            if (ended)
                count_if_unanswered(e.second);
            return ended;
        });
        if (timed)
            p.progress = std::make_shared<request_progress>();
        pending_[id] = std::move(p);
    }
    if (!timed)
        return id;
    auto timer =
        std::make_shared<boost::asio::steady_timer>(hub_->get_executor(), hub_->settings().requests_timeout);
    timer->async_wait([timer, weak = weak_from_this(), id](boost::system::error_code ec) {
        if (ec)
            return;
        if (auto self = weak.lock())
            self->time_out(id);
    });
    return id;
}

std::optional<cluster_link::pending> cluster_link::find_pending(const std::string& id) const
{
    std::lock_guard lock(pending_mutex_);
    auto it = pending_.find(id);
    if (it == pending_.end())
        return std::nullopt;
    return it->second;
}

void cluster_link::time_out(const std::string& id)
{
    pending p;
    {
        std::lock_guard lock(pending_mutex_);
        auto it = pending_.find(id);
        if (it == pending_.end())
            return;
        p = std::move(it->second);
        pending_.erase(it);
    }
    count_if_unanswered(p);
    fail_sinks(p, corio::error::cluster_timeout);
}

void cluster_link::fail_pending(const std::string& id, boost::system::error_code ec)
{
    pending p;
    {
        std::lock_guard lock(pending_mutex_);
        auto it = pending_.find(id);
        if (it == pending_.end())
            return;
        p = std::move(it->second);
        pending_.erase(it);
    }
    fail_sinks(p, ec);
}

bool cluster_link::is_own_request(std::string_view id) const
{
    std::lock_guard lock(pending_mutex_);
    return pending_.contains(std::string(id));
}

void cluster_link::send_request(std::string id, std::string channel, std::string payload,
                                std::function<void(std::size_t)> sent)
{
    // The lambda gets its own copy of the channel: server_count reads the
    // argument after the lambda is built.
    hub_->server_count(channel, [self = shared_from_this(), id = std::move(id), channel, payload = std::move(payload),
                                 sent = std::move(sent)](boost::system::result<std::size_t> servers) mutable {
        if (!servers) {
            self->fail_pending(id, servers.error());
            return;
        }
        auto n = *servers;
        self->hub_->publish(std::move(channel), std::move(payload),
                            [self, id, n, sent = std::move(sent)](boost::system::error_code ec) {
                                if (ec) {
                                    self->fail_pending(id, ec);
                                    return;
                                }
                                if (auto p = self->find_pending(id); p && p->progress)
                                    p->progress->expected.store(n > 0 ? n - 1 : 0, std::memory_order_relaxed);
                                sent(n);
                            });
    });
}

} // namespace corio::redis::detail
