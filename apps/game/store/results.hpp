#pragma once
// Finished games and the leaderboard computed from them.

#include "store/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace corio_game {

struct game_result {
    std::int64_t red_user = 0;
    std::int64_t yellow_user = 0;
    /// std::nullopt for a draw.
    std::optional<std::int64_t> winner;
    /// "connect" (four in a row), "draw", "forfeit" (a player did not come
    /// back in time) or "resign" (a player left the game).
    std::string ending;
    int moves = 0;
};

struct leaderboard_row {
    std::string name;
    int wins = 0;
    int losses = 0;
    int draws = 0;
};

/// @par Thread safety
/// Every member may be called from any thread.
class results {
public:
    explicit results(database& db) : db_(db) {}

    void record(const game_result& r);
    /// Players with a full account and at least one finished game, best
    /// first (wins, then fewer losses, then name), at most `limit` rows.
    std::vector<leaderboard_row> leaderboard(std::size_t limit = 20);
    /// The same for guest accounts, ranked apart: a guest's games count on
    /// this board until the guest upgrades, then on the main one. A game
    /// between a guest and a full account counts for each on their own.
    std::vector<leaderboard_row> guest_leaderboard(std::size_t limit = 20);

private:
    std::vector<leaderboard_row> ranking(bool guests, std::size_t limit);

    database& db_;
};

} // namespace corio_game
