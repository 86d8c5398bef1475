#pragma once
// Where the lobby keeps what every node of the game must agree on: the rooms
// by code, the room each user is in, who is online, and when players who
// dropped out forfeit. memory_room_store keeps it in this process (one node);
// redis_room_store keeps it in Redis, so that several nodes play as one.

#include "play/clock.hpp"
#include "play/room.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace corio_game {

enum class store_error {
    unavailable = 1, ///< the store cannot be reached (Redis is down): try later
    bad_reply,       ///< the store answered something this program did not expect
    bad_room,        ///< a stored room could not be read back (room::from_json)
};

const boost::system::error_category& store_category() noexcept;
boost::system::error_code make_error_code(store_error e) noexcept;

template <class T> using store_result = boost::system::result<T>;

/// A room as the store has it.
struct stored_room {
    room value;
    /// Changes with every commit of the room and never repeats, even for a
    /// new room under an old code; commit compares it.
    std::uint64_t version = 0;
};

/// What a read saw.
struct room_snapshot {
    std::optional<stored_room> found;
    /// The store's clock when it was read: away deadlines are on this clock
    /// (the lobby's clock for the memory store, Redis's TIME for Redis).
    clock::duration now{0};
};

/// The lobby's room list, as of one moment.
struct room_list {
    /// room::summary() of every open room, in no particular order.
    std::vector<room_summary> rooms;
    /// The store's sequence number when it was read: a list with a higher
    /// one is newer (the pages drop older ones that arrive late).
    std::uint64_t version = 0;
};

/// One atomic change: one room, and the users who enter or leave it.
struct room_change {
    std::string code;
    /// The version read (stored_room::version); 0 for a new room, whose
    /// code must then be free.
    std::uint64_t expected = 0;
    /// The room after the change; std::nullopt closes it.
    std::optional<room> next;
    /// Users who enter the room: each must be in no other room. They
    /// leave the quick match queue.
    std::vector<std::int64_t> enter;
    /// Users who leave it.
    std::vector<std::int64_t> leave;
    /// Users who must have no socket on any node (a player marked away or
    /// forfeiting): a reconnect that raced ahead wins.
    std::vector<std::int64_t> absent;
    /// For a new room: refused when this many are open already (0: no limit).
    std::size_t max_rooms = 0;
    /// Also read the room list, as of this change.
    bool want_list = false;
};

enum class commit_status {
    done,
    conflict,       ///< the room changed since it was read (or its new code is taken): read again
    user_busy,      ///< a user of `enter` is in another room
    user_present,   ///< a user of `absent` has a socket
    too_many_rooms, ///< `max_rooms` are open
};

struct commit_result {
    commit_status status = commit_status::done;
    /// The store's sequence number at this change (when done).
    std::uint64_t version = 0;
    /// When asked for and done.
    std::optional<room_list> list;
};

/// Who is online, after a socket came or went.
struct presence {
    /// The user's sockets on every node.
    std::size_t user_sockets = 0;
    /// Distinct users with a socket on some node.
    std::size_t online = 0;
    /// The store's sequence number at this change.
    std::uint64_t version = 0;
};

/// What the periodic sweep found (redis_room_store: nodes that stopped,
/// departures nobody settled, and deadlines that passed while the node that
/// set them was gone).
struct sweep_result {
    /// Users with no socket left whom no lobby settled: their every socket
    /// was on nodes that stopped, or the node of their last one did not
    /// finish. As if they had just disconnected.
    std::vector<std::int64_t> gone;
    /// Rooms with a player's deadline passed.
    std::vector<std::string> due;
    /// Who is online now, when it may have changed (`gone` is not empty,
    /// or this node's sockets were just counted again).
    std::optional<presence> online;
};

// Quick match
/// A player waiting for an opponent.
struct match_ticket {
    std::int64_t user_id = 0;
    std::string name;
};

/// Every member completes with a value or a store_error (or the Redis
/// client's error codes), never throws for a store that is down, and may be
/// called from any thread concurrently. Each call is atomic on its own; a
/// read-modify-write is a load, then a commit of the version read, again on
/// conflict.
class room_store {
public:
    virtual ~room_store() = default;

    /// The room `code`.
    virtual boost::asio::awaitable<store_result<room_snapshot>> load(std::string code) = 0;
    /// The room `user_id` plays or watches in.
    virtual boost::asio::awaitable<store_result<room_snapshot>> load_user_room(std::int64_t user_id) = 0;
    virtual boost::asio::awaitable<store_result<commit_result>> commit(room_change change) = 0;
    virtual boost::asio::awaitable<store_result<room_list>> list() = 0;

    /// One more, or one fewer, socket of `user_id` on this node. When the
    /// user's last socket went, the user is departing until settled.
    virtual boost::asio::awaitable<store_result<presence>> socket_connected(std::int64_t user_id) = 0;
    virtual boost::asio::awaitable<store_result<presence>> socket_disconnected(std::int64_t user_id) = 0;
    /// The lobby dealt with `user_id` having no socket left (marked away,
    /// out of their room, or in none): no sweep needs to.
    virtual boost::asio::awaitable<boost::system::error_code> settled(std::int64_t user_id) = 0;

    /// For a store shared by nodes: tells the others this node is alive,
    /// and finds what nodes that stopped left behind. The lobby calls it
    /// every lobby_options::sweep_interval.
    virtual boost::asio::awaitable<store_result<sweep_result>> sweep() = 0;

    // Quick match: one first-come, first-served queue per `pool` (players
    // who want the same kind of game), shared by every node.

    /// Takes the player who has waited longest in `pool` out of the queue
    /// and returns them, skipping (and dropping) anyone with no socket on
    /// any node; `me` then waits nowhere. When nobody else waits, `me`
    /// waits in `pool` (leaving any other queue) and the result is empty.
    virtual boost::asio::awaitable<store_result<std::optional<match_ticket>>> match(std::string pool,
                                                                                     match_ticket me) = 0;
    /// `user_id` stops waiting; false when they were not waiting.
    virtual boost::asio::awaitable<store_result<bool>> cancel_match(std::int64_t user_id) = 0;
};

} // namespace corio_game

template <> struct boost::system::is_error_code_enum<corio_game::store_error> : std::true_type {
};
