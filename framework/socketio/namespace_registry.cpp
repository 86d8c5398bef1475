#include "socketio/namespace_registry.hpp"

namespace corio::detail {

namespace_registry::namespace_registry(std::shared_ptr<server_context> context) : context_(std::move(context))
{
    namespaces_.emplace("/", std::make_shared<namespace_state>(context_, "/"));
}

namespace_registry::~namespace_registry()
{
    // Handlers often hold handles of namespaces (one that emits to its own
    // namespace captures it), which would keep the namespaces, and the server
    // context, alive for ever. The server and every client hold the registry:
    // with it gone, no handler can run again.
    for (auto& [name, ns] : namespaces_)
        ns->drop_handlers();
    context_->middlewares.clear();
    context_->observers.clear();
}

std::shared_ptr<namespace_state> namespace_registry::of(const std::string& name)
{
    std::lock_guard lock(mutex_);
    auto& slot = namespaces_[name];
    if (!slot) {
        slot = std::make_shared<namespace_state>(context_, name);
        slot->registry_ = weak_from_this();
    }
    return slot;
}

void namespace_registry::add_dynamic(std::function<bool(std::string_view)> match, std::function<void(nsp)> setup)
{
    std::lock_guard lock(mutex_);
    dynamic_.emplace_back(std::move(match), std::move(setup));
}

std::shared_ptr<namespace_state> namespace_registry::acquire_for_connect(const std::string& name)
{
    std::function<void(nsp)> setup;
    {
        std::lock_guard lock(mutex_);
        if (auto it = namespaces_.find(name); it != namespaces_.end()) {
            ++it->second->users_;
            return it->second;
        }
        for (auto& [match, set_up] : dynamic_) {
            if (match(name)) {
                setup = set_up;
                break;
            }
        }
    }
    if (!setup)
        return nullptr;
    // Set up before it is published, so no socket sees a half-configured
    // namespace; outside the lock, so setup may call server::of. When two
    // first connects race, the first published wins.
    auto created = std::make_shared<namespace_state>(context_, name);
    created->registry_ = weak_from_this();
    created->dynamic_ = true;
    setup(nsp(created));
    std::shared_ptr<namespace_state> published;
    {
        std::lock_guard lock(mutex_);
        published = namespaces_.emplace(name, created).first->second;
        ++published->users_;
    }
    if (published != created)
        created->drop_handlers(); // never seen by a socket
    return published;
}

void namespace_registry::release(namespace_state& ns)
{
    // Declared before the lock, so that the namespace (and its adapter) is
    // destroyed after the lock is released, if this was the last reference.
    std::shared_ptr<namespace_state> removed;
    std::lock_guard lock(mutex_);
    if (ns.users_ > 0)
        --ns.users_;
    // Node counts a child namespace empty when its last connected socket
    // leaves; a socket still connecting (in its middlewares) counts here too,
    // and so a namespace whose only CONNECT was refused goes as well.
    if (ns.users_ != 0 || !ns.dynamic_ || !context_->options().cleanup_empty_dynamic_namespaces)
        return;
    auto it = namespaces_.find(ns.name());
    if (it == namespaces_.end() || it->second.get() != &ns)
        return;
    removed = std::move(it->second);
    namespaces_.erase(it);
    context_->count_dynamic_namespace_removed();
    // No socket uses it, and none can find it any more.
    removed->drop_handlers();
}

std::size_t namespace_registry::size() const
{
    std::lock_guard lock(mutex_);
    return namespaces_.size();
}

std::vector<std::shared_ptr<namespace_state>> namespace_registry::all() const
{
    std::lock_guard lock(mutex_);
    std::vector<std::shared_ptr<namespace_state>> out;
    out.reserve(namespaces_.size());
    for (const auto& [name, ns] : namespaces_)
        out.push_back(ns);
    return out;
}

} // namespace corio::detail
