#pragma once
// "Play the computer": the computer is a player like any other. It has
// accounts (store/computer_accounts.hpp), takes a seat with lobby::join_room
// and plays with lobby::move, so the rooms, the rules and the store treat
// it as they treat people. It keeps no games of its own: the lobby shows it
// every room it publishes (lobby::watch_rooms), and when a change makes it
// the computer's turn, it searches the position (rules/search.hpp) on
// threads of its own, never the io threads, and plays the answer on the
// version of the room it saw. With several nodes, the node that committed
// the change is the one that answers; a second answer to the same state is
// refused by the version, so duplicates are harmless.

#include "play/lobby.hpp"
#include "play/payloads.hpp"
#include "play/room_store.hpp"
#include "rules/search.hpp"
#include "store/computer_accounts.hpp"

#include <corio/log.hpp>
#include <corio/server.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <vector>

namespace corio_game {

struct computer_options {
    /// Threads the searches run on. A search is bounded by its level's
    /// budget (at most 1.5 s, rules/search.hpp); time spent waiting for a
    /// thread counts against it, so a busy computer plays weaker, not later.
    unsigned threads = 1;
    /// Search threads run at this nice value (Linux: per thread), so that
    /// they yield the cores to the io threads. 0 leaves them alone.
    int nice = 10;
    /// The computer's move comes at least this long after the change it
    /// answers, so that a person sees their own disc land first.
    std::chrono::milliseconds pace{400};
    corio::logger log;
};

/// @par Thread safety
/// Every member may be called from any thread.
///
/// @par Lifetime
/// Create with std::make_shared; start() connects it to the lobby. `db`
/// must outlive it; call stop() before the io_context of `ex` stops.
class computer : public std::enable_shared_from_this<computer> {
public:
    computer(std::shared_ptr<lobby> lobby, std::shared_ptr<room_store> store, database& db,
             boost::asio::any_io_executor ex, computer_options opts = {});
    ~computer();
    computer(const computer&) = delete;
    computer& operator=(const computer&) = delete;

    /// Starts the search threads and watches the lobby's rooms.
    void start();
    /// Drops searches not started yet and waits for the running ones (each
    /// ends within its budget).
    void stop();

    /// The `play_computer` event: a new room with `u` in red, and the
    /// computer at `level` in yellow; the game starts at once, `u` to play.
    boost::asio::awaitable<play_computer_reply> play(user u, computer_level level);

    /// The name the computer at `level` plays under: "Computer (easy)".
    static std::string display_name(computer_level level);

private:
    /// The level of the computer in `s`, if the seat is the computer's.
    std::optional<computer_level> level_of(const seat& s);
    /// What the computer does about a room it is seated in.
    void room_changed(const room& r, std::uint64_t version);
    /// Searches on the search threads, then plays through the lobby.
    void think(user me, computer_level level, connect_four game, std::uint64_t version);
    /// An account of `level` that is in no room (a new one if all are).
    boost::asio::awaitable<std::optional<user>> free_account(computer_level level);

    static boost::asio::awaitable<void> play_move(std::shared_ptr<computer> self, user me, int column,
                                                  std::uint64_t version,
                                                  std::chrono::steady_clock::time_point not_before);
    static boost::asio::awaitable<void> offer_rematch(std::shared_ptr<computer> self, user me);
    static boost::asio::awaitable<void> leave(std::shared_ptr<computer> self, user me);
    void spawn(boost::asio::awaitable<void> task);

    std::shared_ptr<lobby> lobby_;
    std::shared_ptr<room_store> store_;
    computer_accounts accounts_;
    boost::asio::any_io_executor ex_;
    computer_options opts_;

    boost::asio::io_context searches_;
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
    std::vector<std::thread> threads_;

    std::mutex mutex_;
    /// Seats checked against the database: the computer's, and not.
    std::set<std::int64_t> known_, not_computer_;
    std::mt19937_64 random_{std::random_device{}()};
};

/// Registers `play_computer(level)` on `io`'s namespace "/" (its contract,
/// play/contract.hpp): acks `{ok, code}` or `{error}`.
void register_computer_handlers(corio::server& io, std::shared_ptr<computer> computer);

} // namespace corio_game
