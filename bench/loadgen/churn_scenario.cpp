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
        attempt_budget_ = static_cast<std::int64_t>(std::min<std::uint64_t>(ctx.opts.max_cycles, INT64_MAX));
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
    std::optional<std::uint64_t> rss_start_;
    std::optional<std::uint64_t> rss_end_;
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

net::awaitable<void> churn_scenario::run()
{
    const auto& o = ctx_.opts;
    if (o.server_pid())
        rss_start_ = read_rss_kib(*o.server_pid());

    auto workers = o.effective_concurrency();
    std::cerr << "churn: " << workers << " loops for " << seconds(o.duration) << " s\n";
    cpu_.start();
    auto start = clock::now();
    workers_running_ = workers;
    for (unsigned w = 0; w < workers; ++w)
        net::co_spawn(ctx_.make_executor(), worker(this), count_exceptions{&ctx_.failures});
    co_await wait_until([this] { return stop_.load() || workers_running_.load() == 0; }, start + o.duration);
    stop_ = true;
    cpu_.stop();
    window_s_ = seconds(clock::now() - start);
    cycles_in_window_ = cycles_.load();

    // A cycle in progress ends within a handshake timeout plus a close timeout.
    co_await wait_until([this] { return workers_running_.load() == 0; },
                        clock::now() + 2 * o.handshake_timeout + std::chrono::seconds(1));
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
    };
    p["max_cycles"] = o.max_cycles == UINT64_MAX ? json::value(nullptr) : json::value(o.max_cycles);
    return p;
}

json::object churn_scenario::metrics() const
{
    std::optional<double> growth;
    if (rss_start_ && rss_end_ && *rss_start_ > 0)
        growth = (static_cast<double>(*rss_end_) - static_cast<double>(*rss_start_)) * 100.0 /
                 static_cast<double>(*rss_start_);
    return {
        {"cycles", cycles_.load()},
        {"cycles_in_window", cycles_in_window_},
        {"window_s", rounded(window_s_)},
        {"cycles_per_s", rounded(per_second(cycles_in_window_, window_s_), 1)},
        {"failed", failed_.load()},
        {"handshake_latency_ms", latency_.to_json_ms()},
        {"server_rss_kib", json::object{{"start", or_null(rss_start_)}, {"end", or_null(rss_end_)}}},
        {"rss_growth_pct", or_null(growth)},
        {"loadgen_cpu_cores", rounded(cpu_.cores())},
    };
}

std::chrono::milliseconds churn_scenario::time_bound() const
{
    const auto& o = ctx_.opts;
    return o.duration + 2 * o.handshake_timeout + o.settle + std::chrono::seconds(10);
}

} // namespace

std::unique_ptr<scenario> make_churn_scenario(run_context& ctx)
{
    return std::make_unique<churn_scenario>(ctx);
}

} // namespace loadgen
