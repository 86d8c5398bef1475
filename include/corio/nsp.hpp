#pragma once
// A namespace: its handlers, middlewares, sockets and rooms.

#include <corio/broadcast_operator.hpp>
#include <corio/handlers.hpp>
#include <corio/invoke.hpp>

#include <memory>
#include <string>

namespace corio {

namespace detail {
class namespace_state;
}

/// A handle on a namespace. Cheap to copy. Register handlers before the
/// server takes connections; everything else may be called from any thread.
class nsp {
public:
    explicit nsp(std::shared_ptr<detail::namespace_state> state) : state_(std::move(state)) {}

    const std::string& name() const noexcept;

    /// Registers the handler of `event`: a callable `(context&, Params...)`
    /// returning `R` or `awaitable<R>`. Arguments convert to `Params` by
    /// type (see corio/invoke.hpp); a non-void `R` becomes the ack.
    template <class F>
    nsp& on(std::string event, F&& handler)
    {
        return on_event(std::move(event), make_event_handler(std::forward<F>(handler)));
    }
    nsp& on_event(std::string event, event_handler handler);

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
        std::apply([&](const auto&... m) { (on_event(std::string(m.event), m.bind(object)), ...); },
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

    // Server-side operations on this namespace's sockets.
    broadcast_operator to(std::string room) const;
    broadcast_operator except(std::string room) const;
    broadcast_operator all() const;
    template <class... Args>
    void emit(std::string_view event, Args&&... args) const
    {
        all().emit(event, std::forward<Args>(args)...);
    }
    std::vector<socket_ref> fetch_sockets() const { return all().fetch_sockets(); }
    /// Named rooms (not the per-socket id rooms).
    std::vector<std::string> rooms() const;
    /// Makes every member leave `room`, which then no longer exists.
    void close_room(const std::string& room) const { to(room).sockets_leave(room); }
    std::size_t socket_count() const;

    detail::namespace_state& state() const noexcept { return *state_; }

private:
    nsp& set_connect(connect_handler h);
    nsp& add_middleware(connect_handler h);
    nsp& set_disconnect(disconnect_handler h);
    nsp& set_any(event_handler h);
    nsp& set_fallback(event_handler h);

    std::shared_ptr<detail::namespace_state> state_;
};

} // namespace corio
