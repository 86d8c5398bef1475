#include "play/sqlite_chat_log.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>

namespace corio_game {

namespace {

// SQLite binds 64-bit integers: a bound of size_t's range would wrap.
std::int64_t as_bound(std::size_t n)
{
    return static_cast<std::int64_t>(std::min<std::size_t>(n, std::numeric_limits<std::int32_t>::max()));
}

store_result<chat_message> append_now(database& db, const std::string& code, chat_message message, std::size_t keep)
{
    try {
        auto c = db.lock();
        c.execute("INSERT INTO chat_messages (room, sender, text, sent_at) VALUES (?1, ?2, ?3, ?4)", code, message.from,
                  message.text, message.at);
        message.id = c.last_insert_rowid();
        // Keeps the newest `keep`: drops every row at or below the id of
        // the first one past them.
        c.execute("DELETE FROM chat_messages WHERE room = ?1 AND id <= "
                  "(SELECT id FROM chat_messages WHERE room = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)",
                  code, as_bound(keep));
        return message;
    } catch (const database_error&) {
        return make_error_code(store_error::unavailable);
    }
}

store_result<std::vector<chat_message>> recent_now(database& db, const std::string& code, std::size_t limit)
{
    try {
        auto c = db.lock();
        auto s = c.prepare("SELECT id, sender, text, sent_at FROM chat_messages WHERE room = ?1 "
                           "ORDER BY id DESC LIMIT ?2",
                           code, as_bound(limit));
        std::vector<chat_message> out;
        while (s.step())
            out.push_back(
                {.from = s.column_text(1), .text = s.column_text(2), .at = s.column_int64(3), .id = s.column_int64(0)});
        std::ranges::reverse(out);
        return out;
    } catch (const database_error&) {
        return make_error_code(store_error::unavailable);
    }
}

boost::system::error_code clear_now(database& db, const std::string& code)
{
    try {
        db.lock().execute("DELETE FROM chat_messages WHERE room = ?1", code);
        return {};
    } catch (const database_error&) {
        return make_error_code(store_error::unavailable);
    }
}

} // namespace

sqlite_chat_log::sqlite_chat_log(database& db) : db_(db)
{
    db_.lock().execute("DELETE FROM chat_messages");
}

boost::asio::awaitable<store_result<chat_message>> sqlite_chat_log::append(std::string code, chat_message message,
                                                                           std::size_t keep)
{
    co_return append_now(db_, code, std::move(message), keep);
}

boost::asio::awaitable<store_result<std::vector<chat_message>>> sqlite_chat_log::recent(std::string code,
                                                                                        std::size_t limit)
{
    co_return recent_now(db_, code, limit);
}

boost::asio::awaitable<boost::system::error_code> sqlite_chat_log::clear(std::string code)
{
    co_return clear_now(db_, code);
}

} // namespace corio_game
