#include <corio/memory_adapter.hpp>

#include <corio/engine/batched_writes.hpp>

#include "socketio/recovery_store.hpp"

#include <algorithm>
#include <utility>

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

namespace {

// Rooms of at most this many members are copied by each broadcast (a few
// reference counts under their shard's lock) instead of keeping a snapshot:
// every socket's own room is one, and keeps no memory for the broadcasts it
// gets.
constexpr std::size_t copied_room_members = 4;

const local_socket* socket_address(const std::shared_ptr<local_socket>& s) noexcept
{
    return s.get();
}

} // namespace

memory_adapter::memory_adapter(local_namespace& nsp) : nsp_(nsp), store_(std::make_unique<detail::recovery_store>()) {}

memory_adapter::~memory_adapter() = default;

// The local_namespace hears of each membership change after the lock is
// released: what it does with it (an observer's broadcast) may come back here.

// Socket ids are unique, so an entry's socket is written once, here, before
// the entry is in any room: broadcasts read it under a shard lock only.
void memory_adapter::add_socket(std::shared_ptr<local_socket> s)
{
    const auto sid = s->id();
    {
        std::lock_guard lock(mutex_);
        auto& entry = sockets_[sid];
        entry.socket = std::move(s);
        join_locked(entry, sid);
        drop_all_sockets();
    }
    nsp_.room_joined(sid, sid);
}

void memory_adapter::remove_socket(const std::string& sid)
{
    bool left_own = false;
    std::unordered_set<std::string> left;
    {
        std::lock_guard lock(mutex_);
        auto it = sockets_.find(sid);
        if (it == sockets_.end())
            return;
        auto& entry = it->second;
        if (entry.in_own_room)
            drop_member(sid, entry);
        for (const auto& room : entry.rooms)
            drop_member(room, entry);
        drop_all_sockets();
        left_own = entry.in_own_room;
        left = std::move(entry.rooms);
        sockets_.erase(it);
    }
    if (left_own)
        nsp_.room_left(sid, sid);
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
        // Its id room counts, as in adapter::try_join.
        const bool in_room = room == sid ? entry.in_own_room : entry.rooms.contains(room);
        if (!in_room && room_count(entry) > max_rooms)
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
            left = leave_locked(it->second, room);
    }
    if (left)
        nsp_.room_left(sid, room);
}

memory_adapter::rooms_shard& memory_adapter::shard_of(const std::string& room) const noexcept
{
    return shards_[std::hash<std::string>{}(room) % rooms_shards];
}

// A change drops the room's snapshot: the next broadcast takes it again,
// once, so a room that many sockets join in a row costs one copy, not one
// per join. The snapshot dropped holds only sockets still in sockets_, so no
// socket is destroyed under the locks.
bool memory_adapter::join_locked(socket_entry& entry, const std::string& room)
{
    if (!record_join(entry, room))
        return false;
    auto& shard = shard_of(room);
    bool created = false;
    {
        std::lock_guard lock(shard.mutex);
        auto [it, fresh] = shard.rooms.try_emplace(room);
        if (fresh)
            it->second.members.reserve(1); // most rooms have one member: 2 buckets, not 13
        it->second.members.insert(&entry);
        it->second.snapshot.reset();
        created = fresh;
    }
    if (created)
        room_created(room, sockets_.contains(room));
    return true;
}

bool memory_adapter::leave_locked(socket_entry& entry, const std::string& room)
{
    if (!record_leave(entry, room))
        return false;
    drop_member(room, entry);
    return true;
}

bool memory_adapter::record_join(socket_entry& entry, const std::string& room)
{
    if (room == entry.socket->id())
        return !std::exchange(entry.in_own_room, true);
    // A first room beyond its own: two buckets, not the 13 of a first insert.
    if (entry.rooms.empty())
        entry.rooms.reserve(1);
    return entry.rooms.insert(room).second;
}

bool memory_adapter::record_leave(socket_entry& entry, const std::string& room)
{
    if (room == entry.socket->id())
        return std::exchange(entry.in_own_room, false);
    return entry.rooms.erase(room) != 0;
}

std::size_t memory_adapter::room_count(const socket_entry& entry) noexcept
{
    return entry.rooms.size() + (entry.in_own_room ? 1 : 0);
}

void memory_adapter::drop_member(const std::string& room, const socket_entry& entry)
{
    auto& shard = shard_of(room);
    {
        std::lock_guard lock(shard.mutex);
        auto r = shard.rooms.find(room);
        r->second.members.erase(&entry);
        r->second.snapshot.reset();
        if (!r->second.members.empty())
            return;
        shard.rooms.erase(r);
    }
    room_deleted(room, sockets_.contains(room));
}

std::vector<std::string> memory_adapter::rooms_of(const std::string& sid) const
{
    std::lock_guard lock(mutex_);
    auto it = sockets_.find(sid);
    if (it == sockets_.end())
        return {};
    const auto& entry = it->second;
    std::vector<std::string> rooms;
    rooms.reserve(room_count(entry));
    if (entry.in_own_room)
        rooms.push_back(sid);
    rooms.insert(rooms.end(), entry.rooms.begin(), entry.rooms.end());
    return rooms;
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
    for (auto& shard : shards_) {
        std::lock_guard shard_lock(shard.mutex);
        for (const auto& [room, r] : shard.rooms)
            out.push_back(room);
    }
    return out;
}

memory_adapter::member_list memory_adapter::members_of(const std::string& room) const
{
    member_list out;
    auto& shard = shard_of(room);
    std::lock_guard lock(shard.mutex);
    auto it = shard.rooms.find(room);
    if (it == shard.rooms.end())
        return out;
    auto& r = it->second;
    if (r.snapshot) {
        out.snapshot = r.snapshot;
        return out;
    }
    socket_list sockets;
    sockets.reserve(r.members.size());
    for (const auto* entry : r.members)
        sockets.push_back(entry->socket);
    if (sockets.size() <= copied_room_members) {
        out.copy = std::move(sockets);
        return out;
    }
    r.snapshot = std::make_shared<const socket_list>(std::move(sockets));
    out.snapshot = r.snapshot;
    return out;
}

std::shared_ptr<const memory_adapter::socket_list> memory_adapter::all_sockets() const
{
    {
        std::lock_guard lock(all_mutex_);
        if (all_)
            return all_;
    }
    // Taken under mutex_, as it is dropped: a list stored here is never
    // older than the last socket that came or went.
    std::lock_guard lock(mutex_);
    {
        std::lock_guard all_lock(all_mutex_);
        if (all_)
            return all_;
    }
    socket_list sockets;
    sockets.reserve(sockets_.size());
    for (const auto& [sid, entry] : sockets_)
        sockets.push_back(entry.socket);
    auto all = std::make_shared<const socket_list>(std::move(sockets));
    std::lock_guard all_lock(all_mutex_);
    all_ = all;
    return all;
}

void memory_adapter::drop_all_sockets()
{
    // Released after the lock: the list holds only sockets still in
    // sockets_, so none is destroyed here.
    std::shared_ptr<const socket_list> dropped;
    std::lock_guard lock(all_mutex_);
    dropped.swap(all_);
}

memory_adapter::socket_list memory_adapter::excluded(const broadcast_options& opts) const
{
    socket_list out;
    for (const auto& room : opts.except) {
        auto& shard = shard_of(room);
        std::lock_guard lock(shard.mutex);
        if (auto it = shard.rooms.find(room); it != shard.rooms.end())
            for (const auto* entry : it->second.members)
                out.push_back(entry->socket);
    }
    std::ranges::sort(out, {}, socket_address);
    return out;
}

template <class F>
void memory_adapter::for_each_selected(const broadcast_options& opts, F&& f) const
{
    // What `f` writes to the sockets (a broadcast's packet) goes out in one
    // system call, where the thread allows it, after the loop.
    engine::batched_writes batch;
    const auto except = excluded(opts);
    // A socket still connecting (in its middlewares) or already leaving is
    // in its rooms but takes no part in operations.
    auto pick = [&](const std::shared_ptr<local_socket>& s) {
        if (s->connected() && (except.empty() || !std::ranges::binary_search(except, s.get(), {}, socket_address)))
            f(*s);
    };
    if (opts.rooms.empty()) {
        const auto all = all_sockets();
        for (const auto& s : *all)
            pick(s);
    } else if (opts.rooms.size() == 1) {
        // Hot path (a broadcast to one room): its members are distinct, so
        // no set of them is built.
        const auto members = members_of(*opts.rooms.begin());
        for (const auto& s : members.sockets())
            pick(s);
    } else {
        // Every list is kept to the end, so that no socket seen is freed
        // and its address taken by another.
        std::vector<member_list> lists;
        lists.reserve(opts.rooms.size());
        std::unordered_set<const local_socket*> seen;
        for (const auto& room : opts.rooms) {
            lists.push_back(members_of(room));
            for (const auto& s : lists.back().sockets())
                if (seen.insert(s.get()).second)
                    pick(s);
        }
    }
}

void memory_adapter::broadcast_local(const protocol::socket_packet& packet, const broadcast_options& opts)
{
    // Encoded once, for the first recipient; every recipient gets the same
    // bytes.
    protocol::encoded_socket_packet encoded;
    for_each_selected(opts, [&](local_socket& s) {
        if (!encoded)
            encoded = nsp_.encode(packet, opts.compress);
        s.deliver(packet, encoded, opts.is_volatile);
    });
}

std::size_t memory_adapter::broadcast_with_ack_local(const protocol::socket_packet& packet,
                                                     const broadcast_options& opts, std::chrono::milliseconds timeout,
                                                     std::function<void(socket_ack_result)> answer)
{
    // The ack id is taken, and the packet encoded, for the first recipient.
    std::size_t asked = 0;
    protocol::socket_packet with_id;
    protocol::encoded_socket_packet encoded;
    for_each_selected(opts, [&](local_socket& s) {
        if (asked++ == 0) {
            with_id = packet;
            with_id.id = next_broadcast_ack_id_++;
            encoded = nsp_.encode(with_id, opts.compress);
        }
        s.deliver_with_ack(with_id, encoded, timeout, answer);
    });
    return asked;
}

std::vector<socket_info> memory_adapter::fetch_local(const broadcast_options& opts) const
{
    std::vector<socket_info> out;
    for_each_selected(opts, [&](local_socket& s) {
        auto info = s.describe();
        info.rooms = rooms_of(info.id);
        out.push_back(std::move(info));
    });
    return out;
}

void memory_adapter::add_sockets_local(const broadcast_options& opts, const std::vector<std::string>& rooms)
{
    for_each_selected(opts, [&](local_socket& s) {
        for (const auto& room : rooms)
            join(s.id(), room);
    });
}

void memory_adapter::del_sockets_local(const broadcast_options& opts, const std::vector<std::string>& rooms)
{
    for_each_selected(opts, [&](local_socket& s) {
        for (const auto& room : rooms)
            leave(s.id(), room);
    });
}

void memory_adapter::disconnect_local(const broadcast_options& opts, bool close_connection)
{
    for_each_selected(opts, [&](local_socket& s) { s.disconnect(close_connection); });
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
    for_each_selected(opts, [&](local_socket& s) { s.deliver(stamped, encoded, opts.is_volatile); });
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
