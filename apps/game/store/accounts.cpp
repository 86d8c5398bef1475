#include "store/accounts.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace corio_game {

namespace {

constexpr std::size_t min_name_length = 3;
constexpr std::size_t max_name_length = 20;
constexpr std::size_t min_password_characters = 8;
constexpr std::size_t max_password_bytes = 128;
constexpr std::size_t token_bytes = 32;
constexpr std::size_t token_length =
    sodium_base64_ENCODED_LEN(token_bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING) - 1;

// The most common passwords of at least 8 characters in the public breach
// lists; compared ignoring case. Not exhaustive: a last line of defence.
constexpr std::string_view common_passwords[] = {
    "password",   "password1",  "password12", "password123", "passw0rd",  "p@ssw0rd",   "12345678",   "123456789",
    "1234567890", "0123456789", "87654321",   "11223344",    "12341234",  "12121212",   "123123123",  "qwertyui",
    "qwerty123",  "qwerty12",   "qwertyuiop", "1q2w3e4r",    "1qaz2wsx",  "zaq12wsx",   "asdfghjk",   "asdfasdf",
    "iloveyou",   "iloveyou1",  "sunshine",   "princess",    "football",  "baseball",   "basketball", "superman",
    "starwars",   "whatever",   "trustno1",   "letmein1",    "welcome1",  "welcome123", "admin123",   "administrator",
    "computer",   "michelle",   "jennifer",   "charlie1",    "master123", "monkey123",  "dragon123",  "abc12345",
    "abcd1234",   "abcdefgh",   "changeme",   "secret123",   "liverpool", "chelsea1",   "pokemon1",   "mustang1",
    "shadow12",   "freedom1",   "jordan23",   "batman123",   "matrix123", "letmein123", "loveme123",  "internet",
};

std::string lower(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c);
    });
    return out;
}

// Code points of UTF-8 text: every byte that is not a continuation byte.
std::size_t character_count(std::string_view utf8)
{
    return static_cast<std::size_t>(
        std::count_if(utf8.begin(), utf8.end(), [](unsigned char c) { return (c & 0xC0) != 0x80; }));
}

void init_sodium()
{
    // sodium_init is thread-safe and idempotent; the static runs it once.
    static const int status = sodium_init();
    if (status < 0)
        throw std::runtime_error("libsodium could not be initialised");
}

struct work_factors {
    unsigned long long ops;
    std::size_t mem;
};

work_factors factors(password_cost cost)
{
    if (cost == password_cost::minimal)
        return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
    return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

std::string hash_password(std::string_view password, password_cost cost)
{
    auto f = factors(cost);
    std::array<char, crypto_pwhash_STRBYTES> out{};
    if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), f.ops, f.mem,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        throw std::runtime_error("out of memory while hashing a password");
    return out.data();
}

bool verify_password(const std::string& hash, std::string_view password)
{
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool needs_rehash(const std::string& hash, password_cost cost)
{
    auto f = factors(cost);
    return crypto_pwhash_str_needs_rehash(hash.c_str(), f.ops, f.mem) != 0;
}

using token_digest = std::array<unsigned char, crypto_hash_sha256_BYTES>;

// Tokens are 256 random bits, so a fast unsalted hash suffices: it keeps a
// leaked database from being a list of live sessions.
token_digest digest(std::string_view token)
{
    token_digest d{};
    crypto_hash_sha256(d.data(), reinterpret_cast<const unsigned char*>(token.data()), token.size());
    return d;
}

std::int64_t unix_seconds(std::chrono::system_clock::time_point t)
{
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

} // namespace

std::string_view describe(account_error e) noexcept
{
    switch (e) {
    case account_error::invalid_name:
        return "A name is 3 to 20 letters, digits, '_' or '-'.";
    case account_error::weak_password:
        return "That password is too easy to guess. Use at least 8 characters, not your name and not a common "
               "password.";
    case account_error::name_taken:
        return "That name is taken. Choose another one.";
    case account_error::bad_credentials:
        return "Wrong name or password.";
    case account_error::not_a_guest:
        return "This account has a password already.";
    }
    return "Something went wrong with the account.";
}

accounts::accounts(database& db, password_cost cost, std::chrono::hours session_lifetime, wall_clock now)
    : db_(db), cost_(cost), session_lifetime_(session_lifetime), now_(std::move(now))
{
    init_sodium();
    if (!now_)
        now_ = [] { return std::chrono::system_clock::now(); };
    std::array<unsigned char, 16> random_password{};
    randombytes_buf(random_password.data(), random_password.size());
    dummy_hash_ = hash_password(
        std::string_view(reinterpret_cast<const char*>(random_password.data()), random_password.size()), cost_);
}

bool accounts::is_valid_name(std::string_view name) noexcept
{
    if (name.size() < min_name_length || name.size() > max_name_length)
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

std::optional<std::string> accounts::password_problem(std::string_view name, std::string_view password)
{
    if (character_count(password) < min_password_characters)
        return "Use at least 8 characters for the password.";
    if (password.size() > max_password_bytes)
        return "The password is too long: at most 128 bytes.";
    if (std::all_of(password.begin(), password.end(), [&](char c) { return c == password.front(); }))
        return "The password must not be one character repeated.";
    auto lowered = lower(password);
    if (!name.empty() && lowered.find(lower(name)) != std::string::npos)
        return "The password must not contain your name.";
    if (std::find(std::begin(common_passwords), std::end(common_passwords), lowered) != std::end(common_passwords))
        return "That is one of the most common passwords. Choose another one.";
    return std::nullopt;
}

std::variant<user, account_error> accounts::register_user(std::string_view name, std::string_view password)
{
    if (!is_valid_name(name))
        return account_error::invalid_name;
    if (password_problem(name, password))
        return account_error::weak_password;
    {
        // Saves hashing for a name that is certainly taken; the UNIQUE
        // constraint below still decides races.
        auto c = db_.lock();
        if (c.prepare("SELECT 1 FROM users WHERE name = ?1", name).step())
            return account_error::name_taken;
    }
    // Hashing takes long: not under the database's lock.
    auto hash = hash_password(password, cost_);
    try {
        auto c = db_.lock();
        c.execute("INSERT INTO users (name, password_hash, created_at) VALUES (?1, ?2, ?3)", name, hash,
                  unix_seconds(now_()));
        return user{c.last_insert_rowid(), std::string(name)};
    } catch (const database_error& e) {
        if (e.unique_violation())
            return account_error::name_taken;
        throw;
    }
}

std::variant<user, account_error> accounts::create_guest(std::string_view name)
{
    if (!is_valid_name(name))
        return account_error::invalid_name;
    try {
        auto now = now_();
        auto c = db_.lock();
        // Abandoned guests give their names back: a guest cannot log in, so
        // one whose session has certainly ended (it lasts session_lifetime
        // from creation) and who finished no game is gone for good. Those
        // with results stay, for the leaderboard.
        c.execute("DELETE FROM users WHERE guest = 1 AND created_at <= ?1 "
                  "AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.user_id = users.id AND s.expires_at > ?2) "
                  "AND NOT EXISTS (SELECT 1 FROM games g WHERE g.red_user = users.id) "
                  "AND NOT EXISTS (SELECT 1 FROM games g WHERE g.yellow_user = users.id)",
                  unix_seconds(now - session_lifetime_), unix_seconds(now));
        // The empty hash marks "no password": crypto_pwhash_str_verify never
        // accepts it, and login does not even try (see below).
        c.execute("INSERT INTO users (name, password_hash, created_at, guest) VALUES (?1, '', ?2, 1)", name,
                  unix_seconds(now));
        return user{c.last_insert_rowid(), std::string(name), true};
    } catch (const database_error& e) {
        if (e.unique_violation())
            return account_error::name_taken;
        throw;
    }
}

std::variant<user, account_error> accounts::upgrade_guest(std::int64_t user_id, std::string_view password)
{
    std::string name;
    {
        auto c = db_.lock();
        auto s = c.prepare("SELECT name FROM users WHERE id = ?1 AND guest = 1", user_id);
        if (!s.step())
            return account_error::not_a_guest;
        name = s.column_text(0);
    }
    if (password_problem(name, password))
        return account_error::weak_password;
    auto hash = hash_password(password, cost_);
    auto c = db_.lock();
    // `guest = 1` again: two upgrades racing set the password once.
    if (c.execute("UPDATE users SET password_hash = ?1, guest = 0 WHERE id = ?2 AND guest = 1", hash, user_id) == 0)
        return account_error::not_a_guest;
    return user{user_id, std::move(name), false};
}

std::variant<user, account_error> accounts::login(std::string_view name, std::string_view password)
{
    std::optional<user> found;
    std::string hash;
    if (is_valid_name(name) && password.size() <= max_password_bytes) {
        auto c = db_.lock();
        auto s = c.prepare("SELECT id, name, password_hash FROM users WHERE name = ?1 AND guest = 0", name);
        if (s.step()) {
            found = user{s.column_int64(0), s.column_text(1)};
            hash = s.column_text(2);
        }
    }
    if (!found) {
        // As slow as a wrong password, so timing does not tell which names exist.
        verify_password(dummy_hash_, password);
        return account_error::bad_credentials;
    }
    if (!verify_password(hash, password))
        return account_error::bad_credentials;
    // Hashes made with older work factors are upgraded while the password is at hand.
    if (needs_rehash(hash, cost_)) {
        auto upgraded = hash_password(password, cost_);
        auto c = db_.lock();
        c.execute("UPDATE users SET password_hash = ?1 WHERE id = ?2", upgraded, found->id);
    }
    return *found;
}

std::string accounts::create_session(std::int64_t user_id)
{
    std::array<unsigned char, token_bytes> raw{};
    randombytes_buf(raw.data(), raw.size());
    std::array<char, token_length + 1> encoded{};
    sodium_bin2base64(encoded.data(), encoded.size(), raw.data(), raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw.data(), raw.size());
    std::string token(encoded.data(), token_length);
    auto d = digest(token);
    auto now = now_();
    auto c = db_.lock();
    // Expired sessions go whenever a new one comes, so the table stays small.
    c.execute("DELETE FROM sessions WHERE expires_at <= ?1", unix_seconds(now));
    c.execute("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
              std::span<const unsigned char>(d), user_id, unix_seconds(now), unix_seconds(now + session_lifetime_));
    return token;
}

std::optional<user> accounts::user_for_session(std::string_view token)
{
    if (token.size() != token_length)
        return std::nullopt;
    auto d = digest(token);
    auto c = db_.lock();
    auto s = c.prepare("SELECT u.id, u.name, u.guest FROM sessions s JOIN users u ON u.id = s.user_id "
                       "WHERE s.token_hash = ?1 AND s.expires_at > ?2",
                       std::span<const unsigned char>(d), unix_seconds(now_()));
    if (!s.step())
        return std::nullopt;
    return user{s.column_int64(0), s.column_text(1), s.column_int(2) != 0};
}

void accounts::revoke_session(std::string_view token)
{
    auto d = digest(token);
    auto c = db_.lock();
    c.execute("DELETE FROM sessions WHERE token_hash = ?1", std::span<const unsigned char>(d));
}

} // namespace corio_game
