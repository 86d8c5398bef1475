#include "socketio/namespace_state.hpp"

#include "socketio/server_state.hpp"

namespace corio::detail {

namespace_state::namespace_state(server_state& server, std::string name)
    : server_(server),
      name_(std::move(name)),
      adapter_(server.options().adapter_factory ? server.options().adapter_factory(name_) : make_memory_adapter())
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

std::vector<std::shared_ptr<socket_state>> namespace_state::select(const room_selector& selector,
                                                                   const std::optional<std::string>& skip,
                                                                   const std::optional<std::string>& self) const
{
    std::vector<std::shared_ptr<socket_state>> out;
    // Taken at the first id, held to the end: once, not per id, and never
    // across an adapter's own work (a remote adapter may block in select).
    // Lock order: the adapter's, then mutex_.
    std::unique_lock lock(mutex_, std::defer_lock);
    adapter_->for_each_selected(selector, [&](const std::string& sid) {
        if (sid == skip || sid == self)
            return;
        if (!lock.owns_lock())
            lock.lock();
        if (auto it = sockets_.find(sid); it != sockets_.end() && it->second->connected())
            out.push_back(it->second);
    });
    return out;
}

void namespace_state::notify_outgoing(const socket_ref& s, std::string_view event, const arguments& args) const
{
    for (const auto& hook : outgoing)
        hook(s, event, args);
}

} // namespace corio::detail
