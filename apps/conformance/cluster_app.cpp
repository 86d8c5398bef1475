#include "cluster_app.hpp"

#include <corio/dsl.hpp>
#include <corio/memory_adapter.hpp>
#ifdef CORIO_WITH_REDIS
#include <corio/redis/adapter.hpp>
#include <corio/redis/metrics.hpp>
#endif
#include <corio/protocol/json_writer.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <optional>
#include <set>

namespace conformance {

namespace net = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

/// How nodes() bounds serverSideEmitWithAck (spec D).
constexpr auto nodes_timeout = 3000ms;

json::value error_of(const boost::system::error_code& ec)
{
    return json::object{{"error", ec.message()}};
}

/// JavaScript's String(v), which Array.prototype.sort() compares by default.
std::string js_string(const json::value& v)
{
    if (const auto* s = v.if_string())
        return std::string(*s);
    if (const auto* a = v.if_array()) {
        std::string out;
        for (std::size_t i = 0; i < a->size(); ++i) {
            if (i)
                out += ',';
            if (!(*a)[i].is_null())
                out += js_string((*a)[i]);
        }
        return out;
    }
    if (v.is_object())
        return "[object Object]";
    return corio::protocol::to_json(v);
}

/// Sorted as Array.prototype.sort() sorts: by String(v), code unit order.
/// (UTF-8 byte order equals UTF-16 code unit order outside the
/// supplementary planes, which the checks do not use.)
void js_sort(json::array& values)
{
    std::stable_sort(values.begin(), values.end(),
                     [](const json::value& a, const json::value& b) { return js_string(a) < js_string(b); });
}

json::value first_or_null(const corio::arguments& args)
{
    return args.empty() ? json::value(nullptr) : args.values().front();
}

net::awaitable<json::value> gather(corio::nsp root, std::string room, std::string event, std::int64_t timeout_ms)
{
    auto timeout = std::chrono::milliseconds(std::max<std::int64_t>(0, timeout_ms));
    auto answers = co_await root.to(std::move(room)).emit_with_ack_arguments(timeout, event, {});
    if (!answers)
        co_return json::object{{"error", "timeout"}};
    json::array firsts;
    for (const auto& a : *answers)
        firsts.push_back(first_or_null(a));
    js_sort(firsts);
    co_return firsts;
}

net::awaitable<json::value> count_sockets(corio::nsp root)
{
    auto sockets = co_await root.fetch_sockets();
    if (!sockets)
        co_return error_of(sockets.error());
    co_return sockets->size();
}

net::awaitable<json::value> named_rooms(corio::nsp root)
{
    auto sockets = co_await root.fetch_sockets();
    if (!sockets)
        co_return error_of(sockets.error());
    std::set<std::string> rooms;
    for (const auto& s : *sockets)
        for (const auto& r : s.rooms())
            if (r != s.id())
                rooms.insert(r);
    json::array out;
    for (const auto& r : rooms)
        out.emplace_back(r);
    co_return out;
}

net::awaitable<json::value> fetch_room(corio::nsp root, std::string room)
{
    auto sockets = co_await root.in(std::move(room)).fetch_sockets();
    if (!sockets)
        co_return error_of(sockets.error());
    std::sort(sockets->begin(), sockets->end(), [](const auto& a, const auto& b) { return a.id() < b.id(); });
    json::array out;
    for (const auto& s : *sockets) {
        auto rooms = s.rooms();
        std::sort(rooms.begin(), rooms.end());
        json::array room_list;
        for (const auto& r : rooms)
            room_list.emplace_back(r);
        json::value node = nullptr;
        if (const auto* data = s.data().if_object())
            if (const auto* n = data->if_contains("node"))
                node = *n;
        out.push_back(json::object{{"id", s.id()}, {"rooms", std::move(room_list)}, {"node", std::move(node)}});
    }
    co_return out;
}

/// nodes()'s wait: the emit's answers, or the 3 s timer first.
struct nodes_wait {
    explicit nodes_wait(const net::any_io_executor& ex) : strand(net::make_strand(ex)), timer(strand, nodes_timeout) {}
    net::strand<net::any_io_executor> strand;
    net::steady_timer timer;
    std::optional<boost::system::result<std::vector<corio::arguments>>> answers;
};

net::awaitable<json::value> other_nodes(corio::nsp root)
{
    // The emit runs on its own and ends the timer early: waiting on both
    // with `||` would wait for the emit's own deadline (cluster_timeout)
    // after the timer won, as the emit does not stop when cancelled.
    auto wait = std::make_shared<nodes_wait>(co_await net::this_coro::executor);
    net::co_spawn(wait->strand, root.server_side_emit_with_ack("whoami"),
                  [wait](std::exception_ptr, boost::system::result<std::vector<corio::arguments>> r) {
                      wait->answers = std::move(r);
                      wait->timer.cancel();
                  });
    boost::system::error_code ignored;
    co_await wait->timer.async_wait(net::redirect_error(net::use_awaitable, ignored));
    // Back on the strand the answers are written on.
    co_await net::post(wait->strand, net::use_awaitable);
    if (!wait->answers)
        co_return json::object{{"error", "timeout"}};
    auto& answers = *wait->answers;
    if (!answers)
        co_return error_of(answers.error());
    json::array names;
    for (const auto& a : *answers)
        names.push_back(first_or_null(a));
    js_sort(names);
    co_return names;
}

net::awaitable<bool> make_join(corio::nsp root, std::string room, std::string target)
{
    // Acked once published; without Redis it still reaches this node's sockets.
    co_await root.in(std::move(room)).async_sockets_join(std::move(target));
    co_return true;
}

net::awaitable<bool> make_leave(corio::nsp root, std::string room, std::string target)
{
    co_await root.in(std::move(room)).async_sockets_leave(std::move(target));
    co_return true;
}

net::awaitable<bool> kick(corio::nsp root, std::string room)
{
    co_await root.in(std::move(room)).async_disconnect_sockets(true);
    co_return true;
}

#ifdef CORIO_WITH_REDIS
/// The connections of a node: two, or three with the streams variant's
/// reader.
struct redis_link {
    std::shared_ptr<corio::redis::connection> pub;
    std::shared_ptr<corio::redis::subscriber> sub;
    std::shared_ptr<corio::redis::connection> reader;
    std::shared_ptr<corio::redis::cluster> cluster;

    ~redis_link()
    {
        pub->close();
        sub->close();
        if (reader)
            reader->close();
    }
};
#endif

} // namespace

std::shared_ptr<void> join_redis_cluster([[maybe_unused]] net::io_context& ioc, [[maybe_unused]] const std::string& url,
                                         [[maybe_unused]] redis_adapter_kind kind,
                                         [[maybe_unused]] corio::server_options& options,
                                         [[maybe_unused]] corio::engine::metrics_endpoint* metrics)
{
#ifdef CORIO_WITH_REDIS
    auto where = corio::redis::parse_url(url);
    if (!where)
        return nullptr;
    corio::redis::connection_options co{.where = *where};
    co.log = options.log; // the server's: warnings and errors to stderr
    auto link = std::make_shared<redis_link>();
    link->pub = corio::redis::connection::create(ioc.get_executor(), co);
    link->sub = corio::redis::subscriber::create(ioc.get_executor(), co);
    switch (kind) {
    case redis_adapter_kind::classic:
        link->cluster = corio::redis::cluster::create(link->pub, link->sub, {.log = options.log});
        break;
    case redis_adapter_kind::sharded:
        link->cluster = corio::redis::cluster::create_sharded(link->pub, link->sub, {.log = options.log});
        break;
    case redis_adapter_kind::streams:
        link->reader = corio::redis::connection::create(ioc.get_executor(), co);
        link->cluster = corio::redis::cluster::create_streams(link->pub, link->sub, link->reader, {.log = options.log});
        break;
    }
    auto redis = link->cluster->factory();
    if (metrics)
        metrics->add(
            [cluster = link->cluster](corio::engine::metrics_writer& w) { corio::redis::write_metrics(w, *cluster); });
    // Part D's two namespaces, and part E's Admin UI namespace (which only
    // --admin-ui creates).
    options.make_adapter = [redis](corio::local_namespace& nsp) {
        if (nsp.name() == "/" || nsp.name() == "/admin" || nsp.name() == "/admin-ui")
            return redis(nsp);
        return corio::make_memory_adapter(nsp);
    };
    link->pub->start();
    link->sub->start();
    if (link->reader)
        link->reader->start();
    return link;
#else
    return nullptr;
#endif
}

void setup_cluster_rows(corio::server& io, std::string node_name)
{
    auto root = io.of("/");
    // Every node tells which node a socket is on through its data.
    root.use([node_name](corio::context& ctx) {
        ctx.set_shared_data(json::object{{"node", node_name}});
        return corio::accept();
    });
    root.on("all_in", [root](corio::context&, std::string room, std::string event, corio::arguments args) {
        root.to(std::move(room)).emit_arguments(event, std::move(args));
        return true;
    });
    root.on("gather", [root](corio::context&, std::string room, std::string event, std::int64_t timeout_ms) {
        return gather(root, std::move(room), std::move(event), timeout_ms);
    });
    root.on("whoami", [node_name](corio::context& ctx) {
        return json::object{{"node", node_name}, {"sid", ctx.id()}};
    });
    root.on_server_event("whoami", [node_name](corio::arguments) { return corio::arguments::of(node_name); });

    auto admin = io.of("/admin");
    admin.on("count", [root](corio::context&) { return count_sockets(root); });
    admin.on("rooms", [root](corio::context&) { return named_rooms(root); });
    admin.on("fetch", [root](corio::context&, std::string room) { return fetch_room(root, std::move(room)); });
    admin.on("make_join", [root](corio::context&, std::string room, std::string target) {
        return make_join(root, std::move(room), std::move(target));
    });
    admin.on("make_leave", [root](corio::context&, std::string room, std::string target) {
        return make_leave(root, std::move(room), std::move(target));
    });
    admin.on("kick", [root](corio::context&, std::string room) { return kick(root, std::move(room)); });
    admin.on("nodes", [root](corio::context&) { return other_nodes(root); });
}

} // namespace conformance
