#pragma once
// The accounts the computer plays as. They are rows of `users` like anyone's
// (a room seats users, and results name them), but nobody can log in as
// them: their password hash is a marker no password verifies against, and
// their names ("computer:easy:1") have a character human names cannot. A
// user is in at most one room, so each level has as many accounts as it has
// games at once; play/computer.* adds one when all are busy.

#include "store/database.hpp"

#include <cstdint>
#include <string_view>
#include <vector>

namespace corio_game {

/// The password hash of the computer's accounts; the leaderboard leaves out
/// games they played (store/results.cpp).
inline constexpr std::string_view computer_password_hash = "!computer";

/// @par Thread safety
/// Every member may be called from any thread (through the database's lock).
class computer_accounts {
public:
    explicit computer_accounts(database& db) : db_(db) {}

    /// The accounts of `level` ("easy", "medium", "hard"), oldest first.
    std::vector<std::int64_t> of_level(std::string_view level);
    /// A new account for `level`. Throws database_error.
    std::int64_t add(std::string_view level);
    /// Whether `user_id` is an account of the computer at `level`.
    bool is(std::int64_t user_id, std::string_view level);

private:
    database& db_;
};

} // namespace corio_game
