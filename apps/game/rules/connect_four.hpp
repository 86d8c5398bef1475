#pragma once
// The rules of Connect Four on a 7×6 board, as a pure value type: no I/O, no
// clock, no threads. The server keeps one per room and is the only one that
// applies moves; clients only draw what it sends.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace corio_game {

/// Red moves first.
enum class disc : std::uint8_t { none, red, yellow };

disc opponent(disc d) noexcept;
std::string_view to_string(disc d) noexcept; ///< "", "red", "yellow"

enum class move_error {
    game_over,    ///< the game already has a winner or is a draw
    not_your_turn,
    bad_column,   ///< outside 0..6
    column_full,
};

/// A user-facing sentence for `e`.
std::string_view describe(move_error e) noexcept;

struct cell {
    int column = 0;
    int row = 0; ///< 0 is the bottom row
    friend bool operator==(const cell&, const cell&) = default;
};

class connect_four {
public:
    static constexpr int columns = 7;
    static constexpr int rows = 6;

    /// Drops `player`'s disc into `column` (see last_move). On error the
    /// game is unchanged.
    std::optional<move_error> play(disc player, int column);

    disc at(int column, int row) const noexcept { return board_[column][row]; }
    /// Whose turn it is; disc::none once the game is over.
    disc turn() const noexcept { return over() ? disc::none : turn_; }
    disc winner() const noexcept { return winner_; }
    bool draw() const noexcept { return winner_ == disc::none && moves_ == columns * rows; }
    bool over() const noexcept { return winner_ != disc::none || draw(); }
    int moves() const noexcept { return moves_; }
    /// The cells of the winning line (four or more), empty without a winner.
    const std::vector<cell>& winning_cells() const noexcept { return winning_; }
    std::optional<cell> last_move() const noexcept { return last_; }

private:
    void find_line(cell from);

    std::array<std::array<disc, rows>, columns> board_{};
    disc turn_ = disc::red;
    disc winner_ = disc::none;
    int moves_ = 0;
    std::vector<cell> winning_;
    std::optional<cell> last_;
};

} // namespace corio_game
