#pragma once
// One room: two seats (red hosts), spectators, the game on the table, rematch
// offers and players who dropped out. A plain value with no sockets, no
// timers and no locking: a room_store keeps rooms (in memory, or as JSON in
// Redis) and the lobby changes copies of them.

#include "play/clock.hpp"
#include "play/payloads.hpp"
#include "play/turn_clock.hpp"
#include "rules/connect_four.hpp"
#include "store/results.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace corio_game {

struct seat {
    std::int64_t user_id = 0;
    std::string name;
};

class room {
public:
    /// `per_player`: the turn clock's time per player and game (none: no clock).
    room(std::string code, seat host, std::optional<clock::duration> per_player = std::nullopt);

    const std::string& code() const noexcept { return code_; }
    room_status status() const noexcept { return status_; }
    const connect_four& game() const noexcept { return game_; }

    /// The colour `user_id` plays, disc::none for anyone else.
    disc color_of(std::int64_t user_id) const noexcept;
    const std::optional<seat>& seat_of(disc color) const noexcept;
    bool has_free_seat() const noexcept { return !red_ || !yellow_; }
    bool has_players() const noexcept { return red_ || yellow_; }
    bool has_spectator(std::int64_t user_id) const noexcept { return spectators_.contains(user_id); }
    /// Everyone the room's events go to: both players, then the spectators.
    std::vector<std::int64_t> members() const;
    std::vector<std::int64_t> spectator_ids() const;

    /// Seats `player` in the free seat; with both seats taken a new game
    /// starts. `now` (the store's clock) starts the turn clock, if any; the
    /// same holds for `now` below.
    void take_seat(seat player, clock::duration now = {});
    void add_spectator(seat watcher) { spectators_[watcher.user_id] = std::move(watcher.name); }
    void remove_spectator(std::int64_t user_id) { spectators_.erase(user_id); }

    /// Plays `user_id`'s move; returns the finished game's result when this
    /// move ended it.
    std::variant<std::optional<game_result>, move_error> play(std::int64_t user_id, int column,
                                                              clock::duration now = {});

    /// `user_id` offers a rematch; once both players did, a new game starts
    /// with the colours swapped. True if it started.
    bool offer_rematch(std::int64_t user_id, clock::duration now = {});

    /// A player leaves their seat (left the room, or did not come back in
    /// time: `ending` is "resign" or "forfeit"). During a game the opponent
    /// wins, and that result is returned.
    std::optional<game_result> vacate(std::int64_t user_id, std::string_view ending, clock::duration now = {});

    /// A player's connection dropped: they have until `deadline` (on the
    /// store's clock) to come back, else they forfeit.
    void mark_away(std::int64_t user_id, clock::duration deadline) { away_[user_id] = deadline; }
    /// The player is back (or gone for good).
    void clear_away(std::int64_t user_id) { away_.erase(user_id); }
    bool is_away(std::int64_t user_id) const noexcept { return away_.contains(user_id); }
    /// The earliest deadline of a player who is away, or of the turn
    /// clock's running bank, if any.
    std::optional<clock::duration> next_deadline() const;
    /// A player whose deadline is at or before `now`, if any.
    std::optional<std::int64_t> overdue(clock::duration now) const;

    /// The room's turn clock, if it has one (it stays for rematches).
    const std::optional<turn_clock>& time_control() const noexcept { return clock_; }
    /// During a game, the player to move has no time left at `now`.
    bool flagged(clock::duration now) const;
    /// When flagged(now): the player to move loses on time (ending "time");
    /// returns the finished game's result. Otherwise does nothing.
    std::optional<game_result> flag(clock::duration now);

    /// The `room` event: everything a player or spectator draws. `now` is the
    /// lobby's clock, for the seconds left to players who are away.
    room_state state(clock::duration now) const;
    /// A line of the lobby's room list.
    room_summary summary() const;
    /// The status line: whose turn, who won, who is away ("Waiting for
    /// player 2, room ID is K7QX" while waiting).
    std::string message(clock::duration now) const;

    /// Everything about the room, for a store to keep: to_json and
    /// from_json round-trip. from_json checks what it reads (a store's
    /// bytes are not trusted: the game is replayed move by move) and gives
    /// std::nullopt for anything a room could not have written.
    boost::json::object to_json() const;
    static std::optional<room> from_json(const boost::json::value& v);

private:
    room() = default;
    void start_game(clock::duration now);
    game_result result(std::optional<disc> winner, std::string ending) const;

    std::string code_;
    room_status status_ = room_status::waiting;
    std::optional<seat> red_;
    std::optional<seat> yellow_;
    std::map<std::int64_t, std::string> spectators_;
    connect_four game_;
    /// The columns played in this game, in order (game_ replays them).
    std::vector<int> columns_;
    /// How the last game ended: "connect", "draw", "resign", "forfeit", "time".
    std::string ending_;
    /// Who won the last game (names are kept: the loser may have left).
    std::string winner_name_, loser_name_;
    disc winner_ = disc::none;
    bool red_rematch_ = false, yellow_rematch_ = false;
    /// Players who dropped out, and the deadline of each.
    std::map<std::int64_t, clock::duration> away_;
    /// The turn clock, when the room was created with one.
    std::optional<turn_clock> clock_;
};

} // namespace corio_game
