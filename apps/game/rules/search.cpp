#include "rules/search.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <limits>
#include <random>
#include <vector>

namespace corio_game {

namespace {

using bits = std::uint64_t;
using steady = std::chrono::steady_clock;

constexpr int columns = connect_four::columns;
constexpr int rows = connect_four::rows;
constexpr int cells = columns * rows;
// Each column takes rows + 1 bits: the bit above the top row stays 0, so
// that no line of four can wrap from one column into the next.
constexpr int stride = rows + 1;

constexpr bits bottom_bit(int column) { return bits{1} << (column * stride); }
constexpr bits top_bit(int column) { return bits{1} << (column * stride + rows - 1); }
constexpr bits column_bits(int column) { return ((bits{1} << rows) - 1) << (column * stride); }

/// Four in a line anywhere in `b`: vertical, horizontal and both diagonals.
constexpr bool has_four(bits b)
{
    for (int shift : {1, stride, stride - 1, stride + 1}) {
        bits pairs = b & (b >> shift);
        if (pairs & (pairs >> (2 * shift)))
            return true;
    }
    return false;
}

/// Every line of four cells on the board, for the heuristic.
std::vector<bits> make_windows()
{
    std::vector<bits> windows;
    auto cell = [](int column, int row) { return bits{1} << (column * stride + row); };
    for (int c = 0; c < columns; ++c)
        for (int r = 0; r < rows; ++r)
            for (auto [dc, dr] : {std::pair{1, 0}, {0, 1}, {1, 1}, {1, -1}}) {
                int ec = c + 3 * dc, er = r + 3 * dr;
                if (ec < 0 || ec >= columns || er < 0 || er >= rows)
                    continue;
                bits w = 0;
                for (int i = 0; i < 4; ++i)
                    w |= cell(c + i * dc, r + i * dr);
                windows.push_back(w);
            }
    return windows;
}

const std::vector<bits>& windows()
{
    static const std::vector<bits> all = make_windows();
    return all;
}

/// Center columns first: they take part in the most lines, and good moves
/// searched first prune the most.
constexpr std::array<int, columns> move_order{3, 2, 4, 1, 5, 0, 6};

/// A position: the discs of the player to move, and all discs.
struct position {
    bits mine = 0;
    bits all = 0;

    int moves() const { return std::popcount(all); }
    bool can_play(int column) const { return (all & top_bit(column)) == 0; }
    /// The cell a disc dropped into `column` lands in.
    bits landing(int column) const { return (all + bottom_bit(column)) & column_bits(column); }
    bool wins_with(int column) const { return has_four(mine | landing(column)); }
    /// The position after `column`, seen from the opponent, who moves next.
    position after(int column) const { return {mine ^ all, all | landing(column)}; }
    /// The same discs, the opponent to move (to ask what they threaten).
    position passed() const { return {mine ^ all, all}; }
    /// Unique per position (the bit above each column's top disc marks its height).
    bits key() const { return mine + all + 0x0102040810204081ull; }
};

position from_game(const connect_four& game)
{
    position p;
    auto to_move = game.turn();
    for (int c = 0; c < columns; ++c)
        for (int r = 0; r < rows; ++r) {
            auto d = game.at(c, r);
            if (d == disc::none)
                continue;
            bits b = bits{1} << (c * stride + r);
            p.all |= b;
            if (d == to_move)
                p.mine |= b;
        }
    return p;
}

/// The opponent of the player to move could win at once in these columns.
std::array<bool, columns> threats_against(const position& p)
{
    std::array<bool, columns> t{};
    auto them = p.passed();
    for (int c = 0; c < columns; ++c)
        t[c] = them.can_play(c) && them.wins_with(c);
    return t;
}

/// Columns after which the opponent cannot win at once.
std::vector<int> safe_moves(const position& p)
{
    std::vector<int> safe;
    for (int c : move_order) {
        if (!p.can_play(c))
            continue;
        auto next = p.after(c);
        bool loses = false;
        for (int reply = 0; reply < columns && !loses; ++reply)
            loses = next.can_play(reply) && next.wins_with(reply);
        if (!loses)
            safe.push_back(c);
    }
    return safe;
}

/// The side to move's prospects in a position the search stops at: lines
/// of four still open to one player only, weighted by how full they are,
/// plus the center column.
int evaluate(const position& p)
{
    // Indexed by the discs a player has in a line the other has none in.
    constexpr std::array<int, 4> weight{0, 1, 5, 40};
    bits theirs = p.mine ^ p.all;
    int score = 0;
    for (bits w : windows()) {
        int a = std::popcount(w & p.mine), b = std::popcount(w & theirs);
        if (b == 0)
            score += weight[static_cast<std::size_t>(a)];
        else if (a == 0)
            score -= weight[static_cast<std::size_t>(b)];
    }
    constexpr bits center = column_bits(3);
    score += 3 * (std::popcount(p.mine & center) - std::popcount(theirs & center));
    return score;
}

enum class bound : std::uint8_t { none, exact, lower, upper };

struct tt_entry {
    bits key = 0;
    std::int32_t score = 0;
    std::int8_t depth = -1;
    bound kind = bound::none;
    std::int8_t best = -1;
};

class searcher {
public:
    searcher(std::size_t table_bits, steady::time_point deadline)
        : table_(std::size_t{1} << table_bits), mask_(table_.size() - 1), deadline_(deadline)
    {
    }

    bool aborted() const { return aborted_; }

    /// The best score for the side to move within `depth` plies; `ply` is
    /// the distance from the root (wins sooner score higher).
    int negamax(const position& p, int depth, int alpha, int beta, int ply)
    {
        if ((++nodes_ & 1023) == 0 && steady::now() >= deadline_)
            aborted_ = true;
        if (aborted_)
            return 0;
        if (p.moves() == cells)
            return 0;
        for (int c = 0; c < columns; ++c)
            if (p.can_play(c) && p.wins_with(c))
                return search_win_score - (ply + 1);
        if (p.moves() + 1 == cells)
            return 0; // the last cell, and it does not win
        if (depth <= 0)
            return evaluate(p);

        // A threat of the opponent must be blocked; two cannot be.
        auto threats = threats_against(p);
        int forced = -1, count = 0;
        for (int c = 0; c < columns; ++c)
            if (threats[c]) {
                forced = c;
                ++count;
            }
        if (count > 1)
            return -(search_win_score - (ply + 2));

        auto& slot = table_[p.key() * 0x9e3779b97f4a7c15ull >> (64 - std::countr_zero(table_.size())) & mask_];
        int first = -1;
        int original_alpha = alpha;
        if (slot.key == p.key()) {
            first = slot.best;
            if (slot.depth >= depth) {
                int stored = from_table(slot.score, ply);
                if (slot.kind == bound::exact)
                    return stored;
                if (slot.kind == bound::lower)
                    alpha = std::max(alpha, stored);
                else if (slot.kind == bound::upper)
                    beta = std::min(beta, stored);
                if (alpha >= beta)
                    return stored;
            }
        }

        std::array<int, columns + 1> order{};
        int n = 0;
        if (forced >= 0) {
            order[n++] = forced;
        } else {
            if (first >= 0 && p.can_play(first))
                order[n++] = first;
            for (int c : move_order)
                if (c != first && p.can_play(c))
                    order[n++] = c;
        }

        int best = std::numeric_limits<int>::min();
        int best_column = order[0];
        for (int i = 0; i < n; ++i) {
            int c = order[i];
            int score = -negamax(p.after(c), depth - 1, -beta, -alpha, ply + 1);
            if (aborted_)
                return 0;
            if (score > best) {
                best = score;
                best_column = c;
            }
            alpha = std::max(alpha, score);
            if (alpha >= beta)
                break;
        }
        slot.key = p.key();
        slot.score = to_table(best, ply);
        slot.depth = static_cast<std::int8_t>(depth);
        slot.best = static_cast<std::int8_t>(best_column);
        slot.kind = best <= original_alpha ? bound::upper : best >= beta ? bound::lower : bound::exact;
        return best;
    }

private:
    // Win scores count plies from the root; the table keeps them from the
    // node, so that a transposition at another depth reads them right.
    static int to_table(int score, int ply)
    {
        if (score > search_win_score - 100)
            return score + ply;
        if (score < -(search_win_score - 100))
            return score - ply;
        return score;
    }
    static int from_table(int score, int ply)
    {
        if (score > search_win_score - 100)
            return score - ply;
        if (score < -(search_win_score - 100))
            return score + ply;
        return score;
    }

    std::vector<tt_entry> table_;
    std::size_t mask_;
    steady::time_point deadline_;
    std::uint64_t nodes_ = 0;
    bool aborted_ = false;
};

} // namespace

search_limits limits_for(computer_level level) noexcept
{
    using std::chrono::milliseconds;
    switch (level) {
    case computer_level::easy:
        return {.depth = 2, .budget = milliseconds(100), .random_per_mille = 350};
    case computer_level::medium:
        return {.depth = 6, .budget = milliseconds(500), .random_per_mille = 60};
    case computer_level::hard:
        break;
    }
    return {.depth = cells, .budget = milliseconds(1500), .random_per_mille = 0};
}

std::optional<search_result> choose_column(const connect_four& game, const search_limits& limits, std::uint64_t seed,
                                           std::optional<steady::time_point> deadline)
{
    if (game.over())
        return std::nullopt;
    auto start = steady::now();
    auto until = start + limits.budget;
    if (deadline && *deadline < until)
        until = *deadline;
    auto root = from_game(game);

    // Always: a win at once is taken.
    for (int c : move_order)
        if (root.can_play(c) && root.wins_with(c))
            return search_result{.column = c, .depth = 1, .score = search_win_score - 1};

    // Only one move does not lose at once (a block): nothing to search.
    auto safe = safe_moves(root);
    if (safe.size() == 1)
        return search_result{.column = safe.front(), .depth = 2, .score = 0};
    std::mt19937_64 random(seed);
    if (limits.random_per_mille > 0 && safe.size() > 1 &&
        std::uniform_int_distribution<int>(0, 999)(random) < limits.random_per_mille) {
        auto pick = std::uniform_int_distribution<std::size_t>(0, safe.size() - 1)(random);
        return search_result{.column = safe[pick], .depth = 0, .score = 0, .random = true};
    }

    int max_depth = std::clamp(limits.depth, 1, cells - root.moves());
    // A small table for shallow searches: allocating and clearing the large
    // one would cost more than they do.
    searcher s(max_depth <= 8 ? 14 : 20, until);

    // Ply one is searched whatever the clock says: it is what every level
    // falls back on.
    std::vector<int> candidates;
    for (int c : move_order)
        if (root.can_play(c))
            candidates.push_back(c);
    search_result result{.column = safe.empty() ? candidates.front() : safe.front(), .depth = 0, .score = 0};

    for (int depth = 1; depth <= max_depth; ++depth) {
        int alpha = -search_win_score - 1, beta = search_win_score + 1;
        int best = std::numeric_limits<int>::min(), best_column = candidates.front();
        for (int c : candidates) {
            int score = -s.negamax(root.after(c), depth - 1, -beta, -alpha, 1);
            if (s.aborted() && depth > 1)
                break;
            if (score > best) {
                best = score;
                best_column = c;
            }
            alpha = std::max(alpha, score);
        }
        if (s.aborted() && depth > 1)
            break;
        result = {.column = best_column, .depth = depth, .score = best};
        // The best move first next time: it is likely best again.
        std::erase(candidates, best_column);
        candidates.insert(candidates.begin(), best_column);
        // A proven result needs no deeper look.
        if (best >= search_win_score - cells || best <= -(search_win_score - cells))
            break;
        // Depth 1 ran without the clock; stop there if time is already up.
        if (steady::now() >= until)
            break;
    }
    return result;
}

} // namespace corio_game
