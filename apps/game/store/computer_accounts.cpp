#include "store/computer_accounts.hpp"

#include <chrono>
#include <string>

namespace corio_game {

namespace {

std::string prefix(std::string_view level) { return "computer:" + std::string(level) + ":"; }

} // namespace

std::vector<std::int64_t> computer_accounts::of_level(std::string_view level)
{
    std::vector<std::int64_t> ids;
    auto c = db_.lock();
    // The names' ':' and the hash's '!' never come from registration.
    auto s = c.prepare("SELECT id FROM users WHERE password_hash = ?1 AND substr(name, 1, length(?2)) = ?2 "
                       "ORDER BY id",
                       computer_password_hash, prefix(level));
    while (s.step())
        ids.push_back(s.column_int64(0));
    return ids;
}

std::int64_t computer_accounts::add(std::string_view level)
{
    auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    auto c = db_.lock();
    // Numbered after the highest so far; another node adding one at the same
    // time fails on the unique name, and the caller tries again.
    auto count = c.prepare("SELECT count(*) FROM users WHERE substr(name, 1, length(?1)) = ?1", prefix(level));
    count.step();
    auto next = count.column_int64(0) + 1;
    c.execute("INSERT INTO users (name, password_hash, created_at) VALUES (?1, ?2, ?3)",
              prefix(level) + std::to_string(next), computer_password_hash, static_cast<std::int64_t>(now));
    return c.last_insert_rowid();
}

bool computer_accounts::is(std::int64_t user_id, std::string_view level)
{
    auto c = db_.lock();
    auto s = c.prepare("SELECT 1 FROM users WHERE id = ?1 AND password_hash = ?2 AND substr(name, 1, length(?3)) = ?3",
                       user_id, computer_password_hash, prefix(level));
    return s.step();
}

} // namespace corio_game
