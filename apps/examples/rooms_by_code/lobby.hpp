#pragma once
// The lobby of a two-player game: a player creates a room and gets a
// 4-character code, a second player joins with that code, and the game
// starts. The handlers are registered by setup_lobby; docs/guide.md walks
// through them.

#include <corio/server.hpp>

#include <boost/describe/class.hpp>

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace rooms_by_code {

/// A player in a room: the socket id and the name the player gave.
struct seat {
    std::string id;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(seat, (), (id, name))

/// The `new_game` event's payload, sent to both players.
struct new_game {
    std::string room;
    std::vector<seat> players; ///< the creator first
    std::string first;         ///< the socket id of the player who starts
};
BOOST_DESCRIBE_STRUCT(new_game, (), (room, players, first))

/// Per-socket data (`ctx.data<player>()`): who this socket is, and where.
struct player {
    std::string name;
    std::string room; ///< empty: in no room
};

/// The live rooms, by code.
///
/// @par Thread safety
/// Every member may be called from any thread: handlers of different sockets
/// run concurrently. create and join also put the socket in the Socket.IO
/// room named by the code while they hold the table's lock, so a room is
/// never seen without its players in it.
class room_table {
public:
    static constexpr std::size_t capacity = 2;
    /// Most rooms open at once (the codes must stay easy to find).
    static constexpr std::size_t max_rooms = 100'000;

    /// Opens a room with `creator` in it. Its code, or std::nullopt when
    /// max_rooms rooms are open.
    std::optional<std::string> create(const corio::socket_ref& creator, std::string name);

    enum class join_status { joined, unknown_code, full };
    struct join_result {
        join_status status;
        new_game game; ///< when joined: the room's players, and who starts
    };
    /// Seats `joiner` in room `code`; the second player starts the game.
    join_result join(const corio::socket_ref& joiner, const std::string& code, std::string name);

    /// Takes socket `id` out of room `code`; a room left empty closes.
    /// Returns how many players are left.
    std::size_t leave(const std::string& code, const std::string& id);

    std::size_t size() const;

private:
    std::string unused_code(); // with mutex_ held

    mutable std::mutex mutex_;
    std::map<std::string, std::vector<seat>> rooms_;
    std::mt19937 random_{std::random_device{}()};
};

/// Registers the lobby's handlers on io.of("/"): create_room, join_room and
/// the disconnect handler. `rooms` lives as long as the handlers.
void setup_lobby(corio::server& io, std::shared_ptr<room_table> rooms);

} // namespace rooms_by_code
