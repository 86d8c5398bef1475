// corio_loadgen: drives a Socket.IO v5 server over raw WebSockets (or HTTP
// long-polling) and reports one JSON object. See options.cpp for the command
// line and ../../../shared/specs/bench-app.md for the app it expects.
//
// Output: progress on stderr; on stdout
//   {"scenario", "params", "metrics", "loadgen_cpu", "loadgen_bottleneck", "errors"}.
// Exit status: 0 when the scenario ran (even with losses), 1 when nothing
// could connect, 2 on a usage error.

#include "options.hpp"
#include "report_values.hpp"
#include "run_context.hpp"
#include "scenario.hpp"
#include "target.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <sys/resource.h>

#include <iostream>
#include <thread>
#include <vector>

namespace {

namespace net = boost::asio;
namespace json = boost::json;

/// Descriptors kept free for everything that is not a connection.
constexpr std::uint64_t spare_descriptors = 64;
/// At this share of a core per thread the load generator may be what limits
/// the numbers, not the server.
constexpr double bottleneck_threshold = 0.9;

/// Raises the soft descriptor limit to the hard one; returns the limit.
std::uint64_t raise_descriptor_limit()
{
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return 1024;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
        ::getrlimit(RLIMIT_NOFILE, &limit);
    }
    return limit.rlim_cur;
}

std::uint64_t clients_needed(const loadgen::options& o)
{
    switch (o.scenario) {
    case loadgen::scenario_kind::connect: return o.connections;
    case loadgen::scenario_kind::echo:
    case loadgen::scenario_kind::binary_echo: return o.clients;
    case loadgen::scenario_kind::fanout:
    case loadgen::scenario_kind::cluster_fanout: return o.clients + 1;
    case loadgen::scenario_kind::churn: return o.effective_concurrency();
    }
    return 0;
}

std::uint64_t sockets_needed(const loadgen::options& o)
{
    return clients_needed(o) * o.sockets_per_client();
}

net::awaitable<void> print_progress(const loadgen::scenario* sc)
{
    net::steady_timer timer(co_await net::this_coro::executor);
    for (;;) {
        timer.expires_after(std::chrono::seconds(1));
        auto [ec] = co_await timer.async_wait(net::as_tuple(net::use_awaitable));
        if (ec)
            co_return;
        std::cerr << sc->progress() << "\n";
    }
}

json::object common_params(const loadgen::options& o)
{
    return {
        {"url", o.urls.front()},
        {"transport", o.transport == loadgen::transport_kind::polling ? "polling" : "websocket"},
        {"threads", o.threads},
        {"sources", o.sources},
        {"server_pid", o.server_pid() ? json::value(*o.server_pid()) : json::value(nullptr)},
        {"handshake_timeout_s", loadgen::seconds(o.handshake_timeout)},
        {"drain_s", loadgen::seconds(o.drain)},
    };
}

} // namespace

int main(int argc, char** argv)
{
    auto opts = loadgen::parse_command_line(argc, argv);
    std::vector<loadgen::target> targets;
    for (const auto& url : opts.urls) {
        auto made = loadgen::make_target(url, opts.sources, opts.tls_ca);
        if (auto* problem = std::get_if<std::string>(&made))
            loadgen::usage_error(*problem);
        targets.push_back(std::get<loadgen::target>(std::move(made)));
        targets.back().parser = opts.parser;
        targets.back().deflate = opts.compression;
        targets.back().transport = opts.transport;
        if (opts.transport == loadgen::transport_kind::polling && targets.back().tls)
            loadgen::usage_error("--transport polling runs over plain HTTP only (ws:// or http://)");
        if (opts.transport == loadgen::transport_kind::polling && opts.compression)
            loadgen::usage_error("--compression is WebSocket's permessage-deflate: not with --transport polling");
    }
    auto descriptors = raise_descriptor_limit();
    if (sockets_needed(opts) + spare_descriptors > descriptors)
        loadgen::usage_error("this run needs " + std::to_string(sockets_needed(opts)) +
                             " sockets; the descriptor limit allows " + std::to_string(descriptors - spare_descriptors) +
                             " per process (split the load over several processes)");

    net::io_context ioc(static_cast<int>(opts.threads));
    loadgen::run_context ctx{ioc, opts, std::move(targets)};
    auto sc = loadgen::make_scenario(ctx);

    net::co_spawn(ioc, sc->run(), [&](std::exception_ptr e) {
        loadgen::count_exceptions{&ctx.failures}(e);
        ioc.stop();
    });
    net::co_spawn(ioc, print_progress(sc.get()), net::detached);

    // Whatever happens to the server, the run ends in bounded time.
    net::steady_timer watchdog(ioc, sc->time_bound());
    watchdog.async_wait([&](boost::system::error_code ec) {
        if (ec)
            return;
        ctx.failures.add("watchdog: run exceeded its time bound");
        ioc.stop();
    });
    net::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code ec, int) {
        if (ec)
            return;
        ctx.failures.add("interrupted");
        ioc.stop();
    });

    std::vector<std::thread> extra_threads;
    for (unsigned i = 1; i < opts.threads; ++i)
        extra_threads.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : extra_threads)
        t.join();

    const auto& cpu = sc->cpu();
    double per_thread = cpu.cores() / opts.threads;
    bool bottleneck = cpu.measured() && per_thread >= bottleneck_threshold;
    json::object params = common_params(opts);
    for (auto& [key, value] : sc->params())
        params[key] = value;
    json::object report{
        {"scenario", loadgen::to_string(opts.scenario)},
        {"params", std::move(params)},
        {"metrics", sc->metrics()},
        {"loadgen_cpu", loadgen::rounded(per_thread)},
        {"loadgen_bottleneck", bottleneck},
        {"errors", ctx.failures.to_json()},
    };
    if (bottleneck)
        std::cerr << "warning: the load generator used " << loadgen::rounded(per_thread, 2)
                  << " of a core per thread: it may be the bottleneck (try --threads or several processes)\n";
    std::cout << loadgen::to_json_text(report) << std::endl;
    return sc->connected_any() ? 0 : 1;
}
