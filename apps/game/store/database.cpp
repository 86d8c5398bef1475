#include "store/database.hpp"

#include <sqlite3.h>

#include <array>
#include <utility>

namespace corio_game {

namespace {

// How long a statement waits for another process's lock on the file before
// it fails with SQLITE_BUSY.
constexpr int busy_timeout_ms = 5000;

// The schema, one script per version: migrations[i] takes a database from
// version i to i + 1. Append new scripts; never edit one that has shipped,
// since databases created by it are already past it.
constexpr std::array<std::string_view, 3> migrations = {
    R"sql(
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash BLOB    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_by_expiry ON sessions(expires_at);
CREATE INDEX sessions_by_user ON sessions(user_id);

CREATE TABLE games (
    id          INTEGER PRIMARY KEY,
    red_user    INTEGER NOT NULL REFERENCES users(id),
    yellow_user INTEGER NOT NULL REFERENCES users(id),
    winner_user INTEGER REFERENCES users(id),
    ending      TEXT    NOT NULL,
    moves       INTEGER NOT NULL,
    ended_at    INTEGER NOT NULL,
    CHECK (winner_user IS NULL OR winner_user IN (red_user, yellow_user))
);
-- The leaderboard reads each player's side of every game: these cover it.
CREATE INDEX games_by_red ON games(red_user, winner_user);
CREATE INDEX games_by_yellow ON games(yellow_user, winner_user);
)sql",
    // 1: guest accounts (a display name, no password until upgraded). A
    // guest row's password_hash is empty, which no Argon2id hash is.
    R"sql(
ALTER TABLE users ADD COLUMN guest INTEGER NOT NULL DEFAULT 0 CHECK (guest IN (0, 1));
-- Finds the abandoned guests that accounts::create_guest removes.
CREATE INDEX users_guests_by_age ON users(created_at) WHERE guest = 1;
)sql",
    // 2: the last messages of each open room (play/sqlite_chat_log.hpp).
    // AUTOINCREMENT: an id is never reused, even after its room's log was
    // cleared, so a page can tell messages apart by id.
    R"sql(
CREATE TABLE chat_messages (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    room    TEXT    NOT NULL,
    sender  TEXT    NOT NULL,
    text    TEXT    NOT NULL,
    sent_at INTEGER NOT NULL
);
CREATE INDEX chat_messages_by_room ON chat_messages(room, id);
)sql",
};

[[noreturn]] void throw_error(sqlite3* db)
{
    throw database_error(sqlite3_extended_errcode(db), sqlite3_errmsg(db));
}

void check(sqlite3* db, int rc)
{
    if (rc != SQLITE_OK)
        throw_error(db);
}

// Runs SQL that takes no parameters (pragmas, migration scripts; never
// input): sqlite3_exec runs every statement of a script.
void exec_script(sqlite3* db, const char* sql)
{
    char* message = nullptr;
    int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
    if (rc == SQLITE_OK)
        return;
    std::string text = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    throw database_error(sqlite3_extended_errcode(db), text);
}

int read_user_version(sqlite3* db)
{
    sqlite3_stmt* stmt = nullptr;
    check(db, sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr));
    int rc = sqlite3_step(stmt);
    int version = rc == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : 0;
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW)
        throw_error(db);
    return version;
}

} // namespace

bool database_error::unique_violation() const noexcept
{
    return code_ == SQLITE_CONSTRAINT_UNIQUE || code_ == SQLITE_CONSTRAINT_PRIMARYKEY;
}

statement::statement(const connection& c, std::string_view sql) : db_(c.native_handle())
{
    check(db_, sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr));
}

statement::statement(statement&& other) noexcept : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}

statement::~statement()
{
    sqlite3_finalize(stmt_);
}

void statement::bind(int index, std::int64_t value)
{
    check(db_, sqlite3_bind_int64(stmt_, index, value));
}

void statement::bind(int index, std::string_view text)
{
    check(db_, sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
}

void statement::bind(int index, std::span<const unsigned char> bytes)
{
    check(db_, sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT));
}

void statement::bind(int index, std::nullopt_t)
{
    check(db_, sqlite3_bind_null(stmt_, index));
}

void statement::bind(int index, const std::optional<std::int64_t>& value)
{
    if (value)
        bind(index, *value);
    else
        bind(index, std::nullopt);
}

bool statement::step()
{
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    throw_error(db_);
}

std::int64_t statement::column_int64(int column) const
{
    return sqlite3_column_int64(stmt_, column);
}

int statement::column_int(int column) const
{
    return sqlite3_column_int(stmt_, column);
}

std::string statement::column_text(int column) const
{
    // sqlite3_column_bytes must come after sqlite3_column_text, which may
    // convert the value and change its size.
    auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column));
    return text ? std::string(text, size) : std::string();
}

bool statement::column_is_null(int column) const
{
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

int connection::changes() const noexcept
{
    return sqlite3_changes(db_);
}

std::int64_t connection::last_insert_rowid() const noexcept
{
    return sqlite3_last_insert_rowid(db_);
}

database::database(const std::string& path)
{
    // Our mutex serializes every use of the connection: SQLite's own is not needed.
    int rc =
        sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    try {
        if (rc != SQLITE_OK) {
            if (!db_)
                throw database_error(rc, sqlite3_errstr(rc));
            throw_error(db_);
        }
        configure();
        migrate();
    } catch (...) {
        sqlite3_close_v2(db_);
        throw;
    }
}

database::~database()
{
    sqlite3_close_v2(db_);
}

int database::schema_version()
{
    auto c = lock();
    return read_user_version(c.native_handle());
}

int database::latest_schema_version() noexcept
{
    return static_cast<int>(migrations.size());
}

void database::configure()
{
    sqlite3_extended_result_codes(db_, 1);
    check(db_, sqlite3_busy_timeout(db_, busy_timeout_ms));
    // WAL lets readers (the leaderboard) proceed while a writer commits, and
    // with it synchronous=NORMAL is still safe against corruption.
    exec_script(db_, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");
}

void database::migrate()
{
    for (;;) {
        // IMMEDIATE takes the write lock before reading the version, so two
        // processes opening the same new file do not both migrate it.
        exec_script(db_, "BEGIN IMMEDIATE");
        try {
            int version = read_user_version(db_);
            if (version > latest_schema_version())
                throw database_error(SQLITE_ERROR, "database schema version " + std::to_string(version) +
                                                       " is newer than this program's (" +
                                                       std::to_string(latest_schema_version()) + ")");
            if (version == latest_schema_version()) {
                exec_script(db_, "COMMIT");
                return;
            }
            exec_script(db_, std::string(migrations[static_cast<std::size_t>(version)]).c_str());
            // PRAGMA takes no parameters; the number is ours, not input.
            exec_script(db_, ("PRAGMA user_version = " + std::to_string(version + 1)).c_str());
            exec_script(db_, "COMMIT");
        } catch (...) {
            sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
            throw;
        }
    }
}

} // namespace corio_game
