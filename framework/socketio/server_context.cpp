#include "socketio/server_context.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace corio::detail {

namespace net = boost::asio;

namespace {

// Waits, on the timer's strand, until the timer expires or is cancelled, or
// at once when no handler runs there (a cancel posted before the wait began
// would be lost).
net::awaitable<void> wait_for_drain(std::shared_ptr<net::steady_timer> timer, const std::atomic<std::size_t>* running)
{
    if (*running == 0)
        co_return;
    co_await timer->async_wait(net::as_tuple(net::use_awaitable));
}

} // namespace

server_context::server_context(net::any_io_executor ex, server_options opts)
    : executor_(std::move(ex)), opts_(std::move(opts))
{
}

server_stats server_context::stats() const
{
    server_stats s;
    s.argument_errors = argument_errors_.load();
    s.handler_errors = handler_errors_.load();
    s.volatile_dropped = volatile_dropped_.load();
    s.attachments_too_large = attachments_too_large_.load();
    s.attachment_timeouts = attachment_timeouts_.load();
    s.namespace_limit_refusals = namespace_limit_refusals_.load();
    s.room_limit_refusals = room_limit_refusals_.load();
    s.ack_limit_refusals = ack_limit_refusals_.load();
    s.events_rate_limited = events_rate_limited_.load();
    s.event_queue_full = event_queue_full_.load();
    s.dynamic_namespaces_removed = dynamic_namespaces_removed_.load();
    s.connects = connects_.load();
    s.connects_refused = connects_refused_.load();
    for (std::size_t i = 0; i < disconnects_.size(); ++i)
        s.disconnects[i] = disconnects_[i].load();
    s.recovery_sessions_kept = recovery_sessions_kept_.load();
    s.recoveries = recoveries_.load();
    s.recoveries_failed = recoveries_failed_.load();
    s.recovery_packets_dropped = recovery_packets_dropped_.load();
    s.recovery_packets_expired = recovery_packets_expired_.load();
    s.recovery_sessions_expired = recovery_sessions_expired_.load();
    broadcast_counts_.for_each([&](const broadcast_counts& c) {
        s.broadcasts += c.broadcasts.load(std::memory_order_relaxed);
        s.broadcast_deliveries += c.deliveries.load(std::memory_order_relaxed);
    });
    s.handler_duration = handler_durations_.snapshot();
    s.ack_round_trip = ack_round_trips_.snapshot();
    return s;
}

void server_context::handler_finished()
{
    if (--running_handlers_ == 0 && shutting_down()) {
        if (auto timer = std::atomic_load(&drained_))
            net::post(timer->get_executor(), [timer] { timer->cancel(); });
    }
}

net::awaitable<void> server_context::drain_handlers(std::chrono::milliseconds deadline)
{
    shutting_down_ = true;
    auto strand = net::make_strand(executor_);
    auto timer = std::make_shared<net::steady_timer>(strand, deadline);
    std::atomic_store(&drained_, timer);
    co_await net::co_spawn(strand, wait_for_drain(timer, &running_handlers_), net::use_awaitable);
}

} // namespace corio::detail
