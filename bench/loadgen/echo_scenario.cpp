#include "echo_scenario.hpp"

#include "ack_window.hpp"
#include "connection_set.hpp"
#include "connector.hpp"
#include "histogram.hpp"
#include "report_values.hpp"
#include "wire.hpp"

#include <boost/asio/dispatch.hpp>

#include <atomic>
#include <climits>
#include <iostream>
#include <vector>

namespace loadgen {

namespace net = boost::asio;
namespace json = boost::json;

namespace {

/// What the clients of one run share.
struct echo_totals {
    run_context& ctx;
    const wire::format parser;
    const std::string arguments; ///< `["echo","xxx…"]`, encoded once
    histogram latency;
    std::atomic<bool> stop{false};
    std::atomic<std::int64_t> emit_budget;  ///< emits left before --max-acks
    std::atomic<std::int64_t> in_flight{0}; ///< emits awaiting their ack
    std::atomic<std::int64_t> window_end_ns{INT64_MAX};
    std::atomic<std::uint64_t> acks{0};
    std::atomic<std::uint64_t> acks_in_window{0};
    std::atomic<std::int64_t> last_ack_ns{0};
    std::atomic<std::uint64_t> closed{0};
    std::atomic<std::uint64_t> dropped{0};

    /// Whether a client may emit once more; counts the emit against --max-acks.
    bool take_emit()
    {
        if (stop.load(std::memory_order_relaxed))
            return false;
        return emit_budget.fetch_sub(1, std::memory_order_relaxed) > 0;
    }
};

/// One client: one `echo` in flight, the next emitted when its ack arrives.
/// Its methods run on its connection's executor.
class echo_client final : public connection_observer {
public:
    explicit echo_client(echo_totals& totals)
        : totals_(totals)
    {
    }

    void attach(std::shared_ptr<connection> conn) { conn_ = std::move(conn); }
    const std::shared_ptr<connection>& conn() const { return conn_; }

    void emit()
    {
        if (!totals_.take_emit())
            return;
        totals_.in_flight.fetch_add(1, std::memory_order_relaxed);
        waiting_ = true;
        sent_at_ = clock::now();
        conn_->send(wire::event_with_ack(totals_.parser, next_id_++, totals_.arguments));
    }

private:
    void on_message(connection&, std::string_view message) override
    {
        auto id = wire::ack_id(totals_.parser, message);
        if (!id)
            return; // an event the app sends on its own (e.g. a welcome) is not load
        if (!waiting_ || *id + 1 != next_id_) {
            totals_.ctx.failures.add("echo: unexpected ack id");
            return;
        }
        auto now = clock::now();
        waiting_ = false;
        totals_.latency.record(now - sent_at_);
        totals_.in_flight.fetch_sub(1, std::memory_order_relaxed);
        totals_.acks.fetch_add(1, std::memory_order_relaxed);
        auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
        if (ns <= totals_.window_end_ns.load(std::memory_order_relaxed))
            totals_.acks_in_window.fetch_add(1, std::memory_order_relaxed);
        auto last = totals_.last_ack_ns.load(std::memory_order_relaxed);
        while (ns > last && !totals_.last_ack_ns.compare_exchange_weak(last, ns, std::memory_order_relaxed)) {
        }
        emit();
    }

    void on_closed(connection&, std::string_view reason) override
    {
        totals_.closed.fetch_add(1);
        if (waiting_) {
            waiting_ = false;
            totals_.in_flight.fetch_sub(1);
        }
        if (!reason.empty()) {
            totals_.dropped.fetch_add(1);
            totals_.ctx.failures.add("echo: disconnected: " + std::string(reason));
        }
    }

    echo_totals& totals_;
    std::shared_ptr<connection> conn_;
    std::uint64_t next_id_ = 0;
    bool waiting_ = false;
    clock::time_point sent_at_{};
};

class echo_scenario final : public scenario {
public:
    explicit echo_scenario(run_context& ctx)
        : ctx_(ctx), totals_{ctx, ctx.opts.parser,
                             wire::string_arguments(ctx.opts.parser, "echo", std::string(ctx.opts.payload, 'x'))}
    {
        totals_.emit_budget = static_cast<std::int64_t>(std::min<std::uint64_t>(ctx.opts.max_acks, INT64_MAX));
        for (std::uint64_t i = 0; i < ctx.opts.clients; ++i)
            clients_.push_back(std::make_unique<echo_client>(totals_));
    }

    net::awaitable<void> run() override;
    std::string progress() const override;
    json::object params() const override;
    json::object metrics() const override;
    std::chrono::milliseconds time_bound() const override;
    bool connected_any() const override { return stats_.connected > 0; }

private:
    run_context& ctx_;
    echo_totals totals_;
    /// Built before any connection opens and never resized, so connections
    /// on different threads touch only their own element.
    std::vector<std::unique_ptr<echo_client>> clients_;
    connection_set open_;
    open_stats stats_;
    std::atomic<std::uint64_t> connected_{0}; ///< stats_.connected, readable while connecting
    std::atomic<bool> running_{false};
    double window_s_ = 0;
    std::uint64_t missing_acks_ = 0;
};

net::awaitable<void> echo_scenario::run()
{
    const auto& o = ctx_.opts;
    open_plan plan{o.clients, o.effective_concurrency(), 0, clock::now() + o.ramp_timeout};
    stats_ = co_await open_many(
        ctx_, plan,
        [this](std::uint64_t index, const std::shared_ptr<connection>& conn, clock::duration) -> connection_observer& {
            clients_[index]->attach(conn);
            open_.add(conn);
            connected_.fetch_add(1);
            return *clients_[index];
        },
        ctx_.failures);
    if (stats_.connected == 0) {
        std::cerr << "echo: no client could connect\n";
        ctx_.ioc.stop();
        co_return;
    }
    std::cerr << "echo: " << stats_.connected << " clients connected; emitting for " << seconds(o.duration) << " s\n";

    auto window = co_await measure_ack_window(totals_, stats_.connected, cpu_, running_, o, [this] {
        for (auto& client : clients_)
            if (client->conn())
                net::dispatch(client->conn()->executor(), [c = client.get()] { c->emit(); });
    });
    window_s_ = window.seconds;
    missing_acks_ = window.missing_acks;
    if (missing_acks_ > 0)
        ctx_.failures.add("echo: no ack within drain", missing_acks_);

    open_.close_all(o.drain);
    co_await wait_until([this] { return totals_.closed.load() >= stats_.connected; }, clock::now() + o.drain);
    ctx_.ioc.stop();
}

std::string echo_scenario::progress() const
{
    return "echo" + std::string(running_.load() ? "[run]" : "") + ": clients " + std::to_string(connected_.load()) +
           ", acks " + std::to_string(totals_.acks.load()) + ", in flight " + std::to_string(totals_.in_flight.load()) +
           ", dropped " + std::to_string(totals_.dropped.load());
}

json::object echo_scenario::params() const
{
    const auto& o = ctx_.opts;
    json::object p{
        {"clients", o.clients},
        {"payload", o.payload},
        {"duration_s", seconds(o.duration)},
        {"concurrency", o.effective_concurrency()},
    };
    p["max_acks"] = o.max_acks == UINT64_MAX ? json::value(nullptr) : json::value(o.max_acks);
    return p;
}

json::object echo_scenario::metrics() const
{
    return {
        {"clients_connected", stats_.connected},
        {"clients_failed", stats_.failed},
        {"acks", totals_.acks.load()},
        {"acks_in_window", totals_.acks_in_window.load()},
        {"window_s", rounded(window_s_)},
        {"acks_per_s", rounded(per_second(totals_.acks_in_window.load(), window_s_), 1)},
        {"latency_ms", totals_.latency.to_json_ms()},
        {"missing_acks", missing_acks_},
        {"dropped", totals_.dropped.load()},
        {"errors", ctx_.failures.total()},
        {"loadgen_cpu_cores", rounded(cpu_.cores())},
    };
}

std::chrono::milliseconds echo_scenario::time_bound() const
{
    const auto& o = ctx_.opts;
    return o.ramp_timeout + o.handshake_timeout + o.duration + 2 * o.drain + std::chrono::seconds(10);
}

} // namespace

std::unique_ptr<scenario> make_echo_scenario(run_context& ctx)
{
    return std::make_unique<echo_scenario>(ctx);
}

} // namespace loadgen
