#include "play/memory_room_store.hpp"

namespace corio_game {

namespace net = boost::asio;

room_snapshot memory_room_store::snapshot(const std::string& code) const
{
    room_snapshot s{.now = clock_.now()};
    if (auto it = rooms_.find(code); it != rooms_.end())
        s.found = it->second;
    return s;
}

room_list memory_room_store::list_locked() const
{
    room_list l{.version = sequence_};
    for (const auto& [code, r] : rooms_)
        l.rooms.push_back(r.value.summary());
    return l;
}

commit_result memory_room_store::apply(room_change& change)
{
    auto it = rooms_.find(change.code);
    std::uint64_t current = it == rooms_.end() ? 0 : it->second.version;
    if (current != change.expected)
        return {.status = commit_status::conflict};
    if (change.expected == 0 && change.max_rooms > 0 && rooms_.size() >= change.max_rooms)
        return {.status = commit_status::too_many_rooms};
    for (auto user_id : change.enter)
        if (auto u = room_of_user_.find(user_id); u != room_of_user_.end() && u->second != change.code)
            return {.status = commit_status::user_busy};
    for (auto user_id : change.absent)
        if (sockets_.contains(user_id))
            return {.status = commit_status::user_present};

    auto version = ++sequence_;
    if (change.next)
        rooms_.insert_or_assign(change.code, stored_room{std::move(*change.next), version});
    else if (it != rooms_.end())
        rooms_.erase(it);
    for (auto user_id : change.leave)
        if (auto u = room_of_user_.find(user_id); u != room_of_user_.end() && u->second == change.code)
            room_of_user_.erase(u);
    for (auto user_id : change.enter) {
        room_of_user_[user_id] = change.code;
        unqueue(user_id);
    }

    commit_result done{.status = commit_status::done, .version = version};
    if (change.want_list)
        done.list = list_locked();
    return done;
}

presence memory_room_store::count(std::int64_t user_id, int delta)
{
    auto& n = sockets_[user_id];
    if (delta > 0)
        ++n;
    else if (n > 0)
        --n;
    presence p{.user_sockets = n};
    if (n == 0)
        sockets_.erase(user_id);
    p.online = sockets_.size();
    p.version = ++sequence_;
    return p;
}

net::awaitable<store_result<room_snapshot>> memory_room_store::load(std::string code)
{
    lock guard(mutex_);
    co_return snapshot(code);
}

net::awaitable<store_result<room_snapshot>> memory_room_store::load_user_room(std::int64_t user_id)
{
    lock guard(mutex_);
    auto it = room_of_user_.find(user_id);
    if (it == room_of_user_.end())
        co_return room_snapshot{.now = clock_.now()};
    co_return snapshot(it->second);
}

net::awaitable<store_result<commit_result>> memory_room_store::commit(room_change change)
{
    lock guard(mutex_);
    co_return apply(change);
}

net::awaitable<store_result<room_list>> memory_room_store::list()
{
    lock guard(mutex_);
    co_return list_locked();
}

net::awaitable<store_result<presence>> memory_room_store::socket_connected(std::int64_t user_id)
{
    lock guard(mutex_);
    co_return count(user_id, +1);
}

net::awaitable<store_result<presence>> memory_room_store::socket_disconnected(std::int64_t user_id)
{
    lock guard(mutex_);
    co_return count(user_id, -1);
}

// One process: a departure is settled by the handler that started it, or by nobody.
net::awaitable<boost::system::error_code> memory_room_store::settled(std::int64_t)
{
    co_return boost::system::error_code{};
}

net::awaitable<store_result<sweep_result>> memory_room_store::sweep() { co_return sweep_result{}; }

bool memory_room_store::unqueue(std::int64_t user_id)
{
    auto it = pool_of_.find(user_id);
    if (it == pool_of_.end())
        return false;
    auto& queue = pools_[it->second];
    std::erase_if(queue, [user_id](const match_ticket& t) { return t.user_id == user_id; });
    if (queue.empty())
        pools_.erase(it->second);
    pool_of_.erase(it);
    return true;
}

net::awaitable<store_result<std::optional<match_ticket>>> memory_room_store::match(std::string pool, match_ticket me)
{
    lock guard(mutex_);
    unqueue(me.user_id);
    auto& queue = pools_[pool];
    while (!queue.empty()) {
        auto peer = std::move(queue.front());
        queue.pop_front();
        pool_of_.erase(peer.user_id);
        if (sockets_.contains(peer.user_id))
            co_return std::optional<match_ticket>(std::move(peer));
    }
    queue.push_back(std::move(me));
    pool_of_[queue.back().user_id] = pool;
    co_return std::optional<match_ticket>();
}

net::awaitable<store_result<bool>> memory_room_store::cancel_match(std::int64_t user_id)
{
    lock guard(mutex_);
    co_return unqueue(user_id);
}

std::size_t memory_room_store::room_count() const
{
    lock guard(mutex_);
    return rooms_.size();
}

std::size_t memory_room_store::online() const
{
    lock guard(mutex_);
    return sockets_.size();
}

} // namespace corio_game
