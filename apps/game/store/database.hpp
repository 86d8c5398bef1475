#pragma once
// The game's SQLite database: one connection behind a mutex, its schema
// (migrated in place, tracked by PRAGMA user_version), and a small RAII layer
// over prepared statements so that queries are short and never built by
// string concatenation.

#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace corio_game {

/// A failure reported by SQLite; what() is SQLite's message.
class database_error : public std::runtime_error {
public:
    database_error(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
    /// SQLite's extended result code (e.g. SQLITE_CONSTRAINT_UNIQUE).
    int code() const noexcept { return code_; }
    /// Whether a UNIQUE or PRIMARY KEY constraint refused the statement.
    bool unique_violation() const noexcept;

private:
    int code_;
};

class connection;

/// One prepared statement of a locked connection. Bind parameters (numbered
/// from 1, as `?1` in the SQL), then `step` through the rows.
///
/// @par Lifetime
/// Must not outlive the `connection` that prepared it.
class statement {
public:
    /// Prepares `sql` (one statement). Throws database_error.
    statement(const connection& c, std::string_view sql);
    statement(statement&& other) noexcept;
    ~statement();
    statement& operator=(statement&&) = delete;

    void bind(int index, std::int64_t value);
    void bind(int index, int value) { bind(index, static_cast<std::int64_t>(value)); }
    /// Binds text; SQLite copies it.
    void bind(int index, std::string_view text);
    void bind(int index, const std::string& text) { bind(index, std::string_view(text)); }
    void bind(int index, const char* text) { bind(index, std::string_view(text)); }
    /// Binds a blob; SQLite copies it.
    void bind(int index, std::span<const unsigned char> bytes);
    void bind(int index, std::nullopt_t);
    void bind(int index, const std::optional<std::int64_t>& value);

    /// Binds `values` to ?1, ?2, ...
    template <class... Values> void bind_all(const Values&... values)
    {
        int index = 0;
        (bind(++index, values), ...);
    }

    /// Runs the statement to its next row: true if there is one to read,
    /// false when it is done. Throws database_error.
    bool step();

    std::int64_t column_int64(int column) const;
    int column_int(int column) const;
    std::string column_text(int column) const;
    bool column_is_null(int column) const;

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

/// Exclusive use of the database's one connection, for as long as this
/// object lives (it holds the database's mutex). Keep it short: every other
/// thread that needs the database waits for it.
class connection {
public:
    /// A statement with `values` bound to ?1, ?2, ...
    template <class... Values> statement prepare(std::string_view sql, const Values&... values) const
    {
        statement s(*this, sql);
        s.bind_all(values...);
        return s;
    }

    /// Runs a statement that returns no rows; returns how many rows it changed.
    template <class... Values> int execute(std::string_view sql, const Values&... values) const
    {
        auto s = prepare(sql, values...);
        while (s.step()) {
        }
        return changes();
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    int changes() const noexcept;
    std::int64_t last_insert_rowid() const noexcept;

    sqlite3* native_handle() const noexcept { return db_; }

private:
    friend class database;
    connection(sqlite3* db, std::mutex& m) : lock_(m), db_(db) {}

    std::unique_lock<std::mutex> lock_;
    sqlite3* db_;
};

/// @par Thread safety
/// Every member may be called from any thread; `lock` serializes them.
/// Calls block for as long as SQLite takes (and up to the busy timeout when
/// another process holds the file), so run them off latency-critical strands
/// when they write.
class database {
public:
    /// Opens (creating it if needed) the database file at `path`, or a
    /// private in-memory one for ":memory:", and migrates its schema to the
    /// latest version. Throws database_error, also when the file's schema is
    /// newer than this program knows.
    explicit database(const std::string& path);
    ~database();
    database(const database&) = delete;
    database& operator=(const database&) = delete;

    /// The schema version of the open database (PRAGMA user_version).
    int schema_version();
    /// The version every database is migrated to.
    static int latest_schema_version() noexcept;

    /// The connection, locked for the caller until the result is destroyed.
    [[nodiscard]] connection lock() { return connection(db_, mutex_); }

private:
    void configure();
    void migrate();

    std::mutex mutex_;
    sqlite3* db_ = nullptr;
};

} // namespace corio_game
