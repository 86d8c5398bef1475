// The computer's search (rules/search.hpp): it takes wins, blocks losses,
// finds forced wins, and each level answers within its time. The forced
// wins are checked by a brute-force search written here, independent of
// the one under test, on positions this file finds by random play.
#include "rules/search.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <initializer_list>
#include <random>
#include <set>
#include <vector>

namespace {

using corio_game::computer_level;
using corio_game::connect_four;
using corio_game::search_limits;

constexpr std::array levels{computer_level::easy, computer_level::medium, computer_level::hard};

connect_four played(std::initializer_list<int> columns)
{
    connect_four g;
    for (int c : columns) {
        auto error = g.play(g.turn(), c);
        BOOST_TEST_REQUIRE(!error.has_value(), "column " << c);
    }
    return g;
}

connect_four after(connect_four g, int column)
{
    g.play(g.turn(), column);
    return g;
}

bool legal(const connect_four& g, int column)
{
    return !g.over() && g.at(column, connect_four::rows - 1) == corio_game::disc::none;
}

/// Whether the player to move in `g` can force a win with at most `n` of
/// their own moves, whatever the opponent answers. Plain minimax.
bool wins_within(const connect_four& g, int n);

/// Whether `column` starts such a win.
bool starts_win_within(const connect_four& g, int column, int n)
{
    if (!legal(g, column))
        return false;
    auto mover = g.turn();
    auto next = after(g, column);
    if (next.winner() == mover)
        return true;
    if (n <= 1 || next.over())
        return false;
    for (int reply = 0; reply < connect_four::columns; ++reply) {
        if (!legal(next, reply))
            continue;
        auto answered = after(next, reply);
        if (answered.over() || !wins_within(answered, n - 1))
            return false;
    }
    return true;
}

bool wins_within(const connect_four& g, int n)
{
    for (int c = 0; c < connect_four::columns; ++c)
        if (starts_win_within(g, c, n))
            return true;
    return false;
}

/// Positions (reached by seeded random play) where the player to move has
/// a forced win in exactly `n` moves: within n, not within n - 1.
std::vector<connect_four> forced_wins_in(int n, std::size_t count)
{
    std::vector<connect_four> found;
    std::mt19937 random(20261205u + static_cast<unsigned>(n));
    for (int game = 0; game < 2000 && found.size() < count; ++game) {
        connect_four g;
        while (!g.over() && found.size() < count) {
            if (g.moves() >= 8 && wins_within(g, n) && !wins_within(g, n - 1)) {
                found.push_back(g);
                break;
            }
            int c;
            do
                c = std::uniform_int_distribution<int>(0, connect_four::columns - 1)(random);
            while (!legal(g, c));
            // Random play that wins by chance ends the game too soon to be of use.
            auto next = after(g, c);
            if (next.over())
                break;
            g = next;
        }
    }
    return found;
}

int column_for(const connect_four& g, const search_limits& limits, std::uint64_t seed = 1)
{
    auto r = corio_game::choose_column(g, limits, seed);
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST_REQUIRE(legal(g, r->column));
    return r->column;
}

} // namespace

BOOST_AUTO_TEST_SUITE(search)

BOOST_AUTO_TEST_CASE(a_finished_game_has_no_move)
{
    auto won = played({0, 1, 0, 1, 0, 1, 0});
    BOOST_TEST(!corio_game::choose_column(won, corio_game::limits_for(computer_level::hard)).has_value());
}

// Red has three at the bottom (columns 1-3) with column 0 and 4 free:
// every level takes the win, whatever its random slips.
BOOST_AUTO_TEST_CASE(every_level_takes_an_immediate_win)
{
    auto g = played({1, 1, 2, 2, 3, 6}); // red: 1,2,3 on row 0; yellow on 1,2 row 1 and 6
    for (auto level : levels)
        for (std::uint64_t seed = 0; seed < 20; ++seed) {
            int c = column_for(g, corio_game::limits_for(level), seed);
            BOOST_TEST((c == 0 || c == 4), "level " << static_cast<int>(level) << " seed " << seed << ": " << c);
        }
}

// Yellow to move; red threatens to complete a row in column 4 (red 1,2,3),
// yellow has no win of its own: every level blocks.
BOOST_AUTO_TEST_CASE(every_level_blocks_an_immediate_loss)
{
    // Red 1, 2, 3 on the bottom row, yellow already on 0: only 4 blocks.
    auto g = played({1, 0, 2, 6, 3});
    BOOST_TEST_REQUIRE((g.turn() == corio_game::disc::yellow));
    for (auto level : levels)
        for (std::uint64_t seed = 0; seed < 20; ++seed)
            BOOST_TEST(column_for(g, corio_game::limits_for(level), seed) == 4,
                       "level " << static_cast<int>(level) << " seed " << seed);
    // A vertical threat too: red has three in column 5.
    auto v = played({5, 0, 5, 0, 5});
    BOOST_TEST_REQUIRE((v.turn() == corio_game::disc::yellow));
    for (auto level : levels)
        for (std::uint64_t seed = 0; seed < 20; ++seed)
            BOOST_TEST(column_for(v, corio_game::limits_for(level), seed) == 5);
}

// A loss two moves away, which only a search sees: red has two in the
// bottom row with room on both sides, and a third would threaten both ends.
// The levels that look that far (and do not slip) prevent it.
BOOST_AUTO_TEST_CASE(searching_levels_prevent_a_loss_in_two)
{
    auto g = played({2, 6, 3});
    BOOST_TEST_REQUIRE(wins_within(after(g, 0), 2)); // doing nothing loses
    for (auto level : {computer_level::medium, computer_level::hard}) {
        auto limits = corio_game::limits_for(level);
        limits.random_per_mille = 0;
        int c = column_for(g, limits);
        BOOST_TEST(!wins_within(after(g, c), 2), "level " << static_cast<int>(level) << " played " << c);
    }
}

// Forced wins in 2, 3 and 4 moves (3, 5 and 7 plies), on positions where no
// quicker win exists: the levels that see that deep play a move that keeps
// the win forced (checked by the brute force above).
BOOST_AUTO_TEST_CASE(finds_forced_wins_in_n_moves)
{
    for (int n : {2, 3, 4}) {
        auto positions = forced_wins_in(n, n == 4 ? 3 : 6);
        BOOST_TEST_REQUIRE(positions.size() >= 3u, "positions with a forced win in " << n);
        for (const auto& g : positions) {
            int c = column_for(g, corio_game::limits_for(computer_level::hard));
            BOOST_TEST(starts_win_within(g, c, n), "hard, win in " << n << ": played " << c);
            // Medium sees 6 plies (without its random slips: the point is what it sees).
            if (n <= 3) {
                auto medium = corio_game::limits_for(computer_level::medium);
                medium.random_per_mille = 0;
                int m = column_for(g, medium);
                BOOST_TEST(starts_win_within(g, m, n), "medium, win in " << n << ": played " << m);
            }
        }
    }
}

// Each level answers within its budget (plus the slack of a loaded test
// machine), from the empty board, where the search is widest, and mid-game.
BOOST_AUTO_TEST_CASE(each_level_answers_within_its_bound)
{
    using namespace std::chrono;
    constexpr auto slack = milliseconds(250);
    for (auto g : {connect_four{}, played({3, 3, 2, 4, 2, 2})})
        for (auto level : levels) {
            auto limits = corio_game::limits_for(level);
            auto start = steady_clock::now();
            auto r = corio_game::choose_column(g, limits, 7);
            auto took = duration_cast<milliseconds>(steady_clock::now() - start);
            BOOST_TEST_REQUIRE(r.has_value());
            BOOST_TEST_MESSAGE("level " << static_cast<int>(level) << ": " << r->depth << " plies in " << took.count()
                                        << " ms");
            BOOST_TEST(took <= limits.budget + slack, "level " << static_cast<int>(level) << " took " << took.count()
                                                               << " ms for a budget of " << limits.budget.count());
            if (!r->random)
                BOOST_TEST(r->depth >= std::min(limits.depth, 4), "searched " << r->depth << " plies");
        }
}

// A deadline earlier than the budget (the request waited in a queue) wins.
BOOST_AUTO_TEST_CASE(a_deadline_shortens_the_search)
{
    using namespace std::chrono;
    auto start = steady_clock::now();
    auto r = corio_game::choose_column(connect_four{}, corio_game::limits_for(computer_level::hard), 1,
                                       start + milliseconds(50));
    auto took = steady_clock::now() - start;
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(duration_cast<milliseconds>(took).count() < 300);
    // A deadline already passed still answers: one ply, at once.
    auto late =
        corio_game::choose_column(connect_four{}, corio_game::limits_for(computer_level::hard), 1, start - seconds(1));
    BOOST_TEST_REQUIRE(late.has_value());
    BOOST_TEST(late->depth == 1);
}

// The levels differ: easy varies its play with the seed, and hard looks
// deeper than medium.
BOOST_AUTO_TEST_CASE(levels_differ)
{
    auto g = played({3, 3});
    std::set<int> easy;
    for (std::uint64_t seed = 0; seed < 40; ++seed)
        easy.insert(column_for(g, corio_game::limits_for(computer_level::easy), seed));
    BOOST_TEST(easy.size() >= 3u);
    auto medium = corio_game::choose_column(g, corio_game::limits_for(computer_level::medium));
    auto deep = corio_game::choose_column(g, corio_game::limits_for(computer_level::hard));
    BOOST_TEST_REQUIRE((medium && deep));
    BOOST_TEST(medium->depth == 6);
    BOOST_TEST(deep->depth > medium->depth);
}

BOOST_AUTO_TEST_SUITE_END()
