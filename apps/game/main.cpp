// corio-game: the sample game server. Accounts, a lobby with rooms by code,
// and Connect Four in the browser (docs/game.md).
// Usage: corio-game [--host localhost] [--port 8080] [--db game.db] [--threads N]
//                   [--web-root DIR] [--password-cost interactive|minimal]
//                   [--reconnect-grace SECONDS] [--secure-cookies yes|no]
//                   [--chat-history N] [--min-clock SECONDS]
//                   [--redis redis://HOST:PORT [--node-name NAME] [--node-timeout SECONDS]]
//                   [--tls-cert FILE --tls-key FILE] [--trusted-proxy ADDR[/BITS]]...
//                   [--log-level debug|info|warning|error|off] [--log-format text|json]
//                   [--metrics] [--admin-ui USER:BCRYPT_HASH [--admin-ui-files DIR]]
// With --metrics, GET /metrics answers the Prometheus text format. With
// --admin-ui, the Socket.IO Admin UI is served under /admin-ui/ (its files from
// the npm package @socket.io/admin-ui, or DIR) and connects to namespace /admin
// with that user and password.
// With --tls-cert and --tls-key it serves HTTPS and WSS itself (SIGHUP reloads
// the files), and its cookies are Secure unless --secure-cookies no.
// With --redis, several processes form one game: rooms, turns and presence
// live in Redis, and Socket.IO events cross nodes through the Redis adapter.
// Behind a reverse proxy, --trusted-proxy (once per address or CIDR range)
// lets that proxy's X-Forwarded-For / Forwarded name the client, whose
// address the per-address rate limits then count.
// Logs go to stderr: text lines (for a terminal or journald), or JSON lines
// with --log-format json (for log shippers); info by default (connects,
// disconnects, Redis link changes), never passwords, tokens or cookies.

#include "http/api.hpp"
#include "http/rate_limiter.hpp"
#include "play/computer.hpp"
#include "play/handlers.hpp"
#include "play/lobby.hpp"
#include "play/memory_room_store.hpp"
#include "play/sqlite_chat_log.hpp"
#ifdef CORIO_GAME_WITH_REDIS
#include "play/redis_room_store.hpp"

#include <corio/redis/adapter.hpp>
#include <corio/redis/connection.hpp>
#include <corio/redis/endpoint.hpp>
#include <corio/redis/subscriber.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#endif
#include "store/accounts.hpp"
#include "store/database.hpp"
#include "store/results.hpp"

#include <corio/admin_ui.hpp>
#include <corio/engine/listener.hpp>
#include <corio/engine/metrics.hpp>
#include <corio/engine/static_files.hpp>
#include <corio/engine/trusted_proxies.hpp>
#include <corio/log.hpp>
#include <corio/metrics.hpp>
#include <corio/serve.hpp>
#include <corio/server.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace net = boost::asio;
using namespace std::chrono_literals;

namespace {

struct command_line {
    std::string host = "localhost";
    std::uint16_t port = 8080;
    std::string db = "game.db";
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    std::string web_root;
    corio_game::password_cost cost = corio_game::password_cost::interactive;
    std::chrono::seconds reconnect_grace{30};
    /// How many of a room's last chat messages are kept and replayed.
    std::size_t chat_history = 50;
    /// The shortest turn clock a room may ask for (tests flag in seconds).
    std::optional<std::chrono::seconds> min_clock;
    /// Unset: Secure exactly when the game serves TLS itself.
    std::optional<bool> secure_cookies;
    std::string redis;
    std::string node_name;
    /// How long a silent node counts as alive (at least 2 s: nodes sweep every second).
    std::optional<std::chrono::seconds> node_timeout;
    /// The certificate chain and key (PEM) to serve HTTPS with; both or neither.
    std::string tls_cert;
    std::string tls_key;
    /// Reverse proxies whose forwarded-for headers are believed
    /// (listener_options::trusted_proxies).
    std::vector<std::string> trusted_proxies;
    corio::log_level log_level = corio::log_level::info;
    bool log_json = false;
    bool metrics = false;
    std::optional<corio::admin_ui_credentials> admin_ui;
    std::string admin_ui_files = CORIO_GAME_ADMIN_UI_DIR;
};

[[noreturn]] void usage(std::string_view problem)
{
    std::cerr << "corio-game: " << problem << "\n"
              << "usage: corio-game [--host ADDR] [--port N] [--db FILE] [--threads N] [--web-root DIR]\n"
              << "                  [--password-cost interactive|minimal] [--reconnect-grace SECONDS]\n"
              << "                  [--secure-cookies yes|no] [--chat-history N] [--min-clock SECONDS]\n"
              << "                  [--redis redis://HOST:PORT [--node-name NAME] [--node-timeout SECONDS]]\n"
              << "                  [--tls-cert FILE --tls-key FILE] [--trusted-proxy ADDR[/BITS]]...\n"
              << "                  [--log-level debug|info|warning|error|off] [--log-format text|json]\n"
              << "                  [--metrics] [--admin-ui USER:BCRYPT_HASH [--admin-ui-files DIR]]\n";
    std::exit(2);
}

template <class T> T parse_number(std::string_view text)
{
    T value{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size())
        usage("not a number: " + std::string(text));
    return value;
}

// A replay is one event; 500 messages of up to 800 bytes are 400 kB already.
constexpr std::size_t max_chat_history = 500;

command_line parse(int argc, char** argv)
{
    command_line cl;
    bool admin_ui_files = false;
    for (int i = 1; i < argc; ++i) {
        std::string_view option = argv[i];
        if (option == "--metrics") {
            cl.metrics = true;
            continue;
        }
        if (i + 1 >= argc)
            usage("missing value for " + std::string(option));
        std::string_view value = argv[++i];
        if (option == "--host")
            cl.host = value;
        else if (option == "--port")
            cl.port = parse_number<std::uint16_t>(value);
        else if (option == "--db")
            cl.db = value;
        else if (option == "--threads")
            cl.threads = std::max(1u, parse_number<unsigned>(value));
        else if (option == "--web-root")
            cl.web_root = value;
        else if (option == "--password-cost" && (value == "interactive" || value == "minimal"))
            cl.cost = value == "minimal" ? corio_game::password_cost::minimal : corio_game::password_cost::interactive;
        else if (option == "--reconnect-grace")
            cl.reconnect_grace = std::chrono::seconds(parse_number<unsigned>(value));
        else if (option == "--chat-history")
            cl.chat_history = std::min(parse_number<std::size_t>(value), max_chat_history);
        else if (option == "--min-clock" && parse_number<unsigned>(value) >= 1)
            cl.min_clock = std::chrono::seconds(parse_number<unsigned>(value));
        else if (option == "--secure-cookies" && (value == "yes" || value == "no"))
            cl.secure_cookies = value == "yes";
        else if (option == "--redis" && !value.empty())
            cl.redis = value;
        else if (option == "--node-name" && !value.empty())
            cl.node_name = value;
        else if (option == "--node-timeout")
            cl.node_timeout = std::chrono::seconds(std::max(2u, parse_number<unsigned>(value)));
        else if (option == "--tls-cert" && !value.empty())
            cl.tls_cert = value;
        else if (option == "--tls-key" && !value.empty())
            cl.tls_key = value;
        else if (option == "--trusted-proxy")
            cl.trusted_proxies.emplace_back(value);
        else if (option == "--log-level" && corio::parse_log_level(value))
            cl.log_level = *corio::parse_log_level(value);
        else if (option == "--log-format" && (value == "text" || value == "json"))
            cl.log_json = value == "json";
        else if (option == "--admin-ui" && corio::parse_admin_ui_credentials(value))
            cl.admin_ui = corio::parse_admin_ui_credentials(value);
        else if (option == "--admin-ui-files" && !value.empty()) {
            cl.admin_ui_files = value;
            admin_ui_files = true;
        } else
            usage("unknown option or value: " + std::string(option) + " " + std::string(value));
    }
    if ((!cl.node_name.empty() || cl.node_timeout) && cl.redis.empty())
        usage("--node-name and --node-timeout need --redis");
    if (cl.tls_cert.empty() != cl.tls_key.empty())
        usage("--tls-cert and --tls-key go together");
    if (admin_ui_files && !cl.admin_ui)
        usage("--admin-ui-files needs --admin-ui");
    try {
        corio::engine::trusted_proxies{cl.trusted_proxies};
    } catch (const std::invalid_argument& e) {
        usage(std::string("--trusted-proxy: ") + e.what());
    }
    return cl;
}

/// Every part of the game logs through this one (--log-level, --log-format).
corio::logger make_logger(const command_line& cl)
{
    return corio::logger(cl.log_json ? corio::json_sink() : corio::text_sink(), cl.log_level);
}

#ifdef CORIO_GAME_WITH_REDIS
/// A name for this node when none is given: random, so two nodes never share one.
std::string random_node_name()
{
    std::random_device random;
    std::uniform_int_distribution<unsigned> byte(0, 255);
    std::string name = "node-";
    for (int i = 0; i < 4; ++i) {
        constexpr std::string_view hex = "0123456789abcdef";
        auto b = byte(random);
        name += hex[b >> 4];
        name += hex[b & 15];
    }
    return name;
}

/// Where the Redis of `url` is, for messages: its address, never the URL's
/// user or password.
std::string redis_address(const std::string& url)
{
    auto e = corio::redis::parse_url(url);
    if (!e)
        return "an invalid Redis URL";
    if (!e->unix_path.empty())
        return "unix://" + e->unix_path;
    auto host = e->host.find(':') != std::string::npos ? "[" + e->host + "]" : e->host;
    return "redis://" + host + ":" + e->port + (e->db != 0 ? "/" + std::to_string(e->db) : std::string());
}

/// This node's membership of a cluster: the Socket.IO adapter's two
/// connections and the room store (which has its own).
struct cluster_link {
    std::shared_ptr<corio::redis::connection> pub;
    std::shared_ptr<corio::redis::subscriber> sub;
    std::shared_ptr<corio_game::redis_room_store> store;

    ~cluster_link()
    {
        store->close();
        pub->close();
        sub->close();
    }
};

/// The shutdown of a node: the server's, then the disconnect handlers it
/// started (they mark this node's players away, and publish it), then what
/// was published goes out before the process does: PING answers after every
/// command sent before it. A node that dies instead is covered by the others'
/// sweeps, only later.
boost::asio::awaitable<void> leave_cluster(corio::server* io, std::shared_ptr<corio_game::lobby> lobby,
                                           std::shared_ptr<cluster_link> link, std::chrono::milliseconds deadline)
{
    using namespace boost::asio::experimental::awaitable_operators;
    co_await io->shutdown(deadline);
    co_await lobby->settle(deadline);
    auto ex = co_await boost::asio::this_coro::executor;
    boost::asio::steady_timer bound(ex, 1s);
    std::vector<std::string> ping{"PING"};
    // Redis away: nothing to flush, and the bound ends the wait.
    co_await (link->pub->async_exec(std::move(ping), boost::asio::as_tuple(boost::asio::use_awaitable)) ||
              bound.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable)));
}

/// Joins the cluster at `url` as `node`: sets `options.make_adapter`.
/// Nothing waits for Redis: a node started before it serves alone and joins
/// once Redis answers (game operations fail cleanly meanwhile).
std::shared_ptr<cluster_link> join_cluster(boost::asio::io_context& ioc, const std::string& url,
                                           const std::string& node, std::chrono::seconds node_timeout,
                                           corio::server_options& options, const corio::logger& log)
{
    auto where = corio::redis::parse_url(url);
    if (!where)
        // Not the URL itself: it may hold a password.
        usage("--redis: not a Redis URL (redis://HOST:PORT[/DB] or unix:///PATH)");
    corio::redis::connection_options co{.where = *where};
    co.log = log;
    auto link = std::make_shared<cluster_link>();
    link->pub = corio::redis::connection::create(ioc.get_executor(), co);
    link->sub = corio::redis::subscriber::create(ioc.get_executor(), co);
    // Its own channels ("corio-game#/#..."): another Socket.IO app on the
    // same Redis does not hear the game's broadcasts.
    options.make_adapter = corio::redis::create_adapter(link->pub, link->sub, {.key = "corio-game", .log = log});
    link->pub->start();
    link->sub->start();
    link->store = std::make_shared<corio_game::redis_room_store>(
        ioc.get_executor(), co,
        corio_game::redis_store_options{.node = node, .node_timeout = node_timeout, .log = log});
    return link;
}
#endif

} // namespace

int main(int argc, char** argv)
{
    auto cl = parse(argc, argv);
    auto log = make_logger(cl);

    std::optional<corio_game::database> db;
    try {
        db.emplace(cl.db);
    } catch (const std::exception& e) {
        std::cerr << "corio-game: cannot open the database " << cl.db << ": " << e.what() << "\n";
        return 1;
    }
    corio_game::accounts accounts(*db, cl.cost);
    corio_game::results results(*db);
    corio_game::rate_limiter limiter;

    net::io_context ioc(static_cast<int>(cl.threads));
    // Argon2id takes tens of milliseconds and 64 MiB per hash: it runs here,
    // never on the threads that serve sockets.
    net::thread_pool hashing(2);

    auto game_clock = corio_game::make_steady_clock(ioc.get_executor());
    corio::server_options server_options;
    server_options.log = log;
    std::shared_ptr<corio_game::room_store> store;
    corio_game::lobby_options lobby_options{.reconnect_grace = cl.reconnect_grace};
    lobby_options.chat_kept = cl.chat_history;
    lobby_options.log = log;
    if (cl.min_clock)
        lobby_options.clock_min = std::min(*cl.min_clock, lobby_options.clock_max);
    std::string node_name; // names this node in the Admin UI; by default its host and pid
#ifdef CORIO_GAME_WITH_REDIS
    std::shared_ptr<cluster_link> cluster;
    if (!cl.redis.empty()) {
        auto node = cl.node_name.empty() ? random_node_name() : cl.node_name;
        node_name = node;
        cluster = join_cluster(ioc, cl.redis, node, cl.node_timeout.value_or(10s), server_options, log);
        store = cluster->store;
        lobby_options.chat_store = cluster->store;
        // Every second: this node is alive, and it takes over what stopped nodes left.
        lobby_options.sweep_interval = 1s;
        std::cout << "corio-game: node " << node << " of the game at " << redis_address(cl.redis) << std::endl;
    }
#else
    if (!cl.redis.empty())
        usage("--redis: this corio-game was built without Redis support");
#endif
    if (!store) {
        store = std::make_shared<corio_game::memory_room_store>(*game_clock);
        lobby_options.chat_store = std::make_shared<corio_game::sqlite_chat_log>(*db);
    }

    corio::server io(ioc.get_executor(), server_options);
    auto lobby =
        std::make_shared<corio_game::lobby>(io.of("/"), store, results, *game_clock, ioc.get_executor(), lobby_options);
    corio_game::register_game_handlers(io, accounts, lobby);
    // "Play the computer": its searches run on a thread of their own.
    auto computer = std::make_shared<corio_game::computer>(lobby, store, *db, ioc.get_executor(),
                                                           corio_game::computer_options{.log = log});
    corio_game::register_computer_handlers(io, computer);
    computer->start();
    lobby->start();
    if (cl.admin_ui)
        corio::instrument_admin_ui(io, {.auth = cl.admin_ui, .server_id = node_name});

    corio_game::http_api api(accounts, results, limiter, hashing.get_executor(),
                             {.web_root = cl.web_root,
                              .secure_cookies = cl.secure_cookies.value_or(!cl.tls_cert.empty()),
                              .on_logout = [lobby](const corio_game::user& u) { lobby->disconnect_user(u.id); },
                              .log = log});

    corio::engine::listener_options listen_options;
    listen_options.log = log;
    listen_options.trusted_proxies = cl.trusted_proxies;
    if (!cl.tls_cert.empty())
        listen_options.tls = corio::engine::tls_options{.certificate_chain_file = cl.tls_cert,
                                                        .private_key_file = cl.tls_key};
    std::optional<corio::engine::listener> made;
    try {
        made.emplace(ioc, listen_options);
    } catch (const boost::system::system_error& e) {
        std::cerr << "corio-game: " << e.what() << "\n";
        return 1;
    }
    auto& listener = *made;
    listener.add(io.engine());
    if (cl.admin_ui)
        listener.add(std::make_shared<corio::engine::static_files>("/admin-ui/", cl.admin_ui_files));
    if (cl.metrics) {
        auto metrics = std::make_shared<corio::engine::metrics_endpoint>();
        metrics->add([&listener, &io](corio::engine::metrics_writer& w) {
            corio::engine::write_metrics(w, listener);
            corio::write_metrics(w, io);
        });
        listener.add(metrics);
    }
    listener.set_async_fallback([&api](corio::engine::http_request req, std::string remote) {
        return api.handle(std::move(req), std::move(remote));
    });

    // Until Ctrl-C; then running handlers get 5 s to finish, everyone is
    // disconnected with "server shutting down", and serve returns.
    corio::serve_options serve_options{.host = cl.host,
                                       .port = cl.port,
                                       .threads = cl.threads,
                                       .drain_deadline = 5s,
                                       .on_listening = [&cl](std::uint16_t port) {
                                           std::cout << "corio-game: listening on "
                                                     << (cl.tls_cert.empty() ? "http://" : "https://") << cl.host
                                                     << ":" << port << "/" << std::endl;
                                       }};
    try {
#ifdef CORIO_GAME_WITH_REDIS
        if (cluster) {
            corio::serve(
                ioc, listener,
                [&io, lobby, cluster](std::chrono::milliseconds deadline) {
                    return leave_cluster(&io, lobby, cluster, deadline);
                },
                serve_options);
        } else {
            corio::serve(ioc, listener, io, serve_options);
        }
#else
        corio::serve(ioc, listener, io, serve_options);
#endif
    } catch (const boost::system::system_error& e) {
        std::cerr << "corio-game: " << e.what() << "\n";
        return 1;
    }
    computer->stop();
    lobby->stop();
    hashing.join();
}
