#include "connector.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>

namespace loadgen {

namespace net = boost::asio;

namespace {

/// One open_many() call's state, shared by its launchers and attempts.
struct batch {
    batch(run_context& c, open_plan p, on_open_fn fn, failure_counts& f)
        : ctx(c)
        , plan(p)
        , on_open(std::move(fn))
        , failures(f)
    {
    }

    run_context& ctx;
    const open_plan plan;
    const on_open_fn on_open;
    failure_counts& failures;
    std::atomic<std::uint64_t> next{0};
    std::atomic<std::uint64_t> started{0};
    std::atomic<std::uint64_t> finished{0};
    std::atomic<std::uint64_t> connected{0};
    std::atomic<unsigned> launchers_running{0};
};

net::awaitable<void> attempt(std::shared_ptr<batch> b, std::uint64_t index)
{
    // Per server, the attempts take its source addresses in turn. (No
    // reference bound to a ?: here: g++ 12 mishandles such locals in
    // coroutine frames.)
    const target* where = &b->ctx.targets.front();
    auto nth = index;
    if (b->plan.spread_over_targets) {
        where = &b->ctx.targets[index % b->ctx.targets.size()];
        nth = index / b->ctx.targets.size();
    }
    auto source = where->source_for(nth);
    auto result = co_await connection::open(*where, source, b->ctx.opts.handshake_timeout);
    if (result.conn) {
        b->connected.fetch_add(1, std::memory_order_relaxed);
        auto& observer = b->on_open(index, result.conn, result.latency);
        result.conn->start(observer);
    } else {
        b->failures.add(result.failure);
    }
    b->finished.fetch_add(1);
}

/// Concurrency mode: each worker runs one handshake at a time, so the
/// connections it opens share its executor.
net::awaitable<void> worker(std::shared_ptr<batch> b)
{
    for (;;) {
        if (clock::now() >= b->plan.deadline)
            break;
        auto index = b->next.fetch_add(1);
        if (index >= b->plan.count)
            break;
        b->started.fetch_add(1);
        co_await attempt(b, index);
    }
    b->launchers_running.fetch_sub(1);
}

/// Rate mode: attempts start on a schedule computed from the first one, so
/// timer lateness does not lower the rate; each gets its own executor.
net::awaitable<void> pacer(std::shared_ptr<batch> b)
{
    net::steady_timer timer(co_await net::this_coro::executor);
    auto first = clock::now();
    auto due = [&](std::uint64_t i) {
        return first + std::chrono::duration_cast<clock::duration>(
                           std::chrono::duration<double>(static_cast<double>(i) / b->plan.rate));
    };
    std::uint64_t i = 0;
    while (i < b->plan.count) {
        auto when = due(i);
        if (when >= b->plan.deadline)
            break;
        if (when > clock::now()) {
            timer.expires_at(when);
            co_await timer.async_wait(net::as_tuple(net::use_awaitable));
        }
        auto now = clock::now();
        for (; i < b->plan.count && due(i) <= now; ++i) {
            b->started.fetch_add(1);
            net::co_spawn(b->ctx.make_executor(), attempt(b, i), count_exceptions{&b->ctx.failures});
        }
    }
    b->launchers_running.fetch_sub(1);
}

} // namespace

net::awaitable<open_stats> open_many(run_context& ctx, open_plan plan, on_open_fn on_open, failure_counts& failures)
{
    if (plan.count == 0)
        co_return open_stats{};
    auto b = std::make_shared<batch>(ctx, plan, std::move(on_open), failures);
    if (plan.rate > 0) {
        b->launchers_running = 1;
        net::co_spawn(ctx.make_executor(), pacer(b), count_exceptions{&ctx.failures});
    } else {
        auto workers = static_cast<unsigned>(std::min<std::uint64_t>(std::max(1u, plan.concurrency), plan.count));
        b->launchers_running = workers;
        for (unsigned w = 0; w < workers; ++w)
            net::co_spawn(ctx.make_executor(), worker(b), count_exceptions{&ctx.failures});
    }
    // Attempts started before the deadline finish within the handshake
    // timeout; the extra second only covers scheduling.
    // The predicate holds a plain pointer (`b` keeps the batch alive): g++ 12
    // may destroy a temporary of a co_await expression twice, which for a
    // captured shared_ptr would release the batch early.
    auto until = std::max(plan.deadline, clock::now()) + ctx.opts.handshake_timeout + std::chrono::seconds(1);
    batch* state = b.get();
    std::function<bool()> all_done = [state] {
        return state->launchers_running.load() == 0 && state->finished.load() == state->started.load();
    };
    co_await wait_until(std::move(all_done), until);
    open_stats stats;
    stats.started = b->started.load();
    stats.connected = b->connected.load();
    stats.failed = b->finished.load() - stats.connected;
    co_return stats;
}

} // namespace loadgen
