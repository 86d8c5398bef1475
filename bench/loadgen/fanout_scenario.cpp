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
#include <boost/json/array.hpp>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <vector>

namespace loadgen {

namespace net = boost::asio;
namespace json = boost::json;

namespace {

constexpr std::uint64_t join_ack_id = 0;

/// The receivers on one server (cluster-fanout has several servers).
struct node_totals {
    histogram latency;
    std::atomic<std::uint64_t> connected{0};
    std::atomic<std::uint64_t> joined{0};
    std::atomic<std::uint64_t> deliveries{0};
    /// `joined` when the broadcasting started: whom each broadcast must reach.
    std::uint64_t joined_at_start = 0;
};

/// What the receivers and the emitter of one run share.
struct fanout_totals {
    fanout_totals(run_context& c, std::uint64_t sequences)
        : ctx(c), parser(c.opts.parser), sequence_count(sequences),
          per_sequence(std::make_unique<std::atomic<std::uint32_t>[]>(sequences))
    {
        for (std::size_t i = 0; i < c.targets.size(); ++i)
            nodes.push_back(std::make_unique<node_totals>());
    }

    run_context& ctx;
    const wire::format parser;
    /// One per server, in --url order.
    std::vector<std::unique_ptr<node_totals>> nodes;
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

/// The observer of every receiver on one server (they keep no state of
/// their own): counts the join ack, then times and counts each delivery.
class receiver_side final : public connection_observer {
public:
    receiver_side(fanout_totals& totals, node_totals& node)
        : totals_(totals)
        , node_(node)
    {
    }

private:
    void on_message(connection&, std::string_view message) override
    {
        if (auto stamp = wire::parse_bcast(totals_.parser, message)) {
            auto now = now_ns();
            node_.latency.record(std::chrono::nanoseconds(now - stamp->sent_ns));
            node_.deliveries.fetch_add(1, std::memory_order_relaxed);
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
        if (wire::ack_id(totals_.parser, message) == join_ack_id) {
            if (wire::is_true_ack(totals_.parser, message)) {
                node_.joined.fetch_add(1);
                totals_.joined.fetch_add(1);
            } else
                totals_.ctx.failures.add("fanout: join refused");
        }
    }

    void on_closed(connection&, std::string_view reason) override { totals_.on_closed("receiver", reason); }

    fanout_totals& totals_;
    node_totals& node_;
};

/// The one emitter. Its methods run on its connection's executor.
class emitter_side final : public connection_observer {
public:
    emitter_side(fanout_totals& totals, std::size_t payload, bool json_payload, bool on_ack)
        : totals_(totals), payload_(payload), json_payload_(json_payload), on_ack_(on_ack)
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
        conn_->send(wire::bcast_event(totals_.parser, next_id_++, stamp, payload_, json_payload_));
        totals_.broadcasts.store(sequence_, std::memory_order_relaxed);
    }

private:
    void on_message(connection&, std::string_view message) override
    {
        if (wire::parse_bcast(totals_.parser, message)) {
            totals_.ctx.failures.add("fanout: the emitter (not a member) received a broadcast");
            return;
        }
        if (!wire::ack_id(totals_.parser, message))
            return;
        totals_.acked.fetch_add(1, std::memory_order_relaxed);
        if (on_ack_)
            emit();
    }

    void on_closed(connection&, std::string_view reason) override { totals_.on_closed("emitter", reason); }

    fanout_totals& totals_;
    const std::size_t payload_;
    const bool json_payload_;
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
        : ctx_(ctx), totals_(ctx, ctx.opts.max_broadcasts),
          emitter_(totals_, ctx.opts.payload, ctx.opts.json_payload, !ctx.opts.interval)
    {
        for (auto& node : totals_.nodes)
            receivers_.push_back(std::make_unique<receiver_side>(totals_, *node));
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
    /// Each server's CPU time (seconds) now; empty without --server-pid.
    std::vector<std::optional<double>> read_server_cpu() const;
    json::object server_metrics() const;

    run_context& ctx_;
    fanout_totals totals_;
    std::vector<std::unique_ptr<receiver_side>> receivers_; ///< one per server
    emitter_side emitter_;
    connection_set open_;
    std::uint64_t connections_opened_ = 0;
    std::uint64_t receivers_joined_ = 0;
    double window_s_ = 0;
    std::atomic<bool> running_{false};
    /// Per server, from the first broadcast to the end of the drain.
    std::vector<std::optional<double>> server_cpu_start_;
    std::vector<std::optional<double>> server_cpu_end_;
    std::vector<std::optional<std::uint64_t>> server_rss_kib_;
};

std::vector<std::optional<double>> fanout_scenario::read_server_cpu() const
{
    std::vector<std::optional<double>> cpu;
    for (int pid : ctx_.opts.server_pids)
        cpu.push_back(read_cpu_seconds(pid));
    return cpu;
}

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
    const auto join = wire::event_with_ack(o.parser, join_ack_id, wire::string_arguments(o.parser, "join", "bench"));
    // Receiver i is on server i % n: an even split (cluster-fanout).
    auto receivers = co_await open_many(
        ctx_, open_plan{o.clients, o.effective_concurrency(), 0, clock::now() + o.ramp_timeout, true},
        [this, &join](std::uint64_t index, const std::shared_ptr<connection>& conn,
                      clock::duration) -> connection_observer& {
            auto node = index % receivers_.size();
            open_.add(conn);
            conn->send(join);
            totals_.nodes[node]->connected.fetch_add(1);
            totals_.receivers_connected.fetch_add(1);
            return *receivers_[node];
        },
        ctx_.failures);
    co_await wait_until([&] { return totals_.joined.load() >= receivers.connected; }, clock::now() + o.handshake_timeout);
    receivers_joined_ = 0;
    for (auto& node : totals_.nodes) {
        node->joined_at_start = node->joined.load();
        receivers_joined_ += node->joined_at_start;
    }
    if (receivers_joined_ < receivers.connected)
        ctx_.failures.add("fanout: join not acknowledged", receivers.connected - receivers_joined_);

    // The emitter never joins "bench": it measures the server's fan-out,
    // not an echo of its own broadcast. It is on the first server, whose
    // adapter publishes each broadcast for the others.
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
        std::cerr << to_string(o.scenario) << ": " << (emitter.connected == 0 ? "the emitter could not connect" : "no receiver joined")
                  << "\n";
    } else {
        std::cerr << to_string(o.scenario) << ": " << receivers_joined_ << " receivers joined; broadcasting for " << seconds(o.duration)
                  << " s\n";
        auto start = clock::now();
        totals_.first_send_ns = now_ns();
        server_cpu_start_ = read_server_cpu();
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
        // Every delivery is in (or the drain is over): what the servers
        // spent on the broadcasts, and what they hold with every client on.
        server_cpu_end_ = read_server_cpu();
        for (int pid : o.server_pids)
            server_rss_kib_.push_back(read_rss_kib(pid));
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
    std::string line = std::string(to_string(ctx_.opts.scenario)) + (running_.load() ? "[run]" : "") + ": receivers " +
                       std::to_string(totals_.receivers_connected.load()) + " (joined " +
                       std::to_string(totals_.joined.load()) + "), broadcasts " +
                       std::to_string(totals_.broadcasts.load()) + ", deliveries " +
                       std::to_string(totals_.deliveries.load());
    if (totals_.nodes.size() > 1) {
        line += " (";
        for (std::size_t i = 0; i < totals_.nodes.size(); ++i)
            line += (i ? " + " : "") + std::to_string(totals_.nodes[i]->deliveries.load());
        line += ")";
    }
    return line + ", dropped " + std::to_string(totals_.dropped.load());
}

json::object fanout_scenario::params() const
{
    const auto& o = ctx_.opts;
    json::array urls;
    for (const auto& url : o.urls)
        urls.emplace_back(url);
    json::array pids;
    for (int pid : o.server_pids)
        pids.emplace_back(pid);
    return {
        {"servers", o.urls.size()},
        {"urls", std::move(urls)},
        {"server_pids", std::move(pids)},
        {"clients", o.clients},
        {"payload", o.payload},
        {"payload_text", o.json_payload ? "json" : "x"},
        {"compression", o.compression},
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
    histogram latency;
    for (const auto& node : totals_.nodes)
        latency.add(node->latency);
    json::object m{
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
        {"latency_ms", latency.to_json_ms()},
        {"dropped", totals_.dropped.load()},
        {"loadgen_cpu_cores", rounded(cpu_.cores())},
    };
    for (auto& [key, value] : server_metrics())
        m[key] = value;
    return m;
}

/// The servers' side: CPU time from the first broadcast to the end of the
/// drain, deliveries per CPU-second (the cost of a delivery, whatever the
/// rate), RSS; and with several servers, each one's receivers.
json::object fanout_scenario::server_metrics() const
{
    json::object m;
    auto broadcasts = totals_.broadcasts.load();
    auto deliveries = totals_.deliveries.load();
    std::optional<double> cpu_total;
    std::optional<std::uint64_t> rss_total;
    json::array nodes;
    for (std::size_t i = 0; i < totals_.nodes.size(); ++i) {
        const auto& node = *totals_.nodes[i];
        std::optional<double> cpu;
        if (i < server_cpu_start_.size() && i < server_cpu_end_.size() && server_cpu_start_[i] && server_cpu_end_[i])
            cpu = *server_cpu_end_[i] - *server_cpu_start_[i];
        std::optional<std::uint64_t> rss = i < server_rss_kib_.size() ? server_rss_kib_[i] : std::nullopt;
        if (cpu)
            cpu_total = cpu_total.value_or(0) + *cpu;
        if (rss)
            rss_total = rss_total.value_or(0) + *rss;
        auto expected = broadcasts * node.joined_at_start;
        auto got = node.deliveries.load();
        nodes.push_back(json::object{
            {"url", ctx_.opts.urls[i]},
            {"receivers_joined", node.joined_at_start},
            {"expected_deliveries", expected},
            {"deliveries", got},
            {"lost", expected - std::min(expected, got)},
            {"latency_ms", node.latency.to_json_ms()},
            {"server_cpu_s", or_null(cpu ? std::optional<double>(rounded(*cpu, 2)) : std::nullopt)},
            {"server_rss_kib", or_null(rss)},
        });
    }
    // Every server's CPU time must be known for the sum to mean anything.
    bool all_cpu = ctx_.opts.server_pids.size() == totals_.nodes.size();
    for (std::size_t i = 0; all_cpu && i < totals_.nodes.size(); ++i)
        all_cpu = nodes[i].as_object().at("server_cpu_s").is_number();
    if (!all_cpu)
        cpu_total.reset();
    m["server_cpu_s"] = or_null(cpu_total ? std::optional<double>(rounded(*cpu_total, 2)) : std::nullopt);
    m["deliveries_per_server_cpu_s"] =
        or_null(cpu_total && *cpu_total > 0 ? std::optional<double>(rounded(static_cast<double>(deliveries) / *cpu_total, 1))
                                            : std::nullopt);
    m["server_rss_kib"] = or_null(rss_total);
    if (totals_.nodes.size() > 1)
        m["nodes"] = std::move(nodes);
    return m;
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
