#include <corio/memory_adapter.hpp>

#include "socketio/recovery_store.hpp"

#include <algorithm>

namespace corio {

const state_recovery_options& local_namespace::recovery() const noexcept
{
    static const state_recovery_options off;
    return off;
}

// adapter's defaults for an adapter without a session store: nothing is
// kept, so every restore fails and the client gets a new session.
void adapter::persist_session(persisted_session) {}

void adapter::restore_session(std::string, std::string, std::function<void(std::optional<restored_session>)> done)
{
    done(std::nullopt);
}

// adapter's default, for adapters that do not build on memory_adapter: the
// check and the join are two steps there.
bool adapter::try_join(const std::string& sid, const std::string& room, std::size_t max_rooms)
{
    const auto rooms = rooms_of(sid);
    if (rooms.size() > max_rooms && std::find(rooms.begin(), rooms.end(), room) == rooms.end())
        return false;
    join(sid, room);
    return true;
}

memory_adapter::memory_adapter(local_namespace& nsp) : nsp_(nsp), store_(std::make_unique<detail::recovery_store>()) {}

memory_adapter::~memory_adapter() = default;

// The local_namespace hears of each membership change after the lock is
// released: what it does with it (an observer's broadcast) may come back here.

void memory_adapter::add_socket(std::shared_ptr<local_socket> s)
{
    const auto sid = s->id();
    {
        std::lock_guard lock(mutex_);
        auto& entry = sockets_[sid];
        // Most sockets' rooms, and most rooms' members, are one (the
        // socket's own room): two buckets, not the 13 of a first insert.
        entry.rooms.reserve(1);
        entry.socket = std::move(s);
        join_locked(entry, sid);
    }
    nsp_.room_joined(sid, sid);
}

void memory_adapter::remove_socket(const std::string& sid)
{
    std::unordered_set<std::string> left;
    {
        std::lock_guard lock(mutex_);
        auto it = sockets_.find(sid);
        if (it == sockets_.end())
            return;
        for (const auto& room : it->second.rooms)
            drop_member(room, sid);
        left = std::move(it->second.rooms);
        sockets_.erase(it);
    }
    for (const auto& room : left)
        nsp_.room_left(sid, room);
}

void memory_adapter::join(const std::string& sid, const std::string& room)
{
    bool joined = false;
    {
        std::lock_guard lock(mutex_);
        if (auto it = sockets_.find(sid); it != sockets_.end())
            joined = join_locked(it->second, room);
    }
    if (joined)
        nsp_.room_joined(sid, room);
}

bool memory_adapter::try_join(const std::string& sid, const std::string& room, std::size_t max_rooms)
{
    bool joined = false;
    {
        std::lock_guard lock(mutex_);
        auto it = sockets_.find(sid);
        if (it == sockets_.end())
            return true; // gone: as join, nothing to do
        auto& entry = it->second;
        // Its id room is one of entry.rooms.
        if (!entry.rooms.contains(room) && entry.rooms.size() > max_rooms)
            return false;
        joined = join_locked(entry, room);
    }
    if (joined)
        nsp_.room_joined(sid, room);
    return true;
}

void memory_adapter::leave(const std::string& sid, const std::string& room)
{
    bool left = false;
    {
        std::lock_guard lock(mutex_);
        if (auto it = sockets_.find(sid); it != sockets_.end())
            left = leave_locked(it->second, sid, room);
    }
    if (left)
        nsp_.room_left(sid, room);
}

bool memory_adapter::join_locked(socket_entry& entry, const std::string& room)
{
    if (!entry.rooms.insert(room).second)
        return false;
    auto [it, created] = rooms_.try_emplace(room);
    if (created)
        it->second.reserve(1); // as entry.rooms (add_socket)
    it->second.emplace(entry.socket->id(), entry.socket);
    if (created)
        room_created(room, sockets_.contains(room));
    return true;
}

bool memory_adapter::leave_locked(socket_entry& entry, const std::string& sid, const std::string& room)
{
    if (entry.rooms.erase(room) == 0)
        return false;
    drop_member(room, sid);
    return true;
}

void memory_adapter::drop_member(const std::string& room, const std::string& sid)
{
    auto r = rooms_.find(room);
    r->second.erase(sid);
    if (!r->second.empty())
        return;
    rooms_.erase(r);
    room_deleted(room, sockets_.contains(room));
}

std::vector<std::string> memory_adapter::rooms_of(const std::string& sid) const
{
    std::lock_guard lock(mutex_);
    auto it = sockets_.find(sid);
    if (it == sockets_.end())
        return {};
    return {it->second.rooms.begin(), it->second.rooms.end()};
}

bool memory_adapter::targets_local_sockets_only(const broadcast_options& opts) const
{
    std::lock_guard lock(mutex_);
    return !opts.rooms.empty() &&
           std::all_of(opts.rooms.begin(), opts.rooms.end(), [&](const std::string& r) { return sockets_.contains(r); });
}

std::vector<std::string> memory_adapter::local_rooms() const
{
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    out.reserve(rooms_.size());
    for (const auto& [room, m] : rooms_)
        out.push_back(room);
    return out;
}

std::vector<std::shared_ptr<local_socket>> memory_adapter::select(const broadcast_options& opts) const
{
    std::vector<std::shared_ptr<local_socket>> out;
    std::lock_guard lock(mutex_);
    std::vector<const members*> excluded;
    for (const auto& room : opts.except)
        if (auto it = rooms_.find(room); it != rooms_.end())
            excluded.push_back(&it->second);
    // A socket still connecting (in its middlewares) or already leaving is
    // in its rooms but takes no part in operations.
    auto pick = [&](const std::string& sid, const std::shared_ptr<local_socket>& s) {
        if (!s->connected())
            return;
        for (const auto* m : excluded)
            if (m->contains(sid))
                return;
        out.push_back(s);
    };
    if (opts.rooms.empty()) {
        out.reserve(sockets_.size());
        for (const auto& [sid, entry] : sockets_)
            pick(sid, entry.socket);
    } else if (opts.rooms.size() == 1) {
        // Hot path (a broadcast to one room): its members are distinct, so
        // no set of ids is built.
        if (auto it = rooms_.find(*opts.rooms.begin()); it != rooms_.end()) {
            out.reserve(it->second.size());
            for (const auto& [sid, s] : it->second)
                pick(sid, s);
        }
    } else {
        // Views of the ids stored in rooms_, which the lock keeps alive.
        std::unordered_set<std::string_view> seen;
        for (const auto& room : opts.rooms)
            if (auto it = rooms_.find(room); it != rooms_.end())
                for (const auto& [sid, s] : it->second)
                    if (seen.insert(sid).second)
                        pick(sid, s);
    }
    return out;
}

void memory_adapter::broadcast_local(const protocol::socket_packet& packet, const broadcast_options& opts)
{
    auto targets = select(opts);
    if (targets.empty())
        return;
    // Encoded once; every recipient gets the same bytes.
    auto encoded = nsp_.encode(packet, opts.compress);
    for (const auto& s : targets)
        s->deliver(packet, encoded, opts.is_volatile);
}

std::size_t memory_adapter::broadcast_with_ack_local(const protocol::socket_packet& packet,
                                                     const broadcast_options& opts, std::chrono::milliseconds timeout,
                                                     std::function<void(socket_ack_result)> answer)
{
    auto targets = select(opts);
    if (targets.empty())
        return 0;
    auto with_id = packet;
    with_id.id = next_broadcast_ack_id_++;
    auto encoded = nsp_.encode(with_id, opts.compress);
    for (const auto& s : targets)
        s->deliver_with_ack(with_id, encoded, timeout, answer);
    return targets.size();
}

std::vector<socket_info> memory_adapter::fetch_local(const broadcast_options& opts) const
{
    std::vector<socket_info> out;
    for (const auto& s : select(opts)) {
        auto info = s->describe();
        info.rooms = rooms_of(info.id);
        out.push_back(std::move(info));
    }
    return out;
}

void memory_adapter::add_sockets_local(const broadcast_options& opts, const std::vector<std::string>& rooms)
{
    for (const auto& s : select(opts))
        for (const auto& room : rooms)
            join(s->id(), room);
}

void memory_adapter::del_sockets_local(const broadcast_options& opts, const std::vector<std::string>& rooms)
{
    for (const auto& s : select(opts))
        for (const auto& room : rooms)
            leave(s->id(), room);
}

void memory_adapter::disconnect_local(const broadcast_options& opts, bool close_connection)
{
    for (const auto& s : select(opts))
        s->disconnect(close_connection);
}

void memory_adapter::broadcast(const protocol::socket_packet& packet, const broadcast_options& opts)
{
    const auto& recovery = nsp_.recovery();
    if (!recovery.enabled || !detail::recovery_store::keeps(packet, opts)) {
        broadcast_local(packet, opts);
        return;
    }
    // Kept with its offset, and measured as the bytes the recipients get.
    auto stamped = packet;
    protocol::encoded_socket_packet encoded;
    auto drops = store_->stamp(
        stamped, opts,
        [&](const protocol::socket_packet& p) {
            encoded = nsp_.encode(p, opts.compress);
            std::size_t bytes = 0;
            for (const auto& message : *encoded)
                bytes += message.data.size();
            return bytes;
        },
        recovery, std::chrono::steady_clock::now());
    if (!drops.empty())
        nsp_.recovery_dropped(drops);
    for (const auto& s : select(opts))
        s->deliver(stamped, encoded, opts.is_volatile);
}

void memory_adapter::persist_session(persisted_session s)
{
    auto drops = store_->persist(std::move(s), nsp_.recovery(), std::chrono::steady_clock::now());
    if (!drops.empty())
        nsp_.recovery_dropped(drops);
}

void memory_adapter::restore_session(std::string pid, std::string offset,
                                     std::function<void(std::optional<restored_session>)> done)
{
    recovery_drops drops;
    auto restored = store_->restore(pid, offset, nsp_.recovery(), std::chrono::steady_clock::now(), drops);
    if (!drops.empty())
        nsp_.recovery_dropped(drops);
    done(std::move(restored));
}

void memory_adapter::broadcast_with_ack(const protocol::socket_packet& packet, const broadcast_options& opts,
                                        std::chrono::milliseconds timeout, std::shared_ptr<broadcast_ack_sink> sink)
{
    sink->expect_servers(1);
    // A socket that leaves or times out never answers, so the operation
    // ends by its timeout, as socket.io's emitWithAck.
    auto asked = broadcast_with_ack_local(packet, opts, timeout, [sink](socket_ack_result r) {
        if (r)
            sink->answer(std::move(*r));
    });
    sink->server_sent(asked);
}

void memory_adapter::fetch_sockets(const broadcast_options& opts,
                                   std::shared_ptr<reply_sink<std::vector<socket_info>>> sink)
{
    sink->expect(1);
    sink->reply(fetch_local(opts));
}

void memory_adapter::add_sockets(const broadcast_options& opts, std::vector<std::string> rooms,
                                 adapter_completion done)
{
    add_sockets_local(opts, rooms);
    if (done)
        done({});
}

void memory_adapter::del_sockets(const broadcast_options& opts, std::vector<std::string> rooms,
                                 adapter_completion done)
{
    del_sockets_local(opts, rooms);
    if (done)
        done({});
}

void memory_adapter::disconnect_sockets(const broadcast_options& opts, bool close_connection,
                                        adapter_completion done)
{
    disconnect_local(opts, close_connection);
    if (done)
        done({});
}

void memory_adapter::server_side_emit(const arguments&, std::shared_ptr<reply_sink<arguments>> sink)
{
    if (sink)
        sink->expect(0);
}

std::unique_ptr<adapter> make_memory_adapter(local_namespace& nsp)
{
    return std::make_unique<memory_adapter>(nsp);
}

} // namespace corio
