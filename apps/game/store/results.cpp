#include "store/results.hpp"

#include "store/computer_accounts.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace corio_game {

void results::record(const game_result& r)
{
    auto ended_at =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    auto c = db_.lock();
    c.execute("INSERT INTO games (red_user, yellow_user, winner_user, ending, moves, ended_at) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
              r.red_user, r.yellow_user, r.winner, r.ending, r.moves, static_cast<std::int64_t>(ended_at));
}

// The query below names the computer's marker literally.
static_assert(computer_password_hash == "!computer");

std::vector<leaderboard_row> results::leaderboard(std::size_t limit)
{
    return ranking(false, limit);
}

std::vector<leaderboard_row> results::guest_leaderboard(std::size_t limit)
{
    return ranking(true, limit);
}

std::vector<leaderboard_row> results::ranking(bool guests, std::size_t limit)
{
    // Each game counts once for each side; a NULL winner is a draw. Names
    // compare ignoring case (the column's collation), as they are unique.
    // Games against the computer are not ranked (store/computer_accounts.hpp):
    // its easy level would be a way to farm wins.
    constexpr std::string_view sql = R"sql(
WITH ranked AS (
    SELECT * FROM games g
    WHERE NOT EXISTS (SELECT 1 FROM users c
                      WHERE c.id IN (g.red_user, g.yellow_user) AND c.password_hash = '!computer')
),
sides (user_id, outcome) AS (
    SELECT red_user,
           CASE WHEN winner_user IS NULL THEN 'draw' WHEN winner_user = red_user THEN 'win' ELSE 'loss' END
    FROM ranked
    UNION ALL
    SELECT yellow_user,
           CASE WHEN winner_user IS NULL THEN 'draw' WHEN winner_user = yellow_user THEN 'win' ELSE 'loss' END
    FROM ranked
)
SELECT u.name,
       SUM(outcome = 'win')  AS wins,
       SUM(outcome = 'loss') AS losses,
       SUM(outcome = 'draw') AS draws
FROM sides JOIN users u ON u.id = sides.user_id
WHERE u.guest = ?2
GROUP BY u.id
ORDER BY wins DESC, losses ASC, u.name ASC
LIMIT ?1
)sql";
    std::vector<leaderboard_row> rows;
    auto c = db_.lock();
    auto s = c.prepare(sql, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)), guests ? 1 : 0);
    while (s.step())
        rows.push_back({s.column_text(0), s.column_int(1), s.column_int(2), s.column_int(3)});
    return rows;
}

} // namespace corio_game
