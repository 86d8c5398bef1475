#include "binary_echo_scenario.hpp"

#include "ack_window.hpp"
#include "connection_set.hpp"
#include "connector.hpp"
#include "histogram.hpp"
#include "report_values.hpp"
#include "wire.hpp"

#include <boost/asio/dispatch.hpp>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstring>
#include <iostream>
#include <vector>

namespace loadgen {

namespace net = boost::asio;
namespace json = boost::json;

namespace {

/// The attachment's first bytes: the ack id, then the client's index (8
/// bytes each, host order: the same host reads them back).
constexpr std::size_t stamp_bytes = 16;

/// What the clients of one run share.
struct binary_echo_totals {
    run_context& ctx;
    const std::size_t payload;
    const unsigned in_flight_per_client;
    histogram latency;
    std::atomic<bool> stop{false};
    std::atomic<std::int64_t> emit_budget;  ///< emits left before --max-acks
    std::atomic<std::int64_t> in_flight{0}; ///< emits awaiting their ack
    std::atomic<std::int64_t> window_end_ns{INT64_MAX};
    std::atomic<std::uint64_t> acks{0};
    std::atomic<std::uint64_t> acks_in_window{0};
    std::atomic<std::uint64_t> intact_in_window{0}; ///< acks in the window whose attachment was right
    std::atomic<std::uint64_t> bad_echoes{0};
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

/// Bytes that no run of one value hides a shifted or truncated copy in: a
/// 64-bit LCG per client.
std::string make_pattern(std::size_t size, std::uint64_t seed)
{
    std::string out(size, '\0');
    std::uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;
    for (auto& c : out) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        c = static_cast<char>(x >> 56);
    }
    return out;
}

/// One client: --in-flight emits awaiting their ack, the next emitted when
/// one is acknowledged. Its methods run on its connection's executor.
class binary_echo_client final : public connection_observer {
public:
    binary_echo_client(binary_echo_totals& totals, std::uint64_t index)
        : totals_(totals), index_(index), pattern_(make_pattern(totals.payload, index))
    {
    }

    void attach(std::shared_ptr<connection> conn) { conn_ = std::move(conn); }
    const std::shared_ptr<connection>& conn() const { return conn_; }

    /// Emits until --in-flight emits await their ack (or the run is over).
    void fill()
    {
        while (pending_.size() < totals_.in_flight_per_client && totals_.take_emit()) {
            totals_.in_flight.fetch_add(1, std::memory_order_relaxed);
            auto id = next_id_++;
            std::string bytes = pattern_;
            std::memcpy(bytes.data(), &id, sizeof id);
            std::memcpy(bytes.data() + sizeof id, &index_, sizeof index_);
            pending_.push_back({id, clock::now()});
            conn_->send(wire::binary_event_with_ack(id, "echo"));
            conn_->send_binary(std::move(bytes));
        }
    }

private:
    struct pending {
        std::uint64_t id;
        clock::time_point sent_at;
    };

    void on_message(connection&, std::string_view message) override
    {
        if (attachment_of_) {
            auto id = *attachment_of_;
            attachment_of_.reset();
            complete(id, check(id, message));
            return;
        }
        if (auto id = wire::binary_ack_id(message)) {
            attachment_of_ = *id;
            return;
        }
        // An ack with no attachment: whatever it holds, not the bytes sent.
        if (auto id = wire::ack_id(wire::format::json, message))
            complete(*id, "binary-echo: ack without an attachment");
    }

    void on_closed(connection&, std::string_view reason) override
    {
        totals_.closed.fetch_add(1);
        totals_.in_flight.fetch_sub(static_cast<std::int64_t>(pending_.size()));
        pending_.clear();
        if (!reason.empty()) {
            totals_.dropped.fetch_add(1);
            totals_.ctx.failures.add("binary-echo: disconnected: " + std::string(reason));
        }
    }

    /// What is wrong with `bytes` as the echo of emit `id`; empty when nothing.
    std::string_view check(std::uint64_t id, std::string_view bytes) const
    {
        if (bytes.size() != pattern_.size())
            return "binary-echo: echoed attachment of the wrong length";
        std::uint64_t got_id = 0;
        std::uint64_t got_index = 0;
        std::memcpy(&got_id, bytes.data(), sizeof got_id);
        std::memcpy(&got_index, bytes.data() + sizeof got_id, sizeof got_index);
        if (got_id != id || got_index != index_)
            return "binary-echo: echoed attachment of another emit";
        if (std::memcmp(bytes.data() + stamp_bytes, pattern_.data() + stamp_bytes, bytes.size() - stamp_bytes) != 0)
            return "binary-echo: echoed attachment bytes differ";
        return {};
    }

    /// The ack of emit `id` is in; `problem` says what was wrong with it.
    void complete(std::uint64_t id, std::string_view problem)
    {
        auto it = std::find_if(pending_.begin(), pending_.end(), [id](const pending& p) { return p.id == id; });
        if (it == pending_.end()) {
            totals_.ctx.failures.add("binary-echo: unexpected ack id");
            return;
        }
        auto now = clock::now();
        totals_.latency.record(now - it->sent_at);
        pending_.erase(it);
        totals_.in_flight.fetch_sub(1, std::memory_order_relaxed);
        totals_.acks.fetch_add(1, std::memory_order_relaxed);
        if (!problem.empty()) {
            totals_.bad_echoes.fetch_add(1, std::memory_order_relaxed);
            totals_.ctx.failures.add(problem);
        }
        auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
        if (ns <= totals_.window_end_ns.load(std::memory_order_relaxed)) {
            totals_.acks_in_window.fetch_add(1, std::memory_order_relaxed);
            if (problem.empty())
                totals_.intact_in_window.fetch_add(1, std::memory_order_relaxed);
        }
        auto last = totals_.last_ack_ns.load(std::memory_order_relaxed);
        while (ns > last && !totals_.last_ack_ns.compare_exchange_weak(last, ns, std::memory_order_relaxed)) {
        }
        fill();
    }

    binary_echo_totals& totals_;
    const std::uint64_t index_;
    /// What every attachment of this client carries after its stamp.
    const std::string pattern_;
    std::shared_ptr<connection> conn_;
    std::vector<pending> pending_; ///< awaiting their ack, oldest first
    /// Set between a binary ack and its attachment, which comes next.
    std::optional<std::uint64_t> attachment_of_;
    std::uint64_t next_id_ = 0;
};

class binary_echo_scenario final : public scenario {
public:
    explicit binary_echo_scenario(run_context& ctx)
        : ctx_(ctx), totals_{ctx, ctx.opts.payload, ctx.opts.in_flight}
    {
        totals_.emit_budget = static_cast<std::int64_t>(std::min<std::uint64_t>(ctx.opts.max_acks, INT64_MAX));
        for (std::uint64_t i = 0; i < ctx.opts.clients; ++i)
            clients_.push_back(std::make_unique<binary_echo_client>(totals_, i));
    }

    net::awaitable<void> run() override;
    std::string progress() const override;
    json::object params() const override;
    json::object metrics() const override;
    std::chrono::milliseconds time_bound() const override;
    bool connected_any() const override { return stats_.connected > 0; }

private:
    run_context& ctx_;
    binary_echo_totals totals_;
    /// Built before any connection opens and never resized, so connections
    /// on different threads touch only their own element.
    std::vector<std::unique_ptr<binary_echo_client>> clients_;
    connection_set open_;
    open_stats stats_;
    std::atomic<std::uint64_t> connected_{0}; ///< stats_.connected, readable while connecting
    std::atomic<bool> running_{false};
    double window_s_ = 0;
    std::uint64_t missing_acks_ = 0;
};

net::awaitable<void> binary_echo_scenario::run()
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
        std::cerr << "binary-echo: no client could connect\n";
        ctx_.ioc.stop();
        co_return;
    }
    std::cerr << "binary-echo: " << stats_.connected << " clients connected; emitting " << o.payload
              << "-byte attachments for " << seconds(o.duration) << " s\n";

    auto window = co_await measure_ack_window(totals_, stats_.connected, cpu_, running_, o, [this] {
        for (auto& client : clients_)
            if (client->conn())
                net::dispatch(client->conn()->executor(), [c = client.get()] { c->fill(); });
    });
    window_s_ = window.seconds;
    missing_acks_ = window.missing_acks;
    if (missing_acks_ > 0)
        ctx_.failures.add("binary-echo: no ack within drain", missing_acks_);

    open_.close_all(o.drain);
    co_await wait_until([this] { return totals_.closed.load() >= stats_.connected; }, clock::now() + o.drain);
    ctx_.ioc.stop();
}

std::string binary_echo_scenario::progress() const
{
    return "binary-echo" + std::string(running_.load() ? "[run]" : "") + ": clients " +
           std::to_string(connected_.load()) + ", acks " + std::to_string(totals_.acks.load()) + ", in flight " +
           std::to_string(totals_.in_flight.load()) + ", bad " + std::to_string(totals_.bad_echoes.load()) +
           ", dropped " + std::to_string(totals_.dropped.load());
}

json::object binary_echo_scenario::params() const
{
    const auto& o = ctx_.opts;
    json::object p{
        {"clients", o.clients},
        {"payload", o.payload},
        {"in_flight", o.in_flight},
        {"duration_s", seconds(o.duration)},
        {"concurrency", o.effective_concurrency()},
    };
    p["max_acks"] = o.max_acks == UINT64_MAX ? json::value(nullptr) : json::value(o.max_acks);
    return p;
}

json::object binary_echo_scenario::metrics() const
{
    auto intact_bytes = static_cast<double>(totals_.intact_in_window.load()) * static_cast<double>(totals_.payload);
    return {
        {"clients_connected", stats_.connected},
        {"clients_failed", stats_.failed},
        {"acks", totals_.acks.load()},
        {"acks_in_window", totals_.acks_in_window.load()},
        {"window_s", rounded(window_s_)},
        {"acks_per_s", rounded(per_second(totals_.acks_in_window.load(), window_s_), 1)},
        {"mb_per_s", rounded(window_s_ > 0 ? intact_bytes / window_s_ / 1e6 : 0.0, 2)},
        {"latency_ms", totals_.latency.to_json_ms()},
        {"bad_echoes", totals_.bad_echoes.load()},
        {"missing_acks", missing_acks_},
        {"dropped", totals_.dropped.load()},
        {"errors", ctx_.failures.total()},
        {"loadgen_cpu_cores", rounded(cpu_.cores())},
    };
}

std::chrono::milliseconds binary_echo_scenario::time_bound() const
{
    const auto& o = ctx_.opts;
    return o.ramp_timeout + o.handshake_timeout + o.duration + 2 * o.drain + std::chrono::seconds(10);
}

} // namespace

std::unique_ptr<scenario> make_binary_echo_scenario(run_context& ctx)
{
    return std::make_unique<binary_echo_scenario>(ctx);
}

} // namespace loadgen
