#include "fanout_scenario.hpp"

#include "connection_set.hpp"
#include "connector.hpp"
#include "histogram.hpp"
#include "report_values.hpp"
#include "wire.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <iostream>

namespace loadgen {

namespace net = boost::asio;
namespace json = boost::json;

namespace {

constexpr std::string_view join_event = R"(["join","bench"])";
constexpr std::uint64_t join_ack_id = 0;

/// What the receivers and the emitter of one run share.
struct fanout_totals {
    fanout_totals(run_context& c, std::uint64_t sequences)
        : ctx(c)
        , sequence_count(sequences)
        , per_sequence(std::make_unique<std::atomic<std::uint32_t>[]>(sequences))
    {
    }

    run_context& ctx;
    histogram latency;
    const std::uint64_t sequence_count;
    /// Deliveries per broadcast sequence number, to find incomplete and
    /// duplicated broadcasts, not just a total.
    std::unique_ptr<std::atomic<std::uint32_t>[]> per_sequence;
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> receivers_connected{0};
    std::atomic<std::uint64_t> joined{0};
    std::atomic<std::uint64_t> broadcasts{0}; ///< sent
    std::atomic<std::uint64_t> acked{0};
    std::atomic<std::uint64_t> deliveries{0};
    std::atomic<std::int64_t> first_send_ns{0};
    std::atomic<std::int64_t> last_delivery_ns{0};
    std::atomic<std::uint64_t> closed{0};
    std::atomic<std::uint64_t> receivers_closed{0};
    std::atomic<bool> emitter_closed{false};
    std::atomic<std::uint64_t> dropped{0};

    void on_closed(std::string_view who, std::string_view reason)
    {
        closed.fetch_add(1);
        if (who == "emitter")
            emitter_closed = true;
        else
            receivers_closed.fetch_add(1);
        if (reason.empty())
            return;
        dropped.fetch_add(1);
        ctx.failures.add("fanout: " + std::string(who) + " disconnected: " + std::string(reason));
    }
};

/// Every receiver's observer (they keep no state of their own): counts the
/// join ack, then times and counts each delivery.
class receiver_side final : public connection_observer {
public:
    explicit receiver_side(fanout_totals& totals)
        : totals_(totals)
    {
    }

private:
    void on_message(connection&, std::string_view message) override
    {
        if (auto stamp = wire::parse_bcast(message)) {
            auto now = now_ns();
            totals_.latency.record(std::chrono::nanoseconds(now - stamp->sent_ns));
            totals_.deliveries.fetch_add(1, std::memory_order_relaxed);
            if (stamp->sequence < totals_.sequence_count)
                totals_.per_sequence[stamp->sequence].fetch_add(1, std::memory_order_relaxed);
            else
                totals_.ctx.failures.add("fanout: unknown broadcast sequence");
            auto last = totals_.last_delivery_ns.load(std::memory_order_relaxed);
            while (now > last && !totals_.last_delivery_ns.compare_exchange_weak(last, now, std::memory_order_relaxed)) {
            }
            return;
        }
        if (wire::ack_id(message) == join_ack_id) {
            if (message.ends_with("[true]"))
                totals_.joined.fetch_add(1);
            else
                totals_.ctx.failures.add("fanout: join refused");
        }
    }

    void on_closed(connection&, std::string_view reason) override { totals_.on_closed("receiver", reason); }

    fanout_totals& totals_;
};

/// The one emitter. Its methods run on its connection's executor.
class emitter_side final : public connection_observer {
public:
    emitter_side(fanout_totals& totals, std::size_t payload, bool on_ack)
        : totals_(totals)
        , payload_(payload)
        , on_ack_(on_ack)
    {
    }

    void attach(std::shared_ptr<connection> conn) { conn_ = std::move(conn); }
    const std::shared_ptr<connection>& conn() const { return conn_; }

    /// Sends the next broadcast unless the run is over.
    void emit()
    {
        if (totals_.stop.load(std::memory_order_relaxed) || sequence_ >= totals_.sequence_count)
            return;
        wire::bcast_stamp stamp{sequence_++, now_ns()};
        conn_->send(wire::bcast_event(next_id_++, stamp, payload_));
        totals_.broadcasts.store(sequence_, std::memory_order_relaxed);
    }

private:
    void on_message(connection&, std::string_view message) override
    {
        if (wire::parse_bcast(message)) {
            totals_.ctx.failures.add("fanout: the emitter (not a member) received a broadcast");
            return;
        }
        if (!wire::ack_id(message))
            return;
        totals_.acked.fetch_add(1, std::memory_order_relaxed);
        if (on_ack_)
            emit();
    }

    void on_closed(connection&, std::string_view reason) override { totals_.on_closed("emitter", reason); }

    fanout_totals& totals_;
    const std::size_t payload_;
    const bool on_ack_;
    std::shared_ptr<connection> conn_;
    std::uint64_t sequence_ = 0;
    std::uint64_t next_id_ = 0;
};

/// Interval mode: one broadcast every `interval` on a drift-free schedule,
/// whether or not the previous one was acknowledged.
net::awaitable<void> emit_on_clock(emitter_side* emitter, fanout_totals* totals, std::chrono::milliseconds interval)
{
    net::steady_timer timer(co_await net::this_coro::executor);
    auto next = clock::now();
    while (!totals->stop.load()) {
        emitter->emit();
        next += interval;
        timer.expires_at(next);
        co_await timer.async_wait(net::as_tuple(net::use_awaitable));
    }
}

class fanout_scenario final : public scenario {
public:
    explicit fanout_scenario(run_context& ctx)
        : ctx_(ctx)
        , totals_(ctx, ctx.opts.max_broadcasts)
        , receivers_(totals_)
        , emitter_(totals_, ctx.opts.payload, !ctx.opts.interval)
    {
    }

    net::awaitable<void> run() override;
    std::string progress() const override;
    json::object params() const override;
    json::object metrics() const override;
    std::chrono::milliseconds time_bound() const override;
    bool connected_any() const override { return totals_.receivers_connected.load() > 0; }

private:
    void start_emitting();
    std::uint64_t expected_deliveries() const { return totals_.broadcasts.load() * receivers_joined_; }

    run_context& ctx_;
    fanout_totals totals_;
    receiver_side receivers_;
    emitter_side emitter_;
    connection_set open_;
    std::uint64_t connections_opened_ = 0;
    std::uint64_t receivers_joined_ = 0;
    double window_s_ = 0;
    std::atomic<bool> running_{false};
};

void fanout_scenario::start_emitting()
{
    if (ctx_.opts.interval)
        net::co_spawn(emitter_.conn()->executor(), emit_on_clock(&emitter_, &totals_, *ctx_.opts.interval),
                      count_exceptions{&ctx_.failures});
    else
        net::dispatch(emitter_.conn()->executor(), [e = &emitter_] { e->emit(); });
}

net::awaitable<void> fanout_scenario::run()
{
    const auto& o = ctx_.opts;
    auto receivers = co_await open_many(
        ctx_, open_plan{o.clients, o.effective_concurrency(), 0, clock::now() + o.ramp_timeout},
        [this](std::uint64_t, const std::shared_ptr<connection>& conn, clock::duration) -> connection_observer& {
            open_.add(conn);
            conn->send(wire::event_with_ack(join_ack_id, join_event));
            totals_.receivers_connected.fetch_add(1);
            return receivers_;
        },
        ctx_.failures);
    co_await wait_until([&] { return totals_.joined.load() >= receivers.connected; }, clock::now() + o.handshake_timeout);
    receivers_joined_ = totals_.joined.load();
    if (receivers_joined_ < receivers.connected)
        ctx_.failures.add("fanout: join not acknowledged", receivers.connected - receivers_joined_);

    // The emitter never joins "bench": it measures the server's fan-out,
    // not an echo of its own broadcast.
    auto emitter = co_await open_many(
        ctx_, open_plan{1, 1, 0, clock::now() + o.ramp_timeout},
        [this](std::uint64_t, const std::shared_ptr<connection>& conn, clock::duration) -> connection_observer& {
            open_.add(conn);
            emitter_.attach(conn);
            return emitter_;
        },
        ctx_.failures);
    connections_opened_ = receivers.connected + emitter.connected;
    if (emitter.connected == 0 || receivers_joined_ == 0) {
        std::cerr << "fanout: " << (emitter.connected == 0 ? "the emitter could not connect" : "no receiver joined")
                  << "\n";
    } else {
        std::cerr << "fanout: " << receivers_joined_ << " receivers joined; broadcasting for " << seconds(o.duration)
                  << " s\n";
        auto start = clock::now();
        totals_.first_send_ns = now_ns();
        cpu_.start();
        running_ = true;
        start_emitting();
        // Ends early when every broadcast is out or nobody is left to send or receive.
        co_await wait_until(
            [this] {
                return totals_.broadcasts.load() >= totals_.sequence_count || totals_.emitter_closed.load() ||
                       totals_.receivers_closed.load() >= receivers_joined_;
            },
            start + o.duration);
        totals_.stop = true;
        cpu_.stop();
        running_ = false;
        window_s_ = seconds(clock::now() - start);
        co_await wait_until(
            [this] {
                return totals_.closed.load() >= connections_opened_ ||
                       (totals_.deliveries.load() >= expected_deliveries() &&
                        totals_.acked.load() >= totals_.broadcasts.load());
            },
            clock::now() + o.drain);
        auto unacked = totals_.broadcasts.load() - std::min(totals_.broadcasts.load(), totals_.acked.load());
        if (unacked > 0)
            ctx_.failures.add("fanout: bcast not acknowledged within drain", unacked);
    }

    open_.close_all(o.drain);
    co_await wait_until([this] { return totals_.closed.load() >= connections_opened_; }, clock::now() + o.drain);
    ctx_.ioc.stop();
}

std::string fanout_scenario::progress() const
{
    return "fanout" + std::string(running_.load() ? "[run]" : "") + ": receivers " +
           std::to_string(totals_.receivers_connected.load()) + " (joined " + std::to_string(totals_.joined.load()) +
           "), broadcasts " + std::to_string(totals_.broadcasts.load()) + ", deliveries " +
           std::to_string(totals_.deliveries.load()) + ", dropped " + std::to_string(totals_.dropped.load());
}

json::object fanout_scenario::params() const
{
    const auto& o = ctx_.opts;
    return {
        {"clients", o.clients},
        {"payload", o.payload},
        {"duration_s", seconds(o.duration)},
        {"max_broadcasts", o.max_broadcasts},
        {"interval_ms", o.interval ? json::value(o.interval->count()) : json::value(nullptr)},
        {"concurrency", o.effective_concurrency()},
    };
}

json::object fanout_scenario::metrics() const
{
    auto broadcasts = totals_.broadcasts.load();
    auto expected = expected_deliveries();
    std::uint64_t counted = 0;
    std::uint64_t incomplete = 0;
    std::uint64_t duplicates = 0;
    for (std::uint64_t seq = 0; seq < std::min(broadcasts, totals_.sequence_count); ++seq) {
        std::uint64_t n = totals_.per_sequence[seq].load();
        counted += std::min<std::uint64_t>(n, receivers_joined_);
        if (n < receivers_joined_)
            ++incomplete;
        else
            duplicates += n - receivers_joined_;
    }
    auto first = totals_.first_send_ns.load();
    auto last = totals_.last_delivery_ns.load();
    double delivery_span_s = last > first ? static_cast<double>(last - first) / 1e9 : 0.0;
    return {
        {"receivers_connected", totals_.receivers_connected.load()},
        {"receivers_joined", receivers_joined_},
        {"broadcasts", broadcasts},
        {"broadcasts_acked", totals_.acked.load()},
        {"broadcasts_per_s", rounded(per_second(broadcasts, window_s_), 1)},
        {"expected_deliveries", expected},
        {"deliveries", totals_.deliveries.load()},
        {"lost", expected - std::min(expected, counted)},
        {"incomplete_broadcasts", incomplete},
        {"duplicate_deliveries", duplicates},
        {"window_s", rounded(window_s_)},
        {"deliveries_per_s", rounded(per_second(totals_.deliveries.load(), delivery_span_s), 1)},
        {"latency_ms", totals_.latency.to_json_ms()},
        {"dropped", totals_.dropped.load()},
        {"loadgen_cpu_cores", rounded(cpu_.cores())},
    };
}

std::chrono::milliseconds fanout_scenario::time_bound() const
{
    const auto& o = ctx_.opts;
    return 2 * (o.ramp_timeout + o.handshake_timeout) + o.handshake_timeout + o.duration + 2 * o.drain +
           std::chrono::seconds(10);
}

} // namespace

std::unique_ptr<scenario> make_fanout_scenario(run_context& ctx)
{
    return std::make_unique<fanout_scenario>(ctx);
}

} // namespace loadgen
