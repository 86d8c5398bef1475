#include "connect_scenario.hpp"

#include "connection_set.hpp"
#include "connector.hpp"
#include "histogram.hpp"
#include "report_values.hpp"

#include <boost/asio/this_coro.hpp>

#include <atomic>
#include <iostream>

namespace loadgen {

namespace net = boost::asio;
namespace json = boost::json;

namespace {

class connect_scenario final : public scenario, private connection_observer {
public:
    explicit connect_scenario(run_context& ctx)
        : ctx_(ctx)
    {
    }

    net::awaitable<void> run() override;
    std::string progress() const override;
    json::object params() const override;
    json::object metrics() const override;
    std::chrono::milliseconds time_bound() const override;
    bool connected_any() const override { return connected_.load() > 0; }

private:
    enum class phase { ramp, hold, closing };

    connection_observer& on_open(const std::shared_ptr<connection>& conn, clock::duration latency);
    void on_message(connection&, std::string_view) override {}
    void on_closed(connection&, std::string_view reason) override;

    run_context& ctx_;
    failure_counts handshake_failures_;
    histogram latency_;
    connection_set open_;
    std::atomic<phase> phase_{phase::ramp};
    std::atomic<std::uint64_t> connected_{0};
    std::atomic<std::uint64_t> closed_{0};
    std::atomic<std::uint64_t> dropped_during_ramp_{0};
    std::atomic<std::uint64_t> dropped_during_hold_{0};
    std::atomic<std::int64_t> last_connected_ns_{0};
    std::int64_t first_start_ns_ = 0;
    open_stats stats_;
    std::optional<std::uint64_t> rss_before_;
    std::optional<std::uint64_t> rss_after_;
};

connection_observer& connect_scenario::on_open(const std::shared_ptr<connection>& conn, clock::duration latency)
{
    latency_.record(latency);
    open_.add(conn);
    connected_.fetch_add(1);
    auto now = now_ns();
    auto last = last_connected_ns_.load(std::memory_order_relaxed);
    while (now > last && !last_connected_ns_.compare_exchange_weak(last, now, std::memory_order_relaxed)) {
    }
    return *this;
}

void connect_scenario::on_closed(connection&, std::string_view reason)
{
    closed_.fetch_add(1);
    if (reason.empty())
        return;
    ctx_.failures.add("dropped: " + std::string(reason));
    if (phase_.load() == phase::ramp)
        dropped_during_ramp_.fetch_add(1);
    else if (phase_.load() == phase::hold)
        dropped_during_hold_.fetch_add(1);
}

net::awaitable<void> connect_scenario::run()
{
    const auto& o = ctx_.opts;
    if (o.server_pid())
        rss_before_ = read_rss_kib(*o.server_pid());

    cpu_.start();
    auto start = clock::now();
    first_start_ns_ = now_ns();
    open_plan plan{o.connections, o.effective_concurrency(), o.rate, start + o.ramp_timeout};
    stats_ = co_await open_many(
        ctx_, plan,
        [this](std::uint64_t, const std::shared_ptr<connection>& conn, clock::duration latency) -> connection_observer& {
            return on_open(conn, latency);
        },
        handshake_failures_);
    cpu_.stop();

    phase_ = phase::hold;
    std::cerr << "connect: ramp done: " << connected_.load() << " connected, " << stats_.failed << " failed; holding "
              << seconds(o.hold) << " s\n";
    if (connected_.load() > 0)
        co_await sleep_for(o.hold);
    // Measured while every connection is still open.
    if (o.server_pid())
        rss_after_ = read_rss_kib(*o.server_pid());

    phase_ = phase::closing;
    open_.close_all(o.drain);
    co_await wait_until([this] { return closed_.load() >= connected_.load(); }, clock::now() + o.drain);
    ctx_.ioc.stop();
}

std::string connect_scenario::progress() const
{
    const char* names[] = {"ramp", "hold", "closing"};
    return "connect[" + std::string(names[static_cast<int>(phase_.load())]) + "]: connected " +
           std::to_string(connected_.load()) + "/" + std::to_string(ctx_.opts.connections) + ", failed " +
           std::to_string(handshake_failures_.total()) + ", dropped " +
           std::to_string(dropped_during_ramp_.load() + dropped_during_hold_.load());
}

json::object connect_scenario::params() const
{
    const auto& o = ctx_.opts;
    return {
        {"connections", o.connections},
        {"rate", o.rate},
        {"concurrency", o.effective_concurrency()},
        {"hold_s", seconds(o.hold)},
        {"ramp_timeout_s", seconds(o.ramp_timeout)},
    };
}

json::object connect_scenario::metrics() const
{
    auto connected = connected_.load();
    double ramp_s = connected > 0 ? static_cast<double>(last_connected_ns_.load() - first_start_ns_) / 1e9 : 0.0;
    std::optional<double> kib_per_connection;
    if (rss_before_ && rss_after_ && connected > 0)
        kib_per_connection = (static_cast<double>(*rss_after_) - static_cast<double>(*rss_before_)) /
                             static_cast<double>(connected);
    return {
        {"requested", ctx_.opts.connections},
        {"started", stats_.started},
        {"connected", connected},
        {"failed", stats_.failed},
        {"failed_by_reason", handshake_failures_.to_json()},
        {"duration_s", rounded(ramp_s)},
        {"rate_per_s", rounded(per_second(connected, ramp_s), 1)},
        {"handshake_latency_ms", latency_.to_json_ms()},
        {"server_rss_kib", json::object{{"before", or_null(rss_before_)}, {"after", or_null(rss_after_)}}},
        {"kib_per_connection", or_null(kib_per_connection)},
        {"dropped_during_ramp", dropped_during_ramp_.load()},
        {"dropped_during_hold", dropped_during_hold_.load()},
        {"loadgen_cpu_cores", rounded(cpu_.cores())},
    };
}

std::chrono::milliseconds connect_scenario::time_bound() const
{
    const auto& o = ctx_.opts;
    return o.ramp_timeout + o.handshake_timeout + o.hold + o.drain + std::chrono::seconds(10);
}

} // namespace

std::unique_ptr<scenario> make_connect_scenario(run_context& ctx)
{
    return std::make_unique<connect_scenario>(ctx);
}

} // namespace loadgen
