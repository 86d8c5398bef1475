#pragma once
// The room store of a cluster: rooms, memberships, presence and deadlines in
// Redis, so that several corio-game nodes play as one (docs/game.md,
// "Running several nodes").

#include "play/chat_log.hpp"
#include "play/room_store.hpp"

#include <corio/log.hpp>
#include <corio/redis/connection.hpp>
#include <corio/redis/connection_options.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace corio_game {

struct redis_store_options {
    /// Every key of the game starts with it; nodes of one game share it,
    /// two games on one Redis do not.
    std::string prefix = "corio-game:";
    /// This node's name, unique among the live nodes (its sockets are
    /// counted under it).
    std::string node;
    /// A node that has not swept for this long counts as stopped: its
    /// sockets are gone, and their players get the reconnect grace.
    std::chrono::milliseconds node_timeout{10'000};
    /// A player whose last socket went is settled (marked away, or out of
    /// the room) by the node of that socket; if that node has not done it
    /// within this (it stopped, its shutdown cut it short, Redis failed),
    /// another node's sweep does.
    std::chrono::milliseconds settle_timeout{5'000};
    /// A room untouched this long expires with its memberships (a cluster
    /// that stopped with games open leaves nothing behind for good).
    std::chrono::milliseconds room_ttl{std::chrono::hours(24)};
    /// A command with no reply by then fails with store_error::unavailable.
    std::chrono::milliseconds command_timeout{3'000};
    /// Where a script that Redis failed is reported (an error).
    corio::logger log;
};

/// Keys (P is the prefix): `P room:CODE` (hash: version, the room's JSON),
/// `P user:ID` (the code of the user's room), `P rooms` (hash: code to the
/// lobby's summary), `P deadlines` (zset: code by its earliest away or
/// flag deadline), `P seq` (the version counter), `P nodes` (zset: node by
/// the time it counts as stopped), `P presence:NODE` (hash: user to sockets
/// on that node), `P departing` (zset: users whose last socket went, by when
/// another node should settle them if theirs did not), `P chat:CODE` (list:
/// the room's last messages, each "ID JSON"), `P chat-seq` (their ids), and
/// for quick match `P match:POOL` (zset: the users waiting, by arrival),
/// `P matching` (hash: user to pool) and `P match_names` (hash: user to
/// name). Every read-modify-write is one Lua script (EVAL), so it is
/// atomic; time is Redis's TIME, the same for every node. Needs one Redis
/// server (or a primary), not Redis Cluster: the scripts touch keys they
/// compute.
///
/// While Redis is unreachable, every operation fails at once with
/// store_error::unavailable; this node's socket counts are sent again in
/// full once it is back.
///
/// @par Thread safety
/// Any thread.
///
/// It is the chat log of a cluster too (play/chat_log.hpp): the same
/// connection, and a log that expires like its room (room_ttl after its
/// last message).
class redis_room_store final : public room_store, public chat_log {
public:
    /// Opens the store's own command connection to Redis (reconnecting by
    /// itself) and starts it.
    redis_room_store(boost::asio::any_io_executor ex, corio::redis::connection_options where, redis_store_options opts);
    ~redis_room_store() override;

    /// Closes the connection; operations then fail.
    void close();
    /// Whether the connection to Redis is up.
    bool connected() const noexcept { return conn_->connected(); }
    const redis_store_options& options() const noexcept { return opts_; }

    boost::asio::awaitable<store_result<room_snapshot>> load(std::string code) override;
    boost::asio::awaitable<store_result<room_snapshot>> load_user_room(std::int64_t user_id) override;
    boost::asio::awaitable<store_result<commit_result>> commit(room_change change) override;
    boost::asio::awaitable<store_result<room_list>> list() override;
    boost::asio::awaitable<store_result<presence>> socket_connected(std::int64_t user_id) override;
    boost::asio::awaitable<store_result<presence>> socket_disconnected(std::int64_t user_id) override;
    boost::asio::awaitable<boost::system::error_code> settled(std::int64_t user_id) override;
    boost::asio::awaitable<store_result<sweep_result>> sweep() override;
    boost::asio::awaitable<store_result<std::optional<match_ticket>>> match(std::string pool,
                                                                             match_ticket me) override;
    boost::asio::awaitable<store_result<bool>> cancel_match(std::int64_t user_id) override;

    boost::asio::awaitable<store_result<chat_message>> append(std::string code, chat_message message,
                                                              std::size_t keep) override;
    boost::asio::awaitable<store_result<std::vector<chat_message>>> recent(std::string code,
                                                                           std::size_t limit) override;
    boost::asio::awaitable<boost::system::error_code> clear(std::string code) override;

private:
    class pending;

    /// Sends EVAL `script` with `args` now, in the order of the calls.
    std::shared_ptr<pending> start(const char* script, std::vector<std::string> args);
    boost::asio::awaitable<store_result<corio::redis::reply>> finish(std::shared_ptr<pending> p);
    boost::asio::awaitable<store_result<corio::redis::reply>> eval(const char* script, std::vector<std::string> args);
    boost::asio::awaitable<store_result<room_snapshot>> read_room(std::string mode, std::string id);
    boost::asio::awaitable<store_result<presence>> count(std::int64_t user_id, int delta);

    boost::asio::any_io_executor ex_;
    std::shared_ptr<corio::redis::connection> conn_;
    redis_store_options opts_;

    // This node's sockets per user, as it tells Redis. `dirty_`: Redis may
    // not have them exactly (a command failed, the connection came back),
    // so the next sweep sends them whole. The mutex also keeps commands
    // about them in the order of the changes.
    std::mutex mutex_;
    std::unordered_map<std::int64_t, std::size_t> local_;
    bool dirty_ = true;
    /// Set by the connection (on its strand) when it is up again.
    std::shared_ptr<std::atomic<bool>> reconnected_ = std::make_shared<std::atomic<bool>>(false);
};

} // namespace corio_game
