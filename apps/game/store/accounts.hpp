#pragma once
// Accounts and login sessions: registration with Argon2id password hashes
// (libsodium), login, and session tokens stored hashed.

#include "store/database.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace corio_game {

/// The cookie that carries a login session's token (HttpOnly, SameSite=Strict).
inline constexpr std::string_view session_cookie_name = "corio_session";

struct user {
    std::int64_t id = 0;
    std::string name;
    /// A guest account: a display name and no password (yet).
    bool guest = false;
};

/// Argon2id work factors. `interactive` is libsodium's interactive profile
/// (the default); `minimal` is for tests only.
enum class password_cost { interactive, minimal };

enum class account_error {
    invalid_name,     ///< not 3-20 of [A-Za-z0-9_-]
    weak_password,    ///< see accounts::password_problem
    name_taken,       ///< names are unique ignoring case
    bad_credentials,  ///< unknown name or wrong password (never says which)
    not_a_guest,      ///< upgrade_guest on an account that has a password already
};

/// A user-facing sentence for `e`.
std::string_view describe(account_error e) noexcept;

/// The time sessions are created and checked at; tests substitute their own.
using wall_clock = std::function<std::chrono::system_clock::time_point()>;

/// @par Thread safety
/// Every member may be called from any thread. register_user and login hash
/// passwords (tens of milliseconds and 64 MiB with `interactive`): call
/// them off the io threads. Passwords are never stored or logged, only their
/// Argon2id hashes.
class accounts {
public:
    /// Hashes a dummy password once (for login, see below): takes as long as
    /// one login. `now` defaults to std::chrono::system_clock. Throws
    /// std::runtime_error if libsodium cannot be initialised.
    accounts(database& db, password_cost cost = password_cost::interactive,
             std::chrono::hours session_lifetime = std::chrono::hours(24 * 30), wall_clock now = {});

    /// Whether `name` is 3-20 of [A-Za-z0-9_-].
    static bool is_valid_name(std::string_view name) noexcept;
    /// Why `password` is too weak for `name` (a user-facing sentence), or
    /// std::nullopt if it will do: at least 8 characters, at most 128 bytes,
    /// not containing the name, not one character repeated, not one of the
    /// most common passwords.
    static std::optional<std::string> password_problem(std::string_view name, std::string_view password);

    std::variant<user, account_error> register_user(std::string_view name, std::string_view password);
    /// A guest account called `name`: the same name rules as register_user,
    /// and unique ignoring case among all accounts, guests or not. It has no
    /// password, so it cannot log in: its sessions are its only way in.
    /// First removes the guests whose names nobody can use any more: created
    /// over `session_lifetime` ago (so their sessions have ended), with no
    /// live session and no finished game. Errors: invalid_name, name_taken.
    std::variant<user, account_error> create_guest(std::string_view name);
    /// Makes the guest `user_id` a full account with `password` (checked by
    /// password_problem against its name): same id, name, sessions and
    /// results. Hashes the password: call it off the io threads.
    /// Errors: weak_password, not_a_guest (also for an unknown id).
    std::variant<user, account_error> upgrade_guest(std::int64_t user_id, std::string_view password);
    /// Checks the credentials. Takes as long for an unknown name as for a
    /// wrong password; a guest's name counts as unknown.
    std::variant<user, account_error> login(std::string_view name, std::string_view password);

    /// A new random session token for `user_id` (43 base64url characters);
    /// only its hash is stored.
    std::string create_session(std::int64_t user_id);
    /// The user whose live session `token` is; std::nullopt for unknown,
    /// revoked or expired tokens.
    std::optional<user> user_for_session(std::string_view token);
    void revoke_session(std::string_view token);

    /// How long a session lasts after create_session (the cookie's Max-Age).
    std::chrono::hours session_lifetime() const noexcept { return session_lifetime_; }

private:
    database& db_;
    password_cost cost_;
    std::chrono::hours session_lifetime_;
    wall_clock now_;
    // Verified against when a login names no account, so that it takes as
    // long as a wrong password.
    std::string dummy_hash_;
};

} // namespace corio_game
