// The Admin UI instrumentation: its namespace (login, commands), the
// observer that reports sockets, rooms and events to it, and the statistics
// task. The protocol is @socket.io/admin-ui 0.5's (lib/index.ts), as
// ../shared/reference/ecosystem-protocols.md §3 describes it.

#include <corio/admin_ui.hpp>
#include <corio/context.hpp>
#include <corio/server_observer.hpp>

#include "socketio/admin_ui_report.hpp"
#include "socketio/admin_ui_sessions.hpp"
#include "socketio/bcrypt_hash.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <unistd.h>

#include <mutex>
#include <stdexcept>
#include <unordered_map>

namespace corio {

namespace detail {
namespace {

namespace net = boost::asio;
namespace json = boost::json;

using clock = std::chrono::system_clock;

std::string host_name()
{
    char name[256] = {};
    if (gethostname(name, sizeof name - 1) != 0)
        return "localhost";
    return name;
}

net::awaitable<bool> check_password(std::string password, std::string hash)
{
    co_return bcrypt_matches(password, hash);
}

class admin_ui final : public server_observer, public std::enable_shared_from_this<admin_ui> {
public:
    admin_ui(server& io, admin_ui_options opts)
        : io_(io), opts_(std::move(opts)), admin_(io.of(opts_.namespace_name)), sessions_(opts_.session_lifetime),
          hostname_(host_name()), started_(std::chrono::steady_clock::now())
    {
        if (opts_.server_id.empty())
            opts_.server_id = hostname_ + "#" + std::to_string(getpid());
    }

    void install()
    {
        auto self = shared_from_this();
        admin_.on_connect([self](context& ctx) { return self->authenticate(ctx); });
        if (!opts_.read_only) {
            admin_.on("join", [self](context&, std::string nsp, std::string room, std::optional<std::string> filter) {
                if (auto target = self->select(nsp, filter))
                    target->sockets_join(std::move(room));
            });
            admin_.on("leave", [self](context&, std::string nsp, std::string room, std::optional<std::string> filter) {
                if (auto target = self->select(nsp, filter))
                    target->sockets_leave(std::move(room));
            });
            admin_.on("_disconnect", [self](context&, std::string nsp, bool close, std::optional<std::string> filter) {
                if (auto target = self->select(nsp, filter))
                    target->disconnect_sockets(close);
            });
            admin_.on("emit", [self](context&, std::string nsp, std::string filter, std::string event, arguments args) {
                if (auto target = self->select(nsp, filter))
                    target->emit_arguments(event, std::move(args));
            });
        }
        if (development())
            io_.observe(self);
        io_.spawn([self] { return self->report_stats(); });
    }

    // server_observer, in development mode only.

    void socket_connected(const socket_ref& s) override
    {
        // Where the UI finds a remote socket's client and transport.
        auto data = s.shared_data();
        if (data.is_null())
            data = json::object();
        if (auto* o = data.if_object()) {
            (*o)["_admin"] = admin_data(s);
            s.set_shared_data(std::move(data));
        }
        {
            std::lock_guard lock(mutex_);
            tracked_.insert_or_assign(key(s.nsp(), s.id()), tracked_socket{s, s.transport()});
        }
        admin_.emit("socket_connected", serialize_socket(s), now());
        if (s.nsp() == opts_.namespace_name)
            io_.spawn([self = shared_from_this(), s] { return self->send_all_sockets(s); });
    }

    void socket_disconnected(const socket_ref& s, disconnect_reason reason) override
    {
        {
            std::lock_guard lock(mutex_);
            tracked_.erase(key(s.nsp(), s.id()));
        }
        admin_.emit("socket_disconnected", s.nsp(), s.id(), server_side_name(reason), now());
    }

    void room_joined(std::string_view nsp, std::string_view room, std::string_view sid) override
    {
        admin_.emit("room_joined", nsp, room, sid, now());
    }

    void room_left(std::string_view nsp, std::string_view room, std::string_view sid) override
    {
        admin_.emit("room_left", nsp, room, sid, now());
    }

    bool wants_events() const override { return true; }

    void event_received(const socket_ref& s, std::string_view event, const arguments& args) override
    {
        if (s.nsp() != opts_.namespace_name)
            admin_.emit("event_received", s.nsp(), s.id(), event_with(event, args), now());
    }

    void event_sent(const socket_ref& s, std::string_view event, const arguments& args) override
    {
        if (s.nsp() != opts_.namespace_name)
            admin_.emit("event_sent", s.nsp(), s.id(), event_with(event, args), now());
    }

private:
    struct tracked_socket {
        socket_ref socket;
        engine::transport_kind transport;
    };

    bool development() const noexcept { return opts_.mode == admin_ui_mode::development; }
    static std::string now() { return admin_timestamp(clock::now()); }
    static std::string key(std::string_view nsp, std::string_view sid)
    {
        std::string k(nsp);
        k += '#';
        k += sid;
        return k;
    }
    static json::array event_with(std::string_view event, const arguments& args)
    {
        json::array out;
        out.reserve(args.size() + 1);
        out.emplace_back(event);
        for (const auto& v : args.values())
            out.push_back(v);
        return out;
    }

    /// The sockets a command names: those of namespace `nsp` in room (or
    /// with id) `filter`, every one without. Nothing for a namespace this
    /// server does not hold: a command must not create one.
    std::optional<broadcast_operator> select(const std::string& nsp, const std::optional<std::string>& filter) const
    {
        for (auto& n : io_.namespaces())
            if (n.name() == nsp)
                return filter ? n.to(*filter) : n.all();
        return std::nullopt;
    }

    json::array supported_features() const
    {
        json::array f;
        if (!opts_.read_only)
            for (auto name : {"EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT"})
                f.emplace_back(name);
        f.emplace_back("AGGREGATED_EVENTS");
        if (development())
            f.emplace_back("ALL_EVENTS");
        return f;
    }

    // A middleware in socket.io; here the connect handler, so that the
    // `session` event reaches the client after its CONNECT answer, once
    // the UI listens for it (see the reference, §3.2).
    net::awaitable<connect_verdict> authenticate(socket_ref s)
    {
        auto self = shared_from_this();
        const auto& auth = s.handshake().auth;
        bool let_in = !opts_.auth;
        std::optional<std::string> new_session;
        if (!let_in) {
            const auto* session_id = auth.if_contains("sessionId");
            if (session_id && session_id->is_string())
                let_in = sessions_.valid(session_id->get_string());
        }
        if (!let_in) {
            const auto* user = auth.if_contains("username");
            const auto* password = auth.if_contains("password");
            const bool named = user && user->is_string() && user->get_string() == opts_.auth->username;
            if (named && password && password->is_string()) {
                // bcrypt takes tens of milliseconds by design: on a thread
                // of its own, so logins never hold up the I/O threads.
                let_in = co_await net::co_spawn(
                    hasher_, check_password(std::string(password->get_string()), opts_.auth->password_hash),
                    net::use_awaitable);
                if (let_in)
                    new_session = sessions_.open();
            }
        }
        if (!let_in)
            co_return refuse("invalid credentials"); // the text the UI looks for
        if (new_session)
            s.emit("session", *new_session);
        s.emit("config", json::object{{"supportedFeatures", supported_features()}});
        // all_sockets (development mode) goes out from socket_connected: a
        // fetch now would miss this socket, not connected yet.
        co_return accept();
    }

    /// Every socket of every namespace, on every server.
    net::awaitable<void> send_all_sockets(socket_ref s)
    {
        auto self = shared_from_this();
        json::array all;
        for (auto& n : io_.namespaces()) {
            auto found = co_await n.fetch_sockets();
            if (!found)
                continue; // a server did not answer: what the others said is lost with it, as in Node
            for (auto& remote : *found)
                all.push_back(serialize_socket(remote, n.name()));
        }
        s.emit("all_sockets", std::move(all));
    }

    net::awaitable<void> report_stats()
    {
        auto self = shared_from_this();
        net::steady_timer timer(co_await net::this_coro::executor);
        auto last = io_.engine().stats();
        for (;;) {
            timer.expires_after(opts_.stats_interval);
            co_await timer.async_wait(net::use_awaitable);
            auto engine = io_.engine().stats();
            admin_.emit("server_stats", server_stats(last, engine));
            last = engine;
            if (development())
                report_upgrades();
        }
    }

    json::object server_stats(const engine::endpoint_stats& before, const engine::endpoint_stats& now) const
    {
        json::array namespaces;
        for (auto& n : io_.namespaces())
            namespaces.push_back(json::object{{"name", n.name()}, {"socketsCount", n.socket_count()}});
        const auto uptime = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
        return {
            {"serverId", opts_.server_id},
            {"hostname", hostname_},
            {"pid", getpid()},
            {"uptime", uptime},
            {"clientsCount", io_.engine().session_count()},
            {"pollingClientsCount", io_.engine().sessions_by_transport().polling},
            {"aggregatedEvents", aggregated_events(before, now, clock::now())},
            {"namespaces", std::move(namespaces)},
        };
    }

    /// socket_updated for each socket whose transport changed (an upgrade):
    /// the engine has no upgrade event for the socket layer, so each stats
    /// tick looks, as python-socketio's instrumentation polls.
    void report_upgrades()
    {
        std::vector<socket_ref> upgraded;
        {
            std::lock_guard lock(mutex_);
            for (auto& [k, t] : tracked_) {
                auto now = t.socket.transport();
                if (now != t.transport) {
                    t.transport = now;
                    upgraded.push_back(t.socket);
                }
            }
        }
        for (auto& s : upgraded) {
            auto data = s.shared_data();
            if (auto* o = data.if_object(); o && o->contains("_admin")) {
                (*o)["_admin"] = admin_data(s);
                s.set_shared_data(std::move(data));
            }
            admin_.emit("socket_updated",
                        json::object{{"id", s.id()}, {"nsp", s.nsp()}, {"transport", transport_name(s.transport())}});
        }
    }

    server& io_;
    admin_ui_options opts_;
    nsp admin_;
    admin_ui_sessions sessions_;
    std::string hostname_;
    std::chrono::steady_clock::time_point started_;
    net::thread_pool hasher_{1};
    std::mutex mutex_;
    std::unordered_map<std::string, tracked_socket> tracked_; // development mode: this server's sockets
};

} // namespace
} // namespace detail

void instrument_admin_ui(server& io, admin_ui_options opts)
{
    if (opts.auth && (opts.auth->username.empty() || !detail::is_bcrypt_hash(opts.auth->password_hash)))
        throw std::invalid_argument("instrument_admin_ui: auth needs a user name and a bcrypt hash");
    if (opts.namespace_name.empty() || opts.namespace_name.front() != '/')
        opts.namespace_name.insert(opts.namespace_name.begin(), '/');
    std::make_shared<detail::admin_ui>(io, std::move(opts))->install();
}

} // namespace corio
