#pragma once
// The lobby: who is online, the live rooms by code, and every change to them.
// Each operation reads the room from the room store, validates, commits the
// change, tells the sockets concerned and returns the acknowledgement;
// play/handlers.cpp maps events onto them.

#include "play/chat_log.hpp"
#include "play/clock.hpp"
#include "play/payloads.hpp"
#include "play/room.hpp"
#include "play/room_store.hpp"
#include "store/accounts.hpp"
#include "store/results.hpp"

#include <corio/log.hpp>
#include <corio/nsp.hpp>
#include <corio/socket_ref.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

namespace corio_game {

struct lobby_options {
    /// How long a player who dropped out has to come back before forfeiting.
    std::chrono::milliseconds reconnect_grace{30'000};
    std::size_t max_rooms = 10'000;
    /// Chat: longest message in characters, and at most `chat_burst`
    /// messages per `chat_window` per user (counted on each node).
    std::size_t chat_max_chars = 200;
    std::size_t chat_burst = 5;
    std::chrono::milliseconds chat_window{5'000};
    /// Where chat is kept so that pages can replay it (play/chat_log.hpp):
    /// sqlite_chat_log on one node, the redis_room_store in a cluster.
    /// None: chat is only live, and nothing is replayed.
    std::shared_ptr<chat_log> chat_store;
    /// How many of a room's last messages are kept and replayed.
    std::size_t chat_kept = 50;
    /// Turn clock: the time per player a room may have (room_options::
    /// clock_seconds), from `clock_min` to `clock_max`. Tests lower the
    /// minimum to flag in seconds (corio-game --min-clock).
    std::chrono::seconds clock_min{60};
    std::chrono::seconds clock_max{60 * 60};
    /// How often the lobby calls room_store::sweep; 0: never (one node).
    std::chrono::milliseconds sweep_interval{0};
    /// Where failures of the store and of background work go.
    corio::logger log;
};

/// Acks are `{"ok": true, ...}` or `{"error": sentence, ...}`; the events
/// and their payloads are play/contract.hpp's, emitted through it.
///
/// Every socket of a user is in the Socket.IO room `user:ID`, and what
/// concerns a game room goes to the `user:` rooms of its members, so with
/// a cluster adapter it reaches their sockets on every node. The `room`,
/// `rooms`, `online` and `room_closed` events carry the store's version as
/// a second argument: across nodes two changes may arrive out of order, and
/// the page keeps the newest.
///
/// @par Thread safety
/// Every member may be called from any thread. Changes are atomic in the
/// store (a commit of the version read, retried on conflict), so two nodes
/// never both accept a move. Wake-ups and sweeps run on `ex`.
///
/// @par Lifetime
/// Create with std::make_shared (coroutines and timers hold a reference).
/// `results` and `clock` must outlive it; call stop() before they go.
class lobby : public std::enable_shared_from_this<lobby> {
public:
    lobby(corio::nsp ns, std::shared_ptr<room_store> store, results& results, clock& clock,
          boost::asio::any_io_executor ex, lobby_options opts = {});

    /// Starts the periodic sweep when lobby_options::sweep_interval is set.
    void start();
    /// Cancels the wake-ups and the sweep.
    void stop();
    /// Completes once no connect or disconnect is being handled, or after
    /// `bound`: at shutdown, after server::shutdown (whose goodbyes start
    /// disconnect handlers it does not wait for), so that players are
    /// marked away before the process goes.
    boost::asio::awaitable<void> settle(std::chrono::milliseconds bound);

    /// A signed-in socket connected: it gets `room` and `chat_log` when its
    /// user is in a room (a reload resumes the game and its chat), then
    /// `welcome`, `online`, `rooms`.
    boost::asio::awaitable<void> connected(corio::socket_ref socket, user u);
    /// A socket left. When it was its user's last one on every node, a
    /// player gets the reconnect grace and a spectator leaves the room.
    boost::asio::awaitable<void> disconnected(corio::socket_ref socket, user u);
    /// Calls `watcher` with each room this node publishes (after every change
    /// it commits, and when it repeats a room's state) and its version, on
    /// the thread that made the change: it must return quickly. Set it
    /// before start(); the computer's players use it (play/computer.hpp).
    void watch_rooms(std::function<void(const room&, std::uint64_t)> watcher) { room_watcher_ = std::move(watcher); }
    /// Disconnects every socket of `user_id`, on every node (after a logout).
    void disconnect_user(std::int64_t user_id);

    /// `options`: std::nullopt or `{}` for a room without a clock.
    boost::asio::awaitable<create_room_reply> create_room(user u, std::optional<room_options> options = {});
    boost::asio::awaitable<join_room_reply> join_room(user u, std::string code);
    boost::asio::awaitable<watch_room_reply> watch_room(user u, std::string code);
    boost::asio::awaitable<leave_room_reply> leave_room(user u);
    /// With `if_version`, the move is refused ("The game moved on.") unless
    /// the room is still at that version: a move decided on a state of the
    /// room (the computer's, play/computer.hpp) never lands on a later one.
    boost::asio::awaitable<basic_reply> move(user u, int column, std::optional<std::uint64_t> if_version = {});
    boost::asio::awaitable<rematch_reply> rematch(user u);
    boost::asio::awaitable<basic_reply> chat(user u, std::string text);

    // Quick match (play/lobby_match.cpp).
    /// Pairs `u` with the player who has waited longest for the same kind of
    /// game (`options`), on any node: a room starts with that player in red
    /// and `u` in yellow, and both get `room`. With nobody waiting, `u`
    /// waits until someone asks, cancel_match, or their last socket goes.
    boost::asio::awaitable<quick_match_reply> quick_match(user u, std::optional<room_options> options);
    boost::asio::awaitable<basic_reply> cancel_match(user u);

private:
    using lock = std::lock_guard<std::mutex>;
    /// A store failure, as a warning of lobby_options::log.
    void warn(std::string_view what, const boost::system::error_code& ec) const;
    /// Counts a connect or disconnect being handled, for settle().
    class in_flight {
    public:
        explicit in_flight(lobby& l) : count_(l.running_) { ++count_; }
        ~in_flight() { --count_; }
        in_flight(const in_flight&) = delete;
        in_flight& operator=(const in_flight&) = delete;

    private:
        std::atomic<int>& count_;
    };
    struct wake_up {
        clock::duration due;
        std::unique_ptr<clock::timer> timer;
    };

    /// `user_id` leaves the room of `snap` (resigns or forfeits a game);
    /// the room closes once no player is left. Publishes when done.
    boost::asio::awaitable<store_result<commit_result>> depart(std::int64_t user_id, room_snapshot snap,
                                                               std::string ending, bool must_be_absent);
    /// `user_id` has no socket left anywhere: a player is marked away, a
    /// spectator leaves; then the store hears it is settled.
    boost::asio::awaitable<void> user_gone(std::int64_t user_id);
    /// The first part of user_gone; false when it could not finish.
    boost::asio::awaitable<bool> take_out(std::int64_t user_id);
    /// Forfeits the players of `code` whose deadline passed.
    boost::asio::awaitable<void> expire(std::string code);
    boost::asio::awaitable<void> sweep();
    static boost::asio::awaitable<void> run_expire(std::shared_ptr<lobby> self, std::string code);
    static boost::asio::awaitable<void> run_sweep(std::shared_ptr<lobby> self);
    void spawn(boost::asio::awaitable<void> task);

    /// Calls expire(code) after `delay`, unless a wake-up for it comes sooner.
    void wake_after(const std::string& code, clock::duration delay);
    void schedule_sweep();

    /// The turn clock `options` ask for (std::nullopt: none), or a sentence
    /// saying why they cannot have it.
    std::variant<std::optional<clock::duration>, std::string> clock_choice(const std::optional<room_options>& options) const;
    /// Wakes up for `r`'s next deadline (an away player's, or the turn
    /// clock's flag), `now` being the store's clock.
    void wake_for(const room& r, clock::duration now);

    std::string random_code();
    /// The kept chat of `code`; std::nullopt without a chat store, or when
    /// it failed (a warning: the page still gets the live chat).
    boost::asio::awaitable<std::optional<chat_history>> kept_chat(std::string code);
    /// Forgets the chat of `code` (a room closed, or a new one takes the code).
    boost::asio::awaitable<boost::system::error_code> forget_chat(std::string code);
    /// false when `user_id` sent too many messages lately.
    bool chat_allowed(std::int64_t user_id);

    void publish_room(const room& r, std::uint64_t version, clock::duration now) const;
    void publish_rooms(const room_list& list) const;
    void publish_online(const presence& p) const;
    /// The rooms of the lobby's list, open rooms first.
    static std::vector<room_summary> sorted(const room_list& list);

    corio::nsp ns_;
    std::shared_ptr<room_store> store_;
    results& results_;
    clock& clock_;
    boost::asio::any_io_executor ex_;
    lobby_options opts_;
    std::function<void(const room&, std::uint64_t)> room_watcher_;

    // This node's own state: what it scheduled and its chat counters.
    std::atomic<int> running_ = 0;
    mutable std::mutex mutex_;
    bool stopped_ = false;
    std::unordered_map<std::string, wake_up> wake_ups_;
    std::unique_ptr<clock::timer> sweep_timer_;
    std::unordered_map<std::int64_t, std::deque<clock::duration>> chat_times_;
    std::mt19937_64 random_{std::random_device{}()};
};

} // namespace corio_game
