#include "socketio/namespace_registry.hpp"

namespace corio::detail {

namespace_registry::namespace_registry(std::shared_ptr<server_context> context) : context_(std::move(context))
{
    namespaces_.emplace("/", std::make_shared<namespace_state>(context_, "/"));
}

std::shared_ptr<namespace_state> namespace_registry::of(const std::string& name)
{
    std::lock_guard lock(mutex_);
    auto& slot = namespaces_[name];
    if (!slot)
        slot = std::make_shared<namespace_state>(context_, name);
    return slot;
}

void namespace_registry::add_dynamic(std::function<bool(std::string_view)> match, std::function<void(nsp)> setup)
{
    std::lock_guard lock(mutex_);
    dynamic_.emplace_back(std::move(match), std::move(setup));
}

std::shared_ptr<namespace_state> namespace_registry::find_for_connect(const std::string& name)
{
    std::function<void(nsp)> setup;
    {
        std::lock_guard lock(mutex_);
        if (auto it = namespaces_.find(name); it != namespaces_.end())
            return it->second;
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
    setup(nsp(created));
    std::lock_guard lock(mutex_);
    return namespaces_.emplace(name, created).first->second;
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
