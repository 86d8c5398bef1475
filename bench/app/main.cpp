// The benchmark app (../shared/specs/bench-app.md, mirrored in bench/node/server.mjs): the
// Socket.IO server that bench/run drives with corio_loadgen, and nothing more.
//   echo  (any args, ack) -> ack with the same args
//   join  (room, ack)     -> join the room, ack true
//   bcast (payload, ack)  -> emit bcast(payload) to room "bench", ack true
// Usage: corio_bench_app [--port N] [--threads N] [--redis URL] [--tls-cert FILE --tls-key FILE]
//                        [--metrics] [--compression] [--parser msgpack]
//   (defaults: $PORT or 3000, $THREADS or 1, no Redis, no TLS, no metrics, no compression)
// With --tls-cert and --tls-key the listener serves HTTPS/WSS only (the tls-connect and tls-echo
// scenarios), as bench/node/server.mjs does with Node's https server.
// With --redis redis://HOST:PORT, the server joins a cluster over Redis (the Redis adapter, on
// the wire of Node's @socket.io/redis-adapter): `bcast` then reaches room "bench" on every
// server of the cluster. Without it, the app is exactly the single-server bench app.
// With --metrics (bench/run --metrics-cost), what a Prometheus scraping every second costs the
// server: GET /metrics/ is served, and a side task builds a scrape's text once a second. Off by
// default: the app is then exactly the spec's.
// With --compression (the fanout-deflate scenario), WebSocket permessage-deflate at the default
// threshold (1024 bytes), as server.mjs's perMessageDeflate with its threshold.
// With --parser msgpack, the server speaks socket.io-msgpack-parser's encoding (as
// bench/node/server.mjs --parser msgpack does); corio_loadgen --parser msgpack drives it.
// Prints "listening on 127.0.0.1:PORT" once it accepts connections (with --redis, once both
// Redis connections are up, or after 5 s of trying, with a warning).

#include <corio/engine/listener.hpp>
#include <corio/metrics.hpp>
#include <corio/serve.hpp>
#include <corio/server.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/system_error.hpp>

#ifdef CORIO_WITH_REDIS
#include <corio/redis/adapter.hpp>
#include <corio/redis/connection.hpp>
#include <corio/redis/endpoint.hpp>
#include <corio/redis/subscriber.hpp>
#endif

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>

namespace {

constexpr std::string_view host = "127.0.0.1";

struct command_line {
    std::uint16_t port = 3000;
    unsigned threads = 1; // comparisons run every server on one core
    std::string redis;    // the cluster's Redis URL; empty: a server on its own
    std::string tls_cert; // PEM certificate chain and key: both or neither
    std::string tls_key;
    bool metrics = false; // serve /metrics/ and build a scrape once a second
    corio::protocol::socket_parser parser = corio::protocol::socket_parser::json;
    bool compression = false; // permessage-deflate
};

[[noreturn]] void usage(std::string_view problem)
{
    std::cerr << "corio_bench_app: " << problem << "\n"
              << "usage: corio_bench_app [--port N] [--threads N] [--redis URL] [--tls-cert FILE --tls-key FILE]\n"
              << "                       [--metrics] [--compression] [--parser msgpack]\n"
              << "       (or PORT / THREADS in the environment)\n";
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

// The environment first, so that a command-line option overrides it.
command_line parse(int argc, char** argv)
{
    command_line cl;
    if (const char* port = std::getenv("PORT"); port && *port)
        cl.port = parse_number<std::uint16_t>(port, "PORT");
    if (const char* threads = std::getenv("THREADS"); threads && *threads)
        cl.threads = std::max(1u, parse_number<unsigned>(threads, "THREADS"));
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
        if (i + 1 >= argc)
            usage("missing value for " + std::string(arg));
        std::string_view value = argv[++i];
        if (arg == "--port")
            cl.port = parse_number<std::uint16_t>(value, "port");
        else if (arg == "--threads")
            cl.threads = std::max(1u, parse_number<unsigned>(value, "thread count"));
        else if (arg == "--redis")
            cl.redis = value;
        else if (arg == "--tls-cert")
            cl.tls_cert = value;
        else if (arg == "--tls-key")
            cl.tls_key = value;
        else if (arg == "--parser" && value == "msgpack")
            cl.parser = corio::protocol::socket_parser::msgpack;
        else
            usage("unknown option " + std::string(arg));
    }
    if (cl.tls_cert.empty() != cl.tls_key.empty())
        usage("--tls-cert and --tls-key go together");
    return cl;
}

// Engine.IO defaults as the spec states them (pingInterval 25 s, pingTimeout 20 s, maxPayload
// 1e6, no compression); spelled out so that a change of Corio's defaults cannot skew the
// comparison. Warnings and errors still reach stderr; nothing is logged per event.
corio::server_options bench_options()
{
    corio::server_options o;
    o.engine.path = "/socket.io/";
    o.engine.ping_interval = std::chrono::milliseconds(25'000);
    o.engine.ping_timeout = std::chrono::milliseconds(20'000);
    o.engine.limits.max_payload = 1'000'000;
    // The load comes from one address (127.0.0.1), at rates far past the per-address handshake
    // limit, which Node's server does not have: the bench measures the server, not that guard.
    o.engine.handshake_rate = {};
    o.log = corio::logger(); // warnings and errors to stderr: nothing per packet
    return o;
}

void setup_bench_app(corio::server& io)
{
    auto root = io.of("/");
    root.on("echo", [](corio::context&, corio::arguments args) { return args; });
    root.on("join", [](corio::context& ctx, std::string room) {
        ctx.join(std::move(room));
        return true;
    });
    // The room of the namespace, not ctx.to(): the sender is not excluded (it is not a member).
    root.on("bcast", [root](corio::context&, corio::arguments payload) {
        root.to("bench").emit_arguments("bcast", std::move(payload));
        return true;
    });
}

#ifdef CORIO_WITH_REDIS
/// The server's two connections to the cluster's Redis.
struct redis_link {
    std::shared_ptr<corio::redis::connection> pub;
    std::shared_ptr<corio::redis::subscriber> sub;

    ~redis_link()
    {
        pub->close();
        sub->close();
    }
};
#endif

/// With --redis: every namespace gets the Redis adapter. Returns what must
/// live as long as the server (null without --redis); exits on a bad URL or
/// when built without the adapter.
std::shared_ptr<void> join_cluster([[maybe_unused]] boost::asio::io_context& ioc, const std::string& url,
                                   [[maybe_unused]] corio::server_options& options)
{
    if (url.empty())
        return nullptr;
#ifdef CORIO_WITH_REDIS
    auto where = corio::redis::parse_url(url);
    if (!where)
        usage("bad --redis URL: " + url);
    corio::redis::connection_options co{.where = *where};
    co.log = options.log;
    auto link = std::make_shared<redis_link>();
    link->pub = corio::redis::connection::create(ioc.get_executor(), co);
    link->sub = corio::redis::subscriber::create(ioc.get_executor(), co);
    corio::redis::adapter_options ao;
    ao.log = options.log;
    options.make_adapter = corio::redis::create_adapter(link->pub, link->sub, std::move(ao));
    link->pub->start();
    link->sub->start();
    return link;
#else
    usage("--redis: this build has no Redis adapter (the corio_redis target)");
#endif
}

/// Runs the io_context until both Redis connections are up (the subscriber's
/// subscriptions confirmed), so that no broadcast published once the server
/// listens can miss it; gives up after `limit` with a warning.
void await_cluster([[maybe_unused]] boost::asio::io_context& ioc, [[maybe_unused]] const std::shared_ptr<void>& cluster,
                   [[maybe_unused]] std::chrono::milliseconds limit)
{
#ifdef CORIO_WITH_REDIS
    if (!cluster)
        return;
    auto& link = *static_cast<redis_link*>(cluster.get());
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!(link.pub->connected() && link.sub->connected()) && std::chrono::steady_clock::now() < deadline)
        ioc.run_one_for(std::chrono::milliseconds(10));
    if (!(link.pub->connected() && link.sub->connected()))
        std::cerr << "corio_bench_app: warning: Redis not reached within " << limit.count()
                  << " ms; serving anyway (broadcasts reach this server's sockets only until it is)\n";
    if (ioc.stopped())
        ioc.restart();
#endif
}

/// --metrics: builds a scrape's text once a second on the server's threads, as serving a
/// Prometheus that scrapes every second would (the HTTP exchange aside).
class scraper : public std::enable_shared_from_this<scraper> {
public:
    scraper(boost::asio::io_context& ioc, std::shared_ptr<corio::engine::metrics_endpoint> metrics)
        : timer_(ioc), metrics_(std::move(metrics))
    {
    }

    void start()
    {
        timer_.expires_after(std::chrono::seconds(1));
        timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (ec)
                return;
            self->bytes_ += self->metrics_->text().size();
            self->start();
        });
    }

private:
    boost::asio::steady_timer timer_;
    std::shared_ptr<corio::engine::metrics_endpoint> metrics_;
    std::size_t bytes_ = 0; // what the scrapes built, so that they are not optimised away
};

/// One thread without Redis is the whole program: nothing posts to the io_context from
/// another thread, so Asio may skip its scheduler's and reactor's locks, as the ceiling's
/// one thread does (docs/performance.md, "One thread without locks"). With Redis it may
/// not: the Redis connection resolves its host, which Asio refuses under that hint.
int concurrency_hint(const command_line& cl)
{
    if (cl.threads == 1 && cl.redis.empty())
        return BOOST_ASIO_CONCURRENCY_HINT_UNSAFE;
    return static_cast<int>(cl.threads);
}

} // namespace

int main(int argc, char** argv)
{
    auto cl = parse(argc, argv);
    boost::asio::io_context ioc(concurrency_hint(cl));

    auto options = bench_options();
    options.parser = cl.parser;
    options.engine.compression.enabled = cl.compression;
    auto cluster = join_cluster(ioc, cl.redis, options);
    corio::server io(ioc.get_executor(), std::move(options));
    setup_bench_app(io);
    await_cluster(ioc, cluster, std::chrono::seconds(5));

    corio::engine::listener_options listen_options;
    listen_options.backlog = std::max(listen_options.backlog, 1024);
    // connect-max holds 19,000 connections from that one address: no connection caps either.
    listen_options.max_connections = 0;
    listen_options.max_connections_per_address = 0;
    if (!cl.tls_cert.empty())
        listen_options.tls = corio::engine::tls_options{.certificate_chain_file = cl.tls_cert,
                                                        .private_key_file = cl.tls_key};
    // A signal ends the run at once (no drain): the load generator has finished measuring by
    // then, and closing thousands of sessions politely would only delay the next server's start.
    try {
        corio::engine::listener listener(ioc, listen_options);
        listener.add(io.engine());
        if (cl.metrics) {
            auto metrics = std::make_shared<corio::engine::metrics_endpoint>();
            metrics->add([&listener, &io](corio::engine::metrics_writer& w) {
                corio::engine::write_metrics(w, listener);
                corio::write_metrics(w, io);
            });
            listener.add(metrics);
            std::make_shared<scraper>(ioc, metrics)->start();
        }
        corio::serve(ioc, listener, nullptr,
                     {.host = std::string(host),
                      .port = cl.port,
                      .threads = cl.threads,
                      .on_listening = [](std::uint16_t port) {
                          std::cout << "listening on " << host << ":" << port << std::endl;
                      }});
    } catch (const boost::system::system_error& e) {
        std::cerr << "corio_bench_app: " << e.what() << "\n";
        return 1;
    }
}
