#pragma once
// The chat log of a single node, in the game's SQLite file (table
// chat_messages): a room's messages stay on disk rather than in the
// process's memory, which with every room full would be
// max_rooms × chat_history messages of up to 800 bytes each.

#include "play/chat_log.hpp"
#include "store/database.hpp"

namespace corio_game {

/// @par Thread safety
/// Any thread: the database serializes the calls. Each call is a couple of
/// statements under the database's lock, run inline like results::record.
class sqlite_chat_log final : public chat_log {
public:
    /// A single node keeps its rooms in memory, so what a previous run left
    /// in the log belongs to no room: it is dropped here. `db` must outlive
    /// the log.
    explicit sqlite_chat_log(database& db);

    boost::asio::awaitable<store_result<chat_message>> append(std::string code, chat_message message,
                                                              std::size_t keep) override;
    boost::asio::awaitable<store_result<std::vector<chat_message>>> recent(std::string code,
                                                                           std::size_t limit) override;
    boost::asio::awaitable<boost::system::error_code> clear(std::string code) override;

private:
    database& db_;
};

} // namespace corio_game
