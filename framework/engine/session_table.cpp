#include "engine/session_table.hpp"

#include "engine/session_impl.hpp"

#include <functional>

namespace corio::engine::detail {

session_table::shard& session_table::shard_for(const std::string& id) const
{
    return shards_[std::hash<std::string>{}(id) % shard_count];
}

void session_table::insert(const std::shared_ptr<session_impl>& s)
{
    auto& sh = shard_for(s->id());
    std::lock_guard lock(sh.mutex);
    sh.sessions.emplace(s->id(), s);
}

std::shared_ptr<session_impl> session_table::find(const std::string& id) const
{
    auto& sh = shard_for(id);
    std::lock_guard lock(sh.mutex);
    auto it = sh.sessions.find(id);
    return it == sh.sessions.end() ? nullptr : it->second;
}

void session_table::erase(const std::string& id)
{
    auto& sh = shard_for(id);
    std::lock_guard lock(sh.mutex);
    sh.sessions.erase(id);
}

std::size_t session_table::size() const
{
    std::size_t n = 0;
    for (auto& sh : shards_) {
        std::lock_guard lock(sh.mutex);
        n += sh.sessions.size();
    }
    return n;
}

session_counts session_table::count_by_transport() const
{
    session_counts counts;
    for (auto& sh : shards_) {
        std::lock_guard lock(sh.mutex);
        for (auto& [id, s] : sh.sessions)
            ++(s->transport() == transport_kind::websocket ? counts.websocket : counts.polling);
    }
    return counts;
}

std::vector<std::shared_ptr<session_impl>> session_table::snapshot() const
{
    std::vector<std::shared_ptr<session_impl>> all;
    for (auto& sh : shards_) {
        std::lock_guard lock(sh.mutex);
        for (auto& [id, s] : sh.sessions)
            all.push_back(s);
    }
    return all;
}

} // namespace corio::engine::detail
