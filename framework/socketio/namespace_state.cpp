#include "socketio/namespace_state.hpp"

#include "socketio/namespace_registry.hpp"

#include <corio/memory_adapter.hpp>

#include <boost/json/string.hpp>

namespace corio::detail {

namespace {

std::unique_ptr<corio::adapter> make_adapter(const server_options& opts, local_namespace& nsp)
{
    return opts.make_adapter ? opts.make_adapter(nsp) : make_memory_adapter(nsp);
}

} // namespace

namespace_state::namespace_state(std::shared_ptr<server_context> context, std::string name)
    : context_(std::move(context)), name_(std::move(name)), adapter_(make_adapter(context_->options(), *this))
{
}

void namespace_state::add(const std::shared_ptr<socket_state>& s)
{
    std::lock_guard lock(mutex_);
    sockets_.emplace(s->id(), s);
}

void namespace_state::remove(const std::string& sid)
{
    std::lock_guard lock(mutex_);
    sockets_.erase(sid);
}

std::shared_ptr<socket_state> namespace_state::find(const std::string& sid) const
{
    std::lock_guard lock(mutex_);
    auto it = sockets_.find(sid);
    return it == sockets_.end() ? nullptr : it->second;
}

std::size_t namespace_state::size() const
{
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& [sid, s] : sockets_)
        n += s->connected() ? 1 : 0;
    return n;
}

std::vector<std::shared_ptr<socket_state>> namespace_state::sockets() const
{
    std::lock_guard lock(mutex_);
    std::vector<std::shared_ptr<socket_state>> out;
    out.reserve(sockets_.size());
    for (const auto& [sid, s] : sockets_)
        out.push_back(s);
    return out;
}

void namespace_state::drop_handlers()
{
    handlers.clear();
    any = {};
    fallback = {};
    on_connect = {};
    middlewares.clear();
    on_disconnect = {};
    on_error = {};
    outgoing.clear();
    server_handlers.clear();
}

void namespace_state::release_user()
{
    if (auto registry = registry_.lock())
        registry->release(*this);
}

void namespace_state::notify_outgoing(const socket_ref& s, std::string_view event, const arguments& args) const
{
    for (const auto& hook : outgoing)
        hook(s, event, args);
    if (context_->observers_want_events)
        for (const auto& o : context_->observers)
            o->event_sent(s, event, args);
}

void namespace_state::room_joined(const std::string& sid, const std::string& room)
{
    for (const auto& o : context_->observers)
        o->room_joined(name_, room, sid);
}

void namespace_state::room_left(const std::string& sid, const std::string& room)
{
    for (const auto& o : context_->observers)
        o->room_left(name_, room, sid);
}

void namespace_state::on_server_event(arguments args, bool wants_reply, std::function<void(arguments)> reply)
{
    auto& values = args.values();
    const auto* name = values.empty() ? nullptr : values.front().if_string();
    // A copy: the name is erased from the arguments before the handler runs.
    std::string event = name ? std::string(*name) : std::string();
    auto it = name ? server_handlers.find(event) : server_handlers.end();
    if (it == server_handlers.end()) {
        // socket.io leaves such an emit unanswered too: the emitter times out.
        context_->log({.level = log_level::warning,
                       .message = "no handler for a server-side emit",
                       .nsp = name_,
                       .event = event});
        return;
    }
    values.erase(values.begin());
    arguments answer;
    try {
        answer = it->second(std::move(args));
    } catch (const std::exception& e) {
        context_->count_handler_error();
        context_->log({.level = log_level::error,
                       .message = "server event handler threw",
                       .nsp = name_,
                       .event = event,
                       .error = e.what()});
        return;
    }
    if (wants_reply && reply)
        reply(std::move(answer));
}

} // namespace corio::detail
