#include "rules/connect_four.hpp"

namespace corio_game {

disc opponent(disc d) noexcept
{
    switch (d) {
    case disc::red:
        return disc::yellow;
    case disc::yellow:
        return disc::red;
    case disc::none:
        break;
    }
    return disc::none;
}

std::string_view to_string(disc d) noexcept
{
    switch (d) {
    case disc::red:
        return "red";
    case disc::yellow:
        return "yellow";
    case disc::none:
        break;
    }
    return "";
}

std::string_view describe(move_error e) noexcept
{
    switch (e) {
    case move_error::game_over:
        return "The game is over.";
    case move_error::not_your_turn:
        return "It is not your turn.";
    case move_error::bad_column:
        return "There is no such column.";
    case move_error::column_full:
        return "That column is full.";
    }
    return "Invalid move.";
}

std::optional<move_error> connect_four::play(disc player, int column)
{
    if (over())
        return move_error::game_over;
    if (player != turn_)
        return move_error::not_your_turn;
    if (column < 0 || column >= columns)
        return move_error::bad_column;
    auto& stack = board_[column];
    int row = 0;
    while (row < rows && stack[row] != disc::none)
        ++row;
    if (row == rows)
        return move_error::column_full;

    stack[row] = player;
    ++moves_;
    last_ = cell{column, row};
    find_line(*last_);
    turn_ = opponent(player);
    return std::nullopt;
}

// Only lines through the newest disc can be new: walk both ways along each
// of the four directions from it.
void connect_four::find_line(cell from)
{
    const disc player = at(from.column, from.row);
    constexpr std::array<std::array<int, 2>, 4> directions{{{1, 0}, {0, 1}, {1, 1}, {1, -1}}};
    for (auto [dc, dr] : directions) {
        std::vector<cell> line{from};
        for (int sign : {1, -1}) {
            for (int c = from.column + sign * dc, r = from.row + sign * dr;
                 c >= 0 && c < columns && r >= 0 && r < rows && at(c, r) == player; c += sign * dc, r += sign * dr)
                line.push_back({c, r});
        }
        if (line.size() >= 4) {
            winner_ = player;
            winning_.insert(winning_.end(), line.begin(), line.end());
        }
    }
}

} // namespace corio_game
