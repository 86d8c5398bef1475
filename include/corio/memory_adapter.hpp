#pragma once
// The in-memory adapter: one server, rooms in this process's memory. Adapters
// that span servers build on it: its protected members are this server's
// part of each cluster operation.

#include <corio/adapter.hpp>

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace corio {

namespace detail {
class recovery_store;
}

/// The default adapter: every cluster operation acts on this server alone.
/// An empty room is removed at once. Each membership change is reported to
/// the local_namespace (room_joined, room_left) once the lock is released.
///
/// @par Thread safety
/// As adapter: any thread. One mutex serializes the changes of membership;
/// a broadcast does not take it (except to list every socket again after
/// one came or went): it takes each of its rooms' shard locks (or the list
/// of every socket's lock) for a moment, to share the room's snapshot of
/// members or copy a small room.
/// Sockets are called with no lock held.
///
/// With connection state recovery on (local_namespace::recovery), it keeps
/// the events it broadcasts and the sessions that left in memory, within
/// state_recovery_options' bounds: a client recovers only on this server.
class memory_adapter : public adapter {
public:
    explicit memory_adapter(local_namespace& nsp);
    ~memory_adapter() override;

    void add_socket(std::shared_ptr<local_socket> s) override;
    void remove_socket(const std::string& sid) override;
    void join(const std::string& sid, const std::string& room) override;
    bool try_join(const std::string& sid, const std::string& room, std::size_t max_rooms) override;
    void leave(const std::string& sid, const std::string& room) override;
    std::vector<std::string> rooms_of(const std::string& sid) const override;
    std::vector<std::string> local_rooms() const override;

    void broadcast(const protocol::socket_packet& packet, const broadcast_options& opts) override;
    void broadcast_with_ack(const protocol::socket_packet& packet, const broadcast_options& opts,
                            std::chrono::milliseconds timeout, std::shared_ptr<broadcast_ack_sink> sink) override;
    void fetch_sockets(const broadcast_options& opts,
                       std::shared_ptr<reply_sink<std::vector<socket_info>>> sink) override;
    void add_sockets(const broadcast_options& opts, std::vector<std::string> rooms, adapter_completion done) override;
    void del_sockets(const broadcast_options& opts, std::vector<std::string> rooms, adapter_completion done) override;
    void disconnect_sockets(const broadcast_options& opts, bool close_connection, adapter_completion done) override;
    /// No other server: the sink expects no reply.
    void server_side_emit(const arguments& args, std::shared_ptr<reply_sink<arguments>> sink) override;

    void persist_session(persisted_session s) override;
    void restore_session(std::string pid, std::string offset,
                         std::function<void(std::optional<restored_session>)> done) override;

protected:
    local_namespace& local() const noexcept { return nsp_; }
    /// Whether every room `opts` names is the id room of a socket of this
    /// server, so that no other server has a member to reach (socket ids are
    /// unique across servers). False when `opts` names no room.
    bool targets_local_sockets_only(const broadcast_options& opts) const;

    // This server's part of each cluster operation. -----------------------------

    /// Encodes `packet` once and queues it for each selected local socket.
    void broadcast_local(const protocol::socket_packet& packet, const broadcast_options& opts);
    /// Sends `packet` with one ack id of this server's to each selected
    /// local socket; `answer` is called per socket, on its strand. Returns
    /// how many sockets were asked.
    std::size_t broadcast_with_ack_local(const protocol::socket_packet& packet, const broadcast_options& opts,
                                         std::chrono::milliseconds timeout,
                                         std::function<void(socket_ack_result)> answer);
    std::vector<socket_info> fetch_local(const broadcast_options& opts) const;
    void add_sockets_local(const broadcast_options& opts, const std::vector<std::string>& rooms);
    void del_sockets_local(const broadcast_options& opts, const std::vector<std::string>& rooms);
    void disconnect_local(const broadcast_options& opts, bool close_connection);

    /// A room of this server got its first member, or lost its last:
    /// Node's "create-room" and "delete-room". `socket_room` when the room
    /// is a local socket's own (named by its id). Called with the rooms'
    /// lock held, in the order the changes happened: must not call back
    /// into the adapter.
    virtual void room_created(const std::string& /*room*/, bool /*socket_room*/) {}
    virtual void room_deleted(const std::string& /*room*/, bool /*socket_room*/) {}

private:
    /// Sockets as a broadcast reaches them; which are still connected is
    /// asked as each is reached.
    using socket_list = std::vector<std::shared_ptr<local_socket>>;
    struct socket_entry {
        std::shared_ptr<local_socket> socket;
        /// The rooms it joined besides its own: most sockets have none, and
        /// an empty set allocates nothing.
        std::unordered_set<std::string> rooms;
        /// Whether it is in its own room (named by its id), as it is from
        /// add_socket until it leaves it.
        bool in_own_room = false;
    };
    struct room {
        /// Entries of sockets_, which outlive their membership.
        std::unordered_set<const socket_entry*> members;
        /// The members as the last broadcast found them, shared by the
        /// broadcasts that follow until the membership changes (null then,
        /// until the next broadcast takes it again). Small rooms keep none.
        std::shared_ptr<const socket_list> snapshot;
    };
    /// A part of the rooms, by their name's hash, with a lock of its own: a
    /// broadcast takes only its rooms' shards, never mutex_.
    struct alignas(64) rooms_shard {
        std::mutex mutex;
        std::unordered_map<std::string, room> rooms;
    };
    static constexpr std::size_t rooms_shards = 16;
    /// A room's members as one broadcast reaches them: a shared snapshot,
    /// or for a small room a copy of its own.
    struct member_list {
        std::shared_ptr<const socket_list> snapshot;
        socket_list copy;
        const socket_list& sockets() const noexcept { return snapshot ? *snapshot : copy; }
    };

    /// Calls `f(local_socket&)` once for each selected connected socket,
    /// holding no lock; the sockets stay alive during the call. Each room
    /// is read at its own moment under its shard's lock: a socket moving
    /// between two named rooms meanwhile may be reached from either.
    template <class F>
    void for_each_selected(const broadcast_options& opts, F&& f) const;
    member_list members_of(const std::string& room) const;
    std::shared_ptr<const socket_list> all_sockets() const;
    /// Caller holds mutex_: a socket came or went.
    void drop_all_sockets();
    /// The members of `opts.except`'s rooms, sorted by address. Handles,
    /// not addresses: none is freed, and its address taken by a target,
    /// while the broadcast runs.
    socket_list excluded(const broadcast_options& opts) const;
    rooms_shard& shard_of(const std::string& room) const noexcept;
    // Caller holds mutex_. Return whether the membership changed.
    bool join_locked(socket_entry& entry, const std::string& room);
    bool leave_locked(socket_entry& entry, const std::string& room);
    /// Records `room` in `entry`'s rooms (or its own-room flag); false if
    /// it was there.
    static bool record_join(socket_entry& entry, const std::string& room);
    static bool record_leave(socket_entry& entry, const std::string& room);
    static std::size_t room_count(const socket_entry& entry) noexcept;
    /// Takes `entry` out of `room`'s members, and the room away once empty.
    void drop_member(const std::string& room, const socket_entry& entry);

    local_namespace& nsp_;
    // Connection state recovery's events and sessions; its own lock.
    std::unique_ptr<detail::recovery_store> store_;
    /// Guards sockets_, and every change of membership (which takes the
    /// room's shard lock too, after it).
    mutable std::mutex mutex_;
    std::unordered_map<std::string, socket_entry> sockets_;
    // Mutable: a broadcast keeps the snapshot it took in its room.
    mutable std::array<rooms_shard, rooms_shards> shards_;
    /// Every socket, for a broadcast to no room in particular: as rooms'
    /// snapshots, cleared as a socket comes or goes and taken again by the
    /// next such broadcast (both under mutex_ too). all_mutex_ is held only
    /// to copy or replace the pointer. (Not std::atomic<std::shared_ptr>:
    /// libstdc++ 12's hides its lock from TSan, and libc++ has none.)
    mutable std::mutex all_mutex_;
    mutable std::shared_ptr<const socket_list> all_;
    /// Ack ids of broadcasts, one per broadcast and server, in a range the
    /// per-socket ack ids never reach (they count from 0 per socket).
    std::atomic<std::uint64_t> next_broadcast_ack_id_{std::uint64_t{1} << 48};
};

/// The default adapter_factory.
std::unique_ptr<adapter> make_memory_adapter(local_namespace& nsp);

} // namespace corio
