// The conformance app (../shared/specs/conformance-app.md): the endpoints the
// official Engine.IO and Socket.IO test suites and the real-client checks
// drive, on one listener:
//   /engine.io/  raw Engine.IO echo (part A)
//   /socket.io/  the socket.io-protocol suite's app (part B)
//   /echo.io/    the echo app (part C; --echo-path moves it), in a cluster
//                over Redis with --redis (part D; --redis-adapter sharded or
//                streams, beyond the spec, for the other variants)
// Usage: corio_conformance [--host localhost] [--port 3000] [--threads N] [--echo-path /echo.io/]
//                          [--redis redis://HOST:PORT [--node-name NAME] [--redis-adapter classic|sharded|streams]]
//                          [--tls-cert FILE --tls-key FILE] [--metrics] [--compression]
//                          [--admin-ui USER:BCRYPT_HASH [--admin-ui-files DIR]] [--parser msgpack]
//                          [--state-recovery MS] [--allow-eio3]
// With --tls-cert and --tls-key (part E), the listener serves HTTPS and WSS
// only, on every endpoint; SIGHUP reloads the two files. With --metrics (part
// E), GET /metrics on the same listener answers the Prometheus text format.
// With --compression (part E), /echo.io/ negotiates WebSocket
// permessage-deflate (threshold 1024 bytes).
// With --admin-ui (part E), the Admin UI's namespace is /admin-ui of the echo
// app (whose /admin is part C's); beyond the spec, --admin-ui-files serves the
// UI's files (the npm package's ui/dist) under /admin-ui/. With --parser
// msgpack (part E), /echo.io/ speaks socket.io-msgpack-parser's encoding.
// With --state-recovery MS (part E), namespace / of /echo.io/ has connection
// state recovery (maxDisconnectionDuration MS, skipMiddlewares); with --redis,
// the cluster is on the Redis Streams adapter, which keeps the sessions.
// With --allow-eio3 (part E), /echo.io/ also accepts Engine.IO v3 /
// Socket.IO protocol v4 clients (socket.io-client 2.x).

#include "cluster_app.hpp"
#include "echo_app.hpp"
#include "engine_echo.hpp"
#include "suite_app.hpp"

#include <corio/engine/listener.hpp>
#include <corio/admin_ui.hpp>
#include <corio/engine/metrics.hpp>
#include <corio/engine/static_files.hpp>
#include <corio/engine/server.hpp>
#include <corio/metrics.hpp>
#include <corio/serve.hpp>
#include <corio/server.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/system/system_error.hpp>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include <unistd.h>

namespace {

struct command_line {
    std::string host = "localhost";
    std::uint16_t port = 3000;
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    std::string echo_path = "/echo.io/";
    /// Part D: the Redis URL of the cluster, empty for none.
    std::string redis;
    /// Beyond part D: the sharded adapter (Node's createShardedAdapter) or
    /// the streams one (@socket.io/redis-streams-adapter) instead of the
    /// classic one; --state-recovery makes it streams.
    std::optional<conformance::redis_adapter_kind> redis_adapter;
    std::string node_name = std::to_string(::getpid());
    /// Part E: the certificate chain and key (PEM); both or neither.
    std::string tls_cert;
    std::string tls_key;
    /// Part E: GET /metrics.
    bool metrics = false;
    /// Part E: permessage-deflate on /echo.io/.
    bool compression = false;
    /// Part E: the Admin UI's login, and (beyond the spec) its files.
    std::optional<corio::admin_ui_credentials> admin_ui;
    std::string admin_ui_files;
    /// Part E: the echo app's parser.
    corio::protocol::socket_parser parser = corio::protocol::socket_parser::json;
    /// Part E: connection state recovery on / of /echo.io/, for this long.
    std::optional<std::chrono::milliseconds> state_recovery;
    /// Part E: Engine.IO v3 clients on /echo.io/.
    bool allow_eio3 = false;
};

[[noreturn]] void usage(std::string_view problem)
{
    std::cerr << "corio_conformance: " << problem << "\n"
              << "usage: corio_conformance [--host ADDR] [--port N] [--threads N] [--echo-path PATH]\n"
              << "                         [--redis redis://HOST:PORT [--node-name NAME]\n"
              << "                          [--redis-adapter classic|sharded|streams]]\n"
              << "                         [--tls-cert FILE --tls-key FILE] [--metrics] [--compression]\n"
              << "                         [--admin-ui USER:BCRYPT_HASH [--admin-ui-files DIR]] [--parser msgpack]\n"
              << "                         [--state-recovery MS] [--allow-eio3]\n";
    std::exit(2);
}

template <class T> T parse_number(std::string_view text, std::string_view what)
{
    T value{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size())
        usage(std::string("bad ") + std::string(what) + ": " + std::string(text));
    return value;
}

command_line parse(int argc, char** argv)
{
    command_line cl;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--metrics") {
            cl.metrics = true;
            continue;
        }
        if (arg == "--compression") {
            cl.compression = true;
            continue;
        }
        if (arg == "--allow-eio3") {
            cl.allow_eio3 = true;
            continue;
        }
        if (i + 1 >= argc)
            usage("missing value for " + std::string(arg));
        std::string_view value = argv[++i];
        if (arg == "--host")
            cl.host = value;
        else if (arg == "--port")
            cl.port = parse_number<std::uint16_t>(value, "port");
        else if (arg == "--threads")
            cl.threads = std::max(1u, parse_number<unsigned>(value, "thread count"));
        else if (arg == "--echo-path")
            cl.echo_path = value;
        else if (arg == "--redis")
            cl.redis = value;
        else if (arg == "--node-name")
            cl.node_name = value;
        else if (arg == "--redis-adapter" && value == "classic")
            cl.redis_adapter = conformance::redis_adapter_kind::classic;
        else if (arg == "--redis-adapter" && value == "sharded")
            cl.redis_adapter = conformance::redis_adapter_kind::sharded;
        else if (arg == "--redis-adapter" && value == "streams")
            cl.redis_adapter = conformance::redis_adapter_kind::streams;
        else if (arg == "--tls-cert")
            cl.tls_cert = value;
        else if (arg == "--tls-key")
            cl.tls_key = value;
        else if (arg == "--admin-ui" && corio::parse_admin_ui_credentials(value))
            cl.admin_ui = corio::parse_admin_ui_credentials(value);
        else if (arg == "--admin-ui-files")
            cl.admin_ui_files = value;
        else if (arg == "--parser" && value == "msgpack")
            cl.parser = corio::protocol::socket_parser::msgpack;
        else if (arg == "--state-recovery")
            cl.state_recovery = std::chrono::milliseconds(parse_number<std::uint32_t>(value, "duration"));
        else
            usage("unknown option " + std::string(arg));
    }
    if (cl.tls_cert.empty() != cl.tls_key.empty())
        usage("--tls-cert and --tls-key go together");
    if (!cl.admin_ui_files.empty() && !cl.admin_ui)
        usage("--admin-ui-files needs --admin-ui");
    // Part E: in cluster mode the sessions are in Redis, on the streams
    // variant: the only one that keeps them, as in Node.
    if (cl.state_recovery && cl.redis_adapter.value_or(conformance::redis_adapter_kind::streams) !=
                                 conformance::redis_adapter_kind::streams)
        usage("--state-recovery with --redis needs --redis-adapter streams (the only one that keeps sessions)");
    if (cl.state_recovery && !cl.redis_adapter)
        cl.redis_adapter = conformance::redis_adapter_kind::streams;
    return cl;
}

// The official suites' 300/200 ms heartbeat and 1 MB payloads.
corio::engine::options engine_suite_options()
{
    corio::engine::options o;
    o.path = "/engine.io/";
    o.ping_interval = std::chrono::milliseconds(300);
    o.ping_timeout = std::chrono::milliseconds(200);
    o.limits.max_payload = 1'000'000;
    return o;
}

corio::server_options socket_suite_options()
{
    corio::server_options o;
    o.engine = engine_suite_options();
    o.engine.path = "/socket.io/";
    o.connect_timeout = std::chrono::milliseconds(1000);
    return o;
}

corio::server_options echo_options(const std::string& path)
{
    corio::server_options o;
    o.engine.path = path;
    o.engine.limits.max_payload = 1'000'000;
    return o;
}

// Serve's drain: the raw Engine.IO endpoint closes its sessions and the two
// Socket.IO servers shut down, all three at once.
boost::asio::awaitable<void> close_everything(corio::engine::server& engine_endpoint, corio::server& suite,
                                              corio::server& echo_io, std::chrono::milliseconds deadline)
{
    using namespace boost::asio::experimental::awaitable_operators;
    co_await (engine_endpoint.async_close_all(corio::engine::close_reason::server_shutdown, deadline) &&
              suite.shutdown(deadline) && echo_io.shutdown(deadline));
}

} // namespace

int main(int argc, char** argv)
{
    auto cl = parse(argc, argv);
    boost::asio::io_context ioc(static_cast<int>(cl.threads));

    conformance::engine_echo echo;
    corio::engine::server engine_endpoint(ioc.get_executor(), engine_suite_options(), echo);
    corio::server suite(ioc.get_executor(), socket_suite_options());
    conformance::setup_suite_app(suite);
    auto echo_opts = echo_options(cl.echo_path);
    echo_opts.parser = cl.parser;
    echo_opts.engine.compression.enabled = cl.compression;
    echo_opts.engine.allow_eio3 = cl.allow_eio3;
    auto metrics = cl.metrics ? std::make_shared<corio::engine::metrics_endpoint>() : nullptr;
    std::shared_ptr<void> redis;
    if (!cl.redis.empty()) {
        redis = conformance::join_redis_cluster(
            ioc, cl.redis, cl.redis_adapter.value_or(conformance::redis_adapter_kind::classic), echo_opts, metrics.get());
        if (!redis)
            usage("cannot use --redis " + cl.redis + " (a bad URL, or built without Redis)");
    }
    corio::server echo_io(ioc.get_executor(), echo_opts);

    corio::engine::listener_options listen_options;
    if (!cl.tls_cert.empty())
        listen_options.tls = corio::engine::tls_options{.certificate_chain_file = cl.tls_cert,
                                                        .private_key_file = cl.tls_key};
    std::optional<corio::engine::listener> made;
    try {
        made.emplace(ioc, listen_options);
    } catch (const boost::system::system_error& e) {
        std::cerr << "corio_conformance: " << e.what() << "\n";
        return 1;
    }
    auto& listener = *made;
    listener.add(engine_endpoint);
    listener.add(suite.engine());
    listener.add(echo_io.engine());
    if (metrics) {
        metrics->add([&](corio::engine::metrics_writer& w) {
            corio::engine::write_metrics(w, listener);
            corio::engine::write_metrics(w, engine_endpoint);
            corio::write_metrics(w, suite);
            corio::write_metrics(w, echo_io);
        });
        listener.add(metrics);
    }

    // The restart hook runs on this timer's strand: restarts never overlap.
    boost::asio::steady_timer restart_timer(boost::asio::make_strand(ioc));
    conformance::setup_echo_app(echo_io, [&](std::chrono::milliseconds down) {
        boost::asio::dispatch(restart_timer.get_executor(), [&, down] {
            listener.stop();
            listener.drop_connections();
            engine_endpoint.abort_all();
            suite.engine().abort_all();
            echo_io.engine().abort_all();
            restart_timer.expires_after(down);
            restart_timer.async_wait([&](boost::system::error_code ec) {
                if (!ec)
                    listener.listen(cl.host, listener.port());
            });
        });
    });
    if (redis)
        conformance::setup_cluster_rows(echo_io, cl.node_name);
    if (cl.state_recovery) {
        corio::state_recovery_options recovery;
        recovery.enabled = true;
        recovery.max_disconnection_duration = *cl.state_recovery;
        echo_io.of("/").state_recovery(recovery);
    }
    if (cl.admin_ui) {
        corio::instrument_admin_ui(echo_io,
                                   {.auth = cl.admin_ui, .namespace_name = "/admin-ui", .server_id = cl.node_name});
        if (!cl.admin_ui_files.empty())
            listener.add(std::make_shared<corio::engine::static_files>("/admin-ui/", cl.admin_ui_files));
    }

    // On a signal: every endpoint closes its sessions, each client getting a
    // close packet (the Socket.IO ones a disconnect first), then serve returns.
    try {
        corio::serve(ioc, listener,
                     [&](std::chrono::milliseconds deadline) {
                         return close_everything(engine_endpoint, suite, echo_io, deadline);
                     },
                     {.host = cl.host,
                      .port = cl.port,
                      .threads = cl.threads,
                      // No client is left by then, or it is one a test abandoned: a
                      // handler still waiting on it (`ask`) need not hold the stop up.
                      .drain_deadline = std::chrono::milliseconds(1000),
                      .on_listening = [&cl](std::uint16_t port) {
                          std::cout << "listening on " << cl.host << ":" << port << std::endl;
                      }});
    } catch (const boost::system::system_error& e) {
        std::cerr << "corio_conformance: " << e.what() << "\n";
        return 1;
    }
}
