#pragma once
// Where a room's recent chat is kept, so that a page that reloads,
// reconnects or lands on another node shows the conversation again
// (docs/game.md, "History that survives"). sqlite_chat_log keeps it in the
// game's SQLite file (one node); redis_room_store is one too (a cluster).
//
// The log is not part of the room (play/room.hpp): a room is rewritten whole
// on every commit, compared by version, so messages in it would ride along
// with every move and a line of chat would make a move racing it retry.
// Chat needs an order and a bound, not compare-and-set: an append-only log
// per room code.

#include "play/payloads.hpp"
#include "play/room_store.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace corio_game {

/// Every member completes with a value or an error code (store_error, the
/// Redis client's, or store_error::unavailable for a database error), never
/// throws for a store that failed, and may be called from any thread.
class chat_log {
public:
    virtual ~chat_log() = default;

    /// Appends `message` to the log of room `code` and keeps only the newest
    /// `keep` of it. Returns the message with its `id`: greater than the id
    /// of every message appended before it to any log, never reused.
    virtual boost::asio::awaitable<store_result<chat_message>> append(std::string code, chat_message message,
                                                                      std::size_t keep) = 0;
    /// The newest `limit` messages of `code`, oldest first.
    virtual boost::asio::awaitable<store_result<std::vector<chat_message>>> recent(std::string code,
                                                                                   std::size_t limit) = 0;
    /// Forgets the log of `code`: its room closed, or a new room takes the code.
    virtual boost::asio::awaitable<boost::system::error_code> clear(std::string code) = 0;
};

} // namespace corio_game
