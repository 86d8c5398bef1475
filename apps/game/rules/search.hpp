#pragma once
// The computer's Connect Four player: a negamax search with alpha-beta
// pruning over a bitboard of the position, iterative deepening within a time
// budget, a transposition table and a heuristic for positions it cannot
// search to the end. Pure and stateless like the rules: each call is given
// the game and its limits, allocates what it needs and keeps nothing, so
// calls may run on any threads at once. play/computer.* runs it off the io
// threads and plays its answer through the lobby.

#include "rules/connect_four.hpp"

#include <chrono>
#include <cstdint>
#include <optional>

namespace corio_game {

/// How hard the search tries. Every level takes an immediate win and never
/// plays a move that lets the opponent win at once when another move does not.
struct search_limits {
    /// The deepest search, in plies (moves of either player).
    int depth = 42;
    /// The search stops after this long and plays the best move of the
    /// deepest iteration it completed (at least one ply, which takes
    /// microseconds, whatever the budget).
    std::chrono::milliseconds budget{1000};
    /// How often, out of 1000, a move is instead picked at random among the
    /// safe ones (a human's slip, so that weak levels can be beaten).
    int random_per_mille = 0;
};

struct search_result {
    int column = 0;
    /// The deepest iteration completed, in plies.
    int depth = 0;
    /// From the mover's side: > 0 is better for it; a forced win is at
    /// least search_win_score - 42.
    int score = 0;
    /// The move was the random slip of search_limits::random_per_mille.
    bool random = false;
};

/// The levels a player can choose from ("Play the computer").
enum class computer_level { easy, medium, hard };

/// What each level searches: easy looks two plies ahead and slips often,
/// medium six plies and slips now and then, hard as deep as its budget of
/// 1.5 s allows and never slips.
search_limits limits_for(computer_level level) noexcept;

/// A score at or above this is a forced win (a loss if negated).
inline constexpr int search_win_score = 1'000'000;

/// The column for the player to move in `game`. std::nullopt once the game
/// is over. `seed` drives the random slips (and nothing else), so equal
/// seeds answer alike when the budget is not what ends the search.
/// `deadline`, when given, stops the search earlier than the budget would
/// (work that waited in a queue has less time left).
///
/// @par Thread safety
/// Reentrant: it uses only its parameters and its own memory (a few MiB
/// for the transposition table while it runs).
std::optional<search_result> choose_column(const connect_four& game, const search_limits& limits,
                                           std::uint64_t seed = 0,
                                           std::optional<std::chrono::steady_clock::time_point> deadline = {});

} // namespace corio_game
