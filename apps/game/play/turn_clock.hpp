#pragma once
// A chess clock for the two players of a room: each has a bank of time that
// runs down only on their own turn, and whoever's bank runs out first loses
// the game on time. A plain value with no timer: times are on the room
// store's clock (room_snapshot::now), so a room that moves between nodes
// keeps its clocks, and the lobby wakes up at deadline() to flag.

#include "play/clock.hpp"
#include "rules/connect_four.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>

namespace corio_game {

class turn_clock {
public:
    /// Both banks start with `per_player` (which must be positive) and stand still.
    explicit turn_clock(clock::duration per_player);

    clock::duration per_player() const noexcept { return per_player_; }
    /// Whose bank runs down, disc::none while the clock stands still.
    disc running() const noexcept { return running_; }

    /// A new game at `now`: both banks full, `first`'s running.
    void start(disc first, clock::duration now);
    /// The running player moved at `now`: their bank is charged the time
    /// since their turn began, and the other's runs from `now`.
    void pass(clock::duration now);
    /// The game ended at `now`: the running bank is charged and the clock
    /// stands still (a bank never goes below zero).
    void stop(clock::duration now);

    /// What `color` has left at `now` (the running bank counts down), at least 0.
    clock::duration left(disc color, clock::duration now) const;
    /// When the running bank reaches zero; std::nullopt while standing still.
    std::optional<clock::duration> deadline() const;
    /// The running bank is empty at `now`.
    bool flagged(clock::duration now) const;

    /// For room_json: to_json and from_json round-trip; from_json gives
    /// std::nullopt for anything a turn_clock could not have written.
    boost::json::object to_json() const;
    static std::optional<turn_clock> from_json(const boost::json::value& v);

private:
    clock::duration& bank(disc color) noexcept { return color == disc::yellow ? yellow_ : red_; }
    clock::duration bank(disc color) const noexcept { return color == disc::yellow ? yellow_ : red_; }

    clock::duration per_player_;
    /// Each bank as of the start of the running turn (`since_`).
    clock::duration red_, yellow_;
    disc running_ = disc::none;
    clock::duration since_{0};
};

} // namespace corio_game
