#include "churn_scenario.hpp"

#include "connection.hpp"
#include "histogram.hpp"
#include "report_values.hpp"

#include <boost/asio/co_spawn.hpp>

#include <atomic>
#include <climits>
#include <iostream>

namespace loadgen {

namespace net = boost::asio;
namespace json = boost::json;

namespace {

/// After a failed attempt a worker pauses this long, so that a refusing
/// server does not turn the loop into a busy spin.
constexpr auto failure_backoff = std::chrono::milliseconds(10);

class churn_scenario final : public scenario {
public:
    explicit churn_scenario(run_context& ctx)
        : ctx_(ctx)
    {
    }

    net::awaitable<void> run() override;
    std::string progress() const override;
    json::object params() const override;
    json::object metrics() const override;
    std::chrono::milliseconds time_bound() const override;
    bool connected_any() const override { return latency_.count() > 0; }

private:
    /// One loop of connect → `40{` → close until the run stops. `self`
    /// outlives the io_context's run (scenario lifetime contract).
    static net::awaitable<void> worker(churn_scenario* self);
    /// Starts `workers` loops allowed `budget` attempts in all.
    void start_loops(unsigned workers, std::uint64_t budget);
    /// Stops the loops and waits for the cycles in progress to end (within
    /// a handshake timeout plus a close timeout).
    net::awaitable<void> stop_loops();

    run_context& ctx_;
    histogram latency_;
    std::atomic<bool> stop_{false};
    std::atomic<std::int64_t> attempt_budget_{0}; ///< attempts left before --max-cycles
    std::atomic<std::uint64_t> attempts_{0};
    std::atomic<std::uint64_t> cycles_{0};
    std::atomic<std::uint64_t> failed_{0};
    std::atomic<unsigned> workers_running_{0};
    std::uint64_t cycles_in_window_ = 0;
    double window_s_ = 0;
    std::optional<std::uint64_t> rss_cold_; // before the warm-up
    std::optional<std::uint64_t> rss_start_;
    std::optional<std::uint64_t> rss_end_;
    std::uint64_t warmup_cycles_ = 0;
    std::uint64_t warmup_failed_ = 0;
};

net::awaitable<void> churn_scenario::worker(churn_scenario* self)
{
    auto& ctx = self->ctx_;
    while (!self->stop_.load(std::memory_order_relaxed)) {
        if (self->attempt_budget_.fetch_sub(1) <= 0) {
            self->stop_ = true;
            break;
        }
        auto index = self->attempts_.fetch_add(1);
        auto result = co_await connection::open(ctx.tgt(), ctx.tgt().source_for(index), ctx.opts.handshake_timeout);
        if (!result.conn) {
            self->failed_.fetch_add(1);
            ctx.failures.add(result.failure);
            co_await sleep_for(failure_backoff);
            continue;
        }
        self->latency_.record(result.latency);
        auto ec = co_await result.conn->close_now(ctx.opts.handshake_timeout);
        if (ec) {
            self->failed_.fetch_add(1);
            ctx.failures.add("ws_close: " + ec.message());
            continue;
        }
        self->cycles_.fetch_add(1);
    }
    self->workers_running_.fetch_sub(1);
}

void churn_scenario::start_loops(unsigned workers, std::uint64_t budget)
{
    stop_ = false;
    attempt_budget_ = static_cast<std::int64_t>(std::min<std::uint64_t>(budget, INT64_MAX));
    workers_running_ = workers;
    for (unsigned w = 0; w < workers; ++w)
        net::co_spawn(ctx_.make_executor(), worker(this), count_exceptions{&ctx_.failures});
}

net::awaitable<void> churn_scenario::stop_loops()
{
    stop_ = true;
    co_await wait_until([this] { return workers_running_.load() == 0; },
                        clock::now() + 2 * ctx_.opts.handshake_timeout + std::chrono::seconds(1));
}

net::awaitable<void> churn_scenario::run()
{
    const auto& o = ctx_.opts;
    auto workers = o.effective_concurrency();
    if (o.server_pid())
        rss_cold_ = read_rss_kib(*o.server_pid());
    if (o.warmup.count() > 0) {
        // The same churn, unmeasured; its cycles and failures are reported
        // apart from the measured run's.
        std::cerr << "churn: warm-up, " << workers << " loops for " << seconds(o.warmup) << " s\n";
        start_loops(workers, UINT64_MAX);
        co_await wait_until([this] { return workers_running_.load() == 0; }, clock::now() + o.warmup);
        co_await stop_loops();
        warmup_cycles_ = cycles_.exchange(0);
        warmup_failed_ = failed_.exchange(0);
        attempts_ = 0;
        if (o.server_pid())
            co_await sleep_for(o.settle); // as before the final reading
    }
    if (o.server_pid())
        rss_start_ = o.warmup.count() > 0 ? read_rss_kib(*o.server_pid()) : rss_cold_;

    std::cerr << "churn: " << workers << " loops for " << seconds(o.duration) << " s\n";
    cpu_.start();
    auto start = clock::now();
    start_loops(workers, o.max_cycles);
    co_await wait_until([this] { return stop_.load() || workers_running_.load() == 0; }, start + o.duration);
    stop_ = true;
    cpu_.stop();
    window_s_ = seconds(clock::now() - start);
    cycles_in_window_ = cycles_.load();

    co_await stop_loops();
    std::cerr << "churn: done, " << cycles_.load() << " cycles\n";
    if (o.server_pid()) {
        // Let the server finish its closes and timers before measuring.
        co_await sleep_for(o.settle);
        rss_end_ = read_rss_kib(*o.server_pid());
    }
    ctx_.ioc.stop();
}

std::string churn_scenario::progress() const
{
    return "churn: cycles " + std::to_string(cycles_.load()) + ", failed " + std::to_string(failed_.load());
}

json::object churn_scenario::params() const
{
    const auto& o = ctx_.opts;
    json::object p{
        {"duration_s", seconds(o.duration)},
        {"concurrency", o.effective_concurrency()},
        {"settle_s", seconds(o.settle)},
        {"warmup_s", seconds(o.warmup)},
    };
    p["max_cycles"] = o.max_cycles == UINT64_MAX ? json::value(nullptr) : json::value(o.max_cycles);
    return p;
}

json::object churn_scenario::metrics() const
{
    auto growth_pct = [](std::optional<std::uint64_t> from, std::optional<std::uint64_t> to) -> std::optional<double> {
        if (!from || !to || *from == 0)
            return std::nullopt;
        return (static_cast<double>(*to) - static_cast<double>(*from)) * 100.0 / static_cast<double>(*from);
    };
    // rss_growth_pct: over the measured run, from the warm-up's end when
    // there was one. The warm-up's own growth (cold start to baseline) is
    // reported apart.
    auto growth = growth_pct(rss_start_, rss_end_);
    std::optional<double> warmup_growth;
    if (ctx_.opts.warmup.count() > 0)
        warmup_growth = growth_pct(rss_cold_, rss_start_);
    return {
        {"cycles", cycles_.load()},
        {"cycles_in_window", cycles_in_window_},
        {"window_s", rounded(window_s_)},
        {"cycles_per_s", rounded(per_second(cycles_in_window_, window_s_), 1)},
        {"failed", failed_.load()},
        {"handshake_latency_ms", latency_.to_json_ms()},
        {"server_rss_kib",
         json::object{{"cold", or_null(rss_cold_)}, {"start", or_null(rss_start_)}, {"end", or_null(rss_end_)}}},
        {"rss_growth_pct", or_null(growth)},
        {"warmup_cycles", warmup_cycles_},
        {"warmup_failed", warmup_failed_},
        {"warmup_rss_growth_pct", or_null(warmup_growth)},
        {"loadgen_cpu_cores", rounded(cpu_.cores())},
    };
}

std::chrono::milliseconds churn_scenario::time_bound() const
{
    const auto& o = ctx_.opts;
    auto bound = o.duration + 2 * o.handshake_timeout + o.settle + std::chrono::seconds(10);
    if (o.warmup.count() > 0)
        bound += o.warmup + 2 * o.handshake_timeout + std::chrono::seconds(1) + o.settle;
    return bound;
}

} // namespace

std::unique_ptr<scenario> make_churn_scenario(run_context& ctx)
{
    return std::make_unique<churn_scenario>(ctx);
}

} // namespace loadgen
