// The Connect Four rules (apps/game/rules): a pure module, tested alone.
#include "rules/connect_four.hpp"

#include <boost/test/unit_test.hpp>

#include <initializer_list>

using corio_game::cell;
using corio_game::connect_four;
using corio_game::disc;
using corio_game::move_error;

namespace {

/// Plays `columns` alternately from red; every move must be legal.
connect_four play_all(std::initializer_list<int> columns)
{
    connect_four game;
    for (int column : columns) {
        auto mover = game.turn();
        BOOST_TEST_REQUIRE(!game.play(mover, column).has_value(), "move in column " << column);
    }
    return game;
}

} // namespace

BOOST_AUTO_TEST_SUITE(rules)

BOOST_AUTO_TEST_CASE(discs_fall_to_the_lowest_free_row_and_turns_alternate)
{
    connect_four game;
    BOOST_TEST((game.turn() == disc::red));
    BOOST_TEST(!game.play(disc::red, 3).has_value());
    BOOST_TEST((game.at(3, 0) == disc::red));
    BOOST_TEST((game.turn() == disc::yellow));
    BOOST_TEST(!game.play(disc::yellow, 3).has_value());
    BOOST_TEST((game.at(3, 1) == disc::yellow));
    BOOST_TEST((game.last_move() == cell{3, 1}));
    BOOST_TEST(game.moves() == 2);
    BOOST_TEST(!game.over());
}

BOOST_AUTO_TEST_CASE(illegal_moves_change_nothing)
{
    connect_four game;
    BOOST_TEST((game.play(disc::yellow, 0) == move_error::not_your_turn));
    BOOST_TEST((game.play(disc::none, 0) == move_error::not_your_turn));
    BOOST_TEST((game.play(disc::red, -1) == move_error::bad_column));
    BOOST_TEST((game.play(disc::red, 7) == move_error::bad_column));
    BOOST_TEST(game.moves() == 0);
    BOOST_TEST((game.turn() == disc::red));

    game = play_all({0, 0, 0, 0, 0, 0});
    BOOST_TEST((game.play(disc::red, 0) == move_error::column_full));
    BOOST_TEST(game.moves() == 6);
    BOOST_TEST((game.turn() == disc::red));
}

BOOST_AUTO_TEST_CASE(four_in_a_column_wins)
{
    auto game = play_all({0, 1, 0, 1, 0, 1, 0});
    BOOST_TEST((game.winner() == disc::red));
    BOOST_TEST(game.over());
    BOOST_TEST((game.turn() == disc::none));
    BOOST_TEST(game.winning_cells().size() == 4u);
    BOOST_TEST((game.play(disc::yellow, 1) == move_error::game_over));
}

BOOST_AUTO_TEST_CASE(four_in_a_row_wins_when_the_gap_is_filled_last)
{
    // Red holds 0, 1 and 3 on the bottom row; 2 completes the line.
    auto game = play_all({0, 0, 1, 1, 3, 3, 2});
    BOOST_TEST((game.winner() == disc::red));
    auto cells = game.winning_cells();
    for (int column : {0, 1, 2, 3})
        BOOST_TEST((std::ranges::find(cells, cell{column, 0}) != cells.end()));
}

BOOST_AUTO_TEST_CASE(both_diagonals_win)
{
    // Rising: red at (0,0) (1,1) (2,2) (3,3).
    auto rising = play_all({0, 1, 1, 2, 2, 3, 2, 3, 3, 6, 3});
    BOOST_TEST((rising.winner() == disc::red));
    BOOST_TEST((rising.last_move() == cell{3, 3}));

    // Falling: yellow at (6,0) (5,1) (4,2) (3,3), mirrored.
    auto falling = play_all({0, 6, 5, 5, 4, 4, 3, 4, 3, 3, 0, 3});
    BOOST_TEST((falling.winner() == disc::yellow));
    BOOST_TEST(falling.winning_cells().size() == 4u);
}

BOOST_AUTO_TEST_CASE(five_in_a_line_marks_all_five)
{
    // Red fills 0, 1, 3, 4 on the bottom row, then 2 joins both halves.
    auto game = play_all({0, 0, 1, 1, 3, 3, 4, 4, 2});
    BOOST_TEST((game.winner() == disc::red));
    BOOST_TEST(game.winning_cells().size() == 5u);
}

BOOST_AUTO_TEST_CASE(three_in_a_line_is_not_a_win)
{
    auto game = play_all({0, 6, 1, 6, 2});
    BOOST_TEST((game.winner() == disc::none));
    BOOST_TEST(game.winning_cells().empty());
}

BOOST_AUTO_TEST_CASE(a_full_board_without_a_line_is_a_draw)
{
    // 42 moves (found by a search) after which nobody ever had four in a line.
    auto game = play_all({5, 4, 5, 0, 6, 2, 4, 5, 5, 0, 4, 1, 1, 0, 4, 5, 6, 5, 3, 1, 1,
                          2, 2, 6, 2, 6, 6, 3, 6, 2, 0, 3, 0, 3, 3, 4, 3, 1, 4, 2, 1, 0});
    BOOST_TEST(game.moves() == 42);
    BOOST_TEST(game.draw());
    BOOST_TEST(game.over());
    BOOST_TEST((game.winner() == disc::none));
    BOOST_TEST((game.turn() == disc::none));
    BOOST_TEST((game.play(disc::red, 6) == move_error::game_over));
}

BOOST_AUTO_TEST_CASE(names_and_sentences)
{
    BOOST_TEST(corio_game::to_string(disc::red) == "red");
    BOOST_TEST(corio_game::to_string(disc::yellow) == "yellow");
    BOOST_TEST((corio_game::opponent(disc::red) == disc::yellow));
    BOOST_TEST(corio_game::describe(move_error::column_full) == "That column is full.");
}

BOOST_AUTO_TEST_SUITE_END()
