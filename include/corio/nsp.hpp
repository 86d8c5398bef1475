#pragma once
// A namespace: its handlers, middlewares, sockets and rooms.

#include <corio/broadcast_operator.hpp>
#include <corio/detail/contract_checks.hpp>
#include <corio/detail/json_checks.hpp>
#include <corio/handlers.hpp>
#include <corio/invoke.hpp>
#include <corio/state_recovery.hpp>

#include <memory>
#include <string>

namespace corio {

namespace detail {
class namespace_state;
class namespace_registry;
} // namespace detail

class server;

/// A handle on a namespace. Cheap to copy. Register handlers before the
/// server takes connections; everything else may be called from any thread.
class nsp {
public:
    const std::string& name() const noexcept;

    /// Registers the handler of `event`: a callable `(context&, Params...)`
    /// returning `R` or `awaitable<R>`. Arguments convert to `Params` by
    /// type (see corio/invoke.hpp); a non-void `R` becomes the ack.
    template <class F>
    nsp& on(std::string event, F&& handler)
    {
        return on_event(std::move(event), make_event_handler_forms(std::forward<F>(handler)));
    }
    /// Registers the handler of a contract's event (corio/contract.hpp):
    /// `on<create_room>(handler)`. Checked at compile time: Event is
    /// client-to-server, the handler is `(context&, Args...)` with exactly
    /// the event's argument types (by value, const& or &&) and returns its
    /// ack type, or void when it declares none (or an awaitable of it).
    /// Otherwise one static_assert names the event and the mistake. Then it
    /// is `on(Event::name, handler)`.
    template <class Event, class F>
    nsp& on(F&& handler)
    {
        if constexpr (detail::check_handler<Event, std::decay_t<F>>())
            return on(std::string(Event::name), std::forward<F>(handler));
        else
            return *this;
    }
    nsp& on_event(std::string event, event_handler handler);
    /// on_event with the handler's synchronous form as well, when it has one
    /// (see event_handler_forms): what on() registers.
    nsp& on_event(std::string event, event_handler_forms handler);

    /// `on(event)(handler)`: what CORIO_ON expands to.
    auto on(std::string event)
    {
        return [self = *this, event = std::move(event)](auto&& handler) mutable -> nsp& {
            return self.on(std::move(event), std::forward<decltype(handler)>(handler));
        };
    }

    /// Registers every handler of a class-based namespace: `C::handlers` is
    /// a tuple of corio::member("event", &C::function).
    template <class C>
    nsp& mount(std::shared_ptr<C> object)
    {
        std::apply([&](const auto&... m) { (on_event(std::string(m.event), m.bind_forms(object)), ...); },
                   C::handlers);
        return *this;
    }

    /// Connect handler: `(context&)` or `(context&, Auth)`, returning
    /// connect_verdict, bool or void (sync or awaitable). Runs after the
    /// middlewares, before the client is told it connected; emits made in it
    /// reach the client right after the CONNECT answer.
    template <class F>
    nsp& on_connect(F&& handler)
    {
        return set_connect(make_connect_handler(std::forward<F>(handler)));
    }
    /// Connect middleware, same forms as a connect handler; runs in order of
    /// registration, after the server's. The first refusal wins.
    template <class F>
    nsp& use(F&& middleware)
    {
        return add_middleware(make_connect_handler(std::forward<F>(middleware)));
    }
    /// Disconnect handler: `(context&)` or `(context&, disconnect_reason)`.
    template <class F>
    nsp& on_disconnect(F&& handler)
    {
        return set_disconnect(make_disconnect_handler(std::forward<F>(handler)));
    }
    /// Sees every incoming event first (ctx.event() names it), then the
    /// event's own handler runs. `(context&, arguments)`.
    template <class F>
    nsp& on_any(F&& handler)
    {
        return set_any(make_event_handler(std::forward<F>(handler)));
    }
    /// Runs for events that have no handler. `(context&, arguments)`; it may
    /// answer the ack.
    template <class F>
    nsp& on_fallback(F&& handler)
    {
        return set_fallback(make_event_handler(std::forward<F>(handler)));
    }
    nsp& on_any_outgoing(outgoing_handler handler);
    /// Called when a handler throws; without it the exception is logged.
    nsp& on_error(error_handler handler);
    /// By default a socket's handlers run one at a time in arrival order;
    /// `true` starts each as it arrives.
    nsp& concurrent_handlers(bool on);
    /// Connection state recovery for this namespace alone, in place of
    /// server_options::recovery (e.g. on for "/" only, or off for one
    /// namespace). Set it before clients connect.
    nsp& state_recovery(state_recovery_options options);

    // Operations on this namespace's sockets, on every server of the cluster
    // (see broadcast_operator).
    broadcast_operator to(std::string room) const;
    broadcast_operator in(std::string room) const { return to(std::move(room)); }
    broadcast_operator except(std::string room) const;
    broadcast_operator all() const;
    /// This server's sockets only (socket.io's `local`).
    broadcast_operator local() const { return all().local(); }
    template <class... Args>
    void emit(std::string_view event, Args&&... args) const
    {
        if constexpr (detail::check_emitted<Args...>())
            all().emit(event, std::forward<Args>(args)...);
    }
    /// emit for an event of a contract, checked at compile time as
    /// socket_ref::emit<Event>: to every socket of the namespace.
    template <class Event, class... Args>
    void emit(Args&&... args) const
    {
        if constexpr (detail::check_emit<Event, false, Args...>())
            all().emit_arguments(Event::name, detail::declared_arguments(typename Event::argument_types(),
                                                                         std::forward<Args>(args)...));
    }
    boost::asio::awaitable<fetch_result> fetch_sockets() const { return all().fetch_sockets(); }
    /// Makes every member leave `room` (on every server).
    void close_room(std::string room) const { to(room).sockets_leave(room); }

    /// Named rooms with a member on this server (not the per-socket id rooms).
    std::vector<std::string> rooms() const;
    /// Sockets connected to this namespace on this server.
    std::size_t socket_count() const;

    // Server-side events: between the servers of a cluster, never to clients.

    /// Sends `event(args...)` to this namespace on every other server, whose
    /// on_server_event handler runs (socket.io's serverSideEmit). With the
    /// in-memory adapter there is no other server: nothing happens.
    template <class... Args>
    void server_side_emit(std::string_view event, Args&&... args) const
    {
        if constexpr (detail::check_emitted<Args...>())
            server_side_emit_arguments(event, arguments::of(std::forward<Args>(args)...));
    }
    void server_side_emit_arguments(std::string_view event, arguments args) const;
    /// As server_side_emit, and collects each other server's reply: one per
    /// server, or error::cluster_timeout when not all replied within
    /// server_options::cluster_timeout (socket.io's serverSideEmitWithAck).
    template <class... Args>
    boost::asio::awaitable<boost::system::result<std::vector<arguments>>>
    server_side_emit_with_ack(std::string_view event, Args&&... args) const
    {
        if constexpr (detail::check_emitted<Args...>())
            return server_side_emit_with_ack_arguments(event, arguments::of(std::forward<Args>(args)...));
        else
            return {};
    }
    boost::asio::awaitable<boost::system::result<std::vector<arguments>>>
    server_side_emit_with_ack_arguments(std::string_view event, arguments args) const;
    /// Handles `event` sent by another server's server_side_emit. Register
    /// before the server takes connections.
    nsp& on_server_event(std::string event, server_event_handler handler);

private:
    friend class server;
    friend class detail::namespace_registry;

    explicit nsp(std::shared_ptr<detail::namespace_state> state) : state_(std::move(state)) {}

    nsp& set_connect(connect_handler h);
    nsp& add_middleware(connect_handler h);
    nsp& set_disconnect(disconnect_handler h);
    nsp& set_any(event_handler h);
    nsp& set_fallback(event_handler h);

    std::shared_ptr<detail::namespace_state> state_;
};

} // namespace corio
