#pragma once
// The lobby: who is online, the live rooms by code, and every change to them.
// Each operation validates, changes the rooms, tells the sockets concerned and
// returns the acknowledgement; play/handlers.cpp maps events onto them.

#include "play/clock.hpp"
#include "play/room.hpp"
#include "store/accounts.hpp"
#include "store/results.hpp"

#include <corio/nsp.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

namespace corio_game {

struct lobby_options {
    /// How long a player who dropped out has to come back before forfeiting.
    std::chrono::milliseconds reconnect_grace{30'000};
    std::size_t max_rooms = 10'000;
    /// Chat: longest message in characters, and at most `chat_burst`
    /// messages per `chat_window` per user.
    std::size_t chat_max_chars = 200;
    std::size_t chat_burst = 5;
    std::chrono::milliseconds chat_window{5'000};
};

/// Acks are `{"ok": true, ...}` or `{"error": sentence, ...}`.
///
/// @par Thread safety
/// Every member may be called from any thread; one mutex serialises them, and
/// what they emit is queued under it, so every client sees the changes in the
/// same order. Reconnect timers run on `clock`.
///
/// @par Lifetime
/// Create with std::make_shared (timers hold a weak reference). `results` and
/// `clock` must outlive it.
class lobby : public std::enable_shared_from_this<lobby> {
public:
    lobby(corio::nsp ns, results& results, clock& clock, lobby_options opts = {});

    /// A signed-in socket connected: it gets `welcome`, `online`, `rooms`,
    /// and `room` when its user is in a room (a reload resumes the game).
    void connected(const corio::socket_ref& socket, const user& u);
    /// A socket left. When it was its user's last one, a player gets the
    /// reconnect grace and a spectator leaves the room.
    void disconnected(const corio::socket_ref& socket, const user& u);
    /// Disconnects every socket of `user_id` (after a logout).
    void disconnect_user(std::int64_t user_id);

    boost::json::object create_room(const user& u);
    boost::json::object join_room(const user& u, std::string code);
    boost::json::object watch_room(const user& u, std::string code);
    boost::json::object leave_room(const user& u);
    boost::json::object move(const user& u, int column);
    boost::json::object rematch(const user& u);
    boost::json::object chat(const user& u, std::string text);

    /// Distinct users with at least one socket.
    std::size_t online() const;
    std::size_t room_count() const;

private:
    using lock = std::unique_lock<std::mutex>;

    room* room_of(std::int64_t user_id);
    std::string unused_code();
    /// Makes every socket of `user_id` join or leave the room's broadcast group.
    void enter(std::int64_t user_id, const room& r);
    void exit(std::int64_t user_id, const room& r);
    /// `user_id` leaves their room; the room closes once no player is left.
    void leave(std::int64_t user_id, std::string_view ending);
    void forfeit(std::int64_t user_id, const std::string& code);
    void record(const std::optional<game_result>& result);

    void publish_room(const room& r) const;
    void publish_rooms() const;
    void publish_online() const;
    boost::json::array room_list() const;

    corio::nsp ns_;
    results& results_;
    clock& clock_;
    lobby_options opts_;

    mutable std::mutex mutex_;
    std::unordered_map<std::string, room> rooms_;
    /// The room code each user is in, as a player or a spectator.
    std::unordered_map<std::int64_t, std::string> room_of_user_;
    std::unordered_map<std::int64_t, std::vector<corio::socket_ref>> sockets_;
    std::unordered_map<std::int64_t, std::deque<clock::duration>> chat_times_;
    std::mt19937_64 random_{std::random_device{}()};
};

} // namespace corio_game
