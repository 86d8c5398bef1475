#pragma once
// The room store of a single node: everything in this process's memory.

#include "play/clock.hpp"
#include "play/room_store.hpp"

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

namespace corio_game {

/// Rooms, users and presence in maps behind one mutex. Every operation
/// completes without suspending. Its clock is the lobby's (`clock`, which
/// must outlive it), so tests drive deadlines by hand. sweep finds nothing:
/// there is no other node.
///
/// @par Thread safety
/// Any thread.
class memory_room_store final : public room_store {
public:
    explicit memory_room_store(clock& clock) : clock_(clock) {}

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

    /// Open rooms, and distinct users online (for tests).
    std::size_t room_count() const;
    std::size_t online() const;

private:
    using lock = std::lock_guard<std::mutex>;

    room_snapshot snapshot(const std::string& code) const;
    room_list list_locked() const;
    commit_result apply(room_change& change);
    presence count(std::int64_t user_id, int delta);
    bool unqueue(std::int64_t user_id);

    clock& clock_;
    mutable std::mutex mutex_;
    std::map<std::string, stored_room> rooms_;
    std::unordered_map<std::int64_t, std::string> room_of_user_;
    std::unordered_map<std::int64_t, std::size_t> sockets_;
    std::uint64_t sequence_ = 0;
    // Quick match: the queue of each pool, oldest first, and the pool of each player in one.
    std::map<std::string, std::deque<match_ticket>> pools_;
    std::unordered_map<std::int64_t, std::string> pool_of_;
};

} // namespace corio_game
