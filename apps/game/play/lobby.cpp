#include "play/lobby.hpp"

#include "play/contract.hpp"
#include "play/lobby_replies.hpp"
#include "play/spawn_logged.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cctype>
#include <exception>

// g++ 12 flags the frames of some coroutines here with -Wmismatched-new-delete
// when it inlines their allocation: Asio allocates a frame with
// aligned_alloc and its operator delete frees it with free, which the warning
// does not follow. A false positive.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace corio_game {

namespace net = boost::asio;

namespace {

// No 0/O or 1/I/L: codes are read aloud and typed by people.
constexpr std::string_view code_alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
constexpr std::size_t code_length = 4;

// A read-modify-write that keeps losing to other changes of the same room
// gives up after this many tries (and the player may try again).
constexpr int max_attempts = 8;
// A new room whose random code is taken tries another.
constexpr int max_code_attempts = 32;

using namespace lobby_replies;

/// The Socket.IO room of every socket of one user, on every node.
std::string user_group(std::int64_t user_id) { return "user:" + std::to_string(user_id); }

/// Trimmed and upper-cased; std::nullopt unless it could be a room code.
std::optional<std::string> normalize_code(std::string_view text)
{
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
        text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.remove_suffix(1);
    if (text.size() != code_length)
        return std::nullopt;
    std::string code;
    for (unsigned char c : text) {
        c = static_cast<unsigned char>(std::toupper(c));
        if (code_alphabet.find(static_cast<char>(c)) == std::string_view::npos)
            return std::nullopt;
        code.push_back(static_cast<char>(c));
    }
    return code;
}

// Control characters would let a message fake lines of the chat: they become
// spaces. Surrounding space is dropped. (The text is valid UTF-8: Boost.JSON
// checked it.)
std::string clean_chat_text(std::string text)
{
    for (auto& c : text)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            c = ' ';
    auto first = text.find_first_not_of(' ');
    if (first == std::string::npos)
        return {};
    return text.substr(first, text.find_last_not_of(' ') - first + 1);
}

std::size_t utf8_length(std::string_view text)
{
    return static_cast<std::size_t>(std::ranges::count_if(text, [](unsigned char c) { return (c & 0xc0) != 0x80; }));
}

std::int64_t wall_clock_ms()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// The sockets of `user_ids` on every node. `user_ids` must not be empty (no
/// room at all would select the whole namespace).
corio::broadcast_operator to_users(const corio::nsp& ns, const std::vector<std::int64_t>& user_ids)
{
    auto op = ns.to(user_group(user_ids.front()));
    for (std::size_t i = 1; i < user_ids.size(); ++i)
        op = op.to(user_group(user_ids[i]));
    return op;
}

} // namespace

lobby::lobby(corio::nsp ns, std::shared_ptr<room_store> store, results& results, clock& clock, net::any_io_executor ex,
             lobby_options opts)
    : ns_(std::move(ns)), store_(std::move(store)), results_(results), clock_(clock), ex_(std::move(ex)), opts_(opts)
{
}

void lobby::start()
{
    if (opts_.sweep_interval.count() > 0)
        schedule_sweep();
}

void lobby::stop()
{
    std::unordered_map<std::string, wake_up> wake_ups;
    std::unique_ptr<clock::timer> sweep_timer;
    {
        lock guard(mutex_);
        stopped_ = true;
        wake_ups.swap(wake_ups_);
        sweep_timer = std::move(sweep_timer_);
    }
    // Destroying the handles cancels the timers, outside the lock.
}

std::string lobby::random_code()
{
    lock guard(mutex_);
    std::uniform_int_distribution<std::size_t> pick(0, code_alphabet.size() - 1);
    std::string code(code_length, ' ');
    for (auto& c : code)
        c = code_alphabet[pick(random_)];
    return code;
}

// ---------------------------------------------------------------------------
// Background work: wake-ups at deadlines, and the sweep.

void lobby::spawn(net::awaitable<void> task)
{
    spawn_logged(ex_, std::move(task), opts_.log, "background task failed");
}

void lobby::warn(std::string_view what, const boost::system::error_code& ec) const
{
    if (!opts_.log.enabled(corio::log_level::warning))
        return;
    auto why = ec.message();
    opts_.log({.level = corio::log_level::warning, .message = what, .error = why});
}

net::awaitable<void> lobby::run_expire(std::shared_ptr<lobby> self, std::string code)
{
    co_await self->expire(std::move(code));
}

net::awaitable<void> lobby::run_sweep(std::shared_ptr<lobby> self)
{
    try {
        co_await self->sweep();
    } catch (const std::exception& e) {
        self->opts_.log({.level = corio::log_level::error, .message = "sweep failed", .error = e.what()});
    }
    // The next one only once this one is over: a slow store never piles them up.
    self->schedule_sweep();
}

void lobby::wake_after(const std::string& code, clock::duration delay)
{
    delay = std::max(delay, clock::duration{0});
    lock guard(mutex_);
    if (stopped_)
        return;
    auto due = clock_.now() + delay;
    // A sooner wake-up reschedules for the later deadlines when it runs.
    if (auto it = wake_ups_.find(code); it != wake_ups_.end() && it->second.due <= due)
        return;
    auto fire = [weak = weak_from_this(), code, due] {
        auto self = weak.lock();
        if (!self)
            return;
        {
            lock relock(self->mutex_);
            if (auto it = self->wake_ups_.find(code); it != self->wake_ups_.end() && it->second.due == due)
                self->wake_ups_.erase(it);
        }
        self->spawn(run_expire(self, code));
    };
    wake_ups_.insert_or_assign(code, wake_up{due, clock_.after(delay, std::move(fire))});
}

void lobby::wake_for(const room& r, clock::duration now)
{
    if (auto next = r.next_deadline())
        wake_after(r.code(), *next - now);
}

void lobby::schedule_sweep()
{
    lock guard(mutex_);
    if (stopped_)
        return;
    sweep_timer_ = clock_.after(opts_.sweep_interval, [weak = weak_from_this()] {
        if (auto self = weak.lock())
            self->spawn(run_sweep(self));
    });
}

net::awaitable<void> lobby::sweep()
{
    auto found = co_await store_->sweep();
    if (!found) {
        warn("sweep", found.error());
        co_return;
    }
    if (found->online)
        publish_online(*found->online);
    for (auto user_id : found->gone)
        co_await user_gone(user_id);
    for (const auto& code : found->due)
        co_await expire(code);
}

// ---------------------------------------------------------------------------
// Sockets coming and going.

net::awaitable<void> lobby::connected(corio::socket_ref socket, user u)
{
    auto self = shared_from_this();
    in_flight busy(*this);
    // First: whatever changes from now on reaches this socket too.
    socket.join(user_group(u.id));
    auto here = co_await store_->socket_connected(u.id);
    if (!here)
        warn("cannot count a socket in", here.error());

    // Back in the room (a reload): the room comes first, so the page opens
    // on the game rather than flashing the lobby; the others see the player
    // return. Then its chat, which the page shows again.
    std::optional<std::string> in_room;
    for (int attempt = 0; attempt < max_attempts; ++attempt) {
        auto mine = co_await store_->load_user_room(u.id);
        if (!mine) {
            warn("cannot read the room of a player who connected", mine.error());
            break;
        }
        if (!mine->found)
            break;
        auto r = mine->found->value;
        if (!r.is_away(u.id)) {
            socket.emit<events::room>(r.state(mine->now), mine->found->version);
            in_room = r.code();
            break;
        }
        r.clear_away(u.id);
        room_change change{.code = r.code(), .expected = mine->found->version, .next = r};
        auto done = co_await store_->commit(std::move(change));
        if (!done) {
            warn("cannot mark a player back", done.error());
            break;
        }
        if (done->status == commit_status::conflict)
            continue;
        auto state = r.state(mine->now);
        socket.emit<events::room>(state, done->version);
        to_users(ns_, r.members()).except(socket.id()).emit<events::room>(state, done->version);
        in_room = r.code();
        // A move decided on the version before (the computer's) is refused now: ask again.
        if (room_watcher_)
            room_watcher_(r, done->version);
        break;
    }
    if (in_room) {
        // Messages said from now on come live too; the page keeps each id once.
        auto history = co_await kept_chat(*in_room);
        if (history)
            socket.emit<events::chat_log>(*history);
    }

    socket.emit<events::welcome>(greeting{.name = u.name});
    if (here) {
        online_count online{.players = here->online};
        socket.emit<events::online>(online, here->version);
        if (here->user_sockets == 1)
            socket.broadcast().emit<events::online>(online, here->version);
    }
    auto rooms = co_await store_->list();
    if (rooms)
        socket.emit<events::rooms>(sorted(*rooms), rooms->version);
    else
        warn("cannot list the rooms", rooms.error());
}

net::awaitable<void> lobby::disconnected(corio::socket_ref, user u)
{
    auto self = shared_from_this();
    in_flight busy(*this);
    auto here = co_await store_->socket_disconnected(u.id);
    if (!here) {
        warn("cannot count a socket out", here.error());
        co_return;
    }
    if (here->user_sockets > 0)
        co_return;
    {
        lock guard(mutex_);
        chat_times_.erase(u.id);
    }
    publish_online(*here);
    co_await user_gone(u.id);
}

net::awaitable<void> lobby::user_gone(std::int64_t user_id)
{
    auto self = shared_from_this();
    // Quick match: nobody is paired with a player who is not there.
    auto unqueued = co_await store_->cancel_match(user_id);
    if (!unqueued)
        warn("cannot take a player out of the quick match queue", unqueued.error());
    auto done = co_await take_out(user_id);
    // Unsettled, the store hands the user to a sweep later (Redis).
    if (done) {
        auto failed = co_await store_->settled(user_id);
        if (failed)
            warn("cannot settle a departure", failed);
    }
}

net::awaitable<bool> lobby::take_out(std::int64_t user_id)
{
    auto self = shared_from_this();
    for (int attempt = 0; attempt < max_attempts; ++attempt) {
        auto mine = co_await store_->load_user_room(user_id);
        if (!mine) {
            warn("cannot read the room of a player who left", mine.error());
            co_return false;
        }
        if (!mine->found)
            co_return true;
        auto r = mine->found->value;
        auto code = r.code();
        if (r.color_of(user_id) == disc::none) {
            auto left = co_await depart(user_id, *mine, "", true);
            if (!left)
                co_return false;
            if (left->status == commit_status::conflict)
                continue;
            co_return true;
        }
        // Already away: the node that marked them stopped (and maybe did
        // not get to tell anyone). The first deadline stands; this node says
        // so again and wakes up for it.
        if (r.is_away(user_id)) {
            publish_room(r, mine->found->version, mine->now);
            if (auto next = r.next_deadline())
                wake_after(code, *next - mine->now);
            co_return true;
        }
        // A reload must not cost the game: the seat is kept for the grace
        // period, and the deadline is in the store, so whichever node is
        // alive then forfeits it.
        r.mark_away(user_id, mine->now + opts_.reconnect_grace);
        room_change change{.code = code, .expected = mine->found->version, .next = r, .absent = {user_id}};
        auto done = co_await store_->commit(std::move(change));
        if (!done) {
            warn("cannot mark a player away", done.error());
            co_return false;
        }
        if (done->status == commit_status::conflict)
            continue;
        if (done->status != commit_status::done)
            co_return true; // back already
        publish_room(r, done->version, mine->now);
        wake_after(code, opts_.reconnect_grace);
        co_return true;
    }
    co_return false;
}

net::awaitable<void> lobby::expire(std::string code)
{
    auto self = shared_from_this();
    // Each round settles one player (or loses a race and reads again).
    for (int round = 0; round < max_attempts; ++round) {
        auto snap = co_await store_->load(code);
        if (!snap) {
            warn("cannot read a room to expire", snap.error());
            co_return;
        }
        if (!snap->found)
            co_return;
        const auto& r = snap->found->value;
        // Turn clock: the player to move ran out of time.
        if (r.flagged(snap->now)) {
            auto flagged = r;
            auto finished = flagged.flag(snap->now);
            room_change change{.code = code, .expected = snap->found->version, .next = flagged, .want_list = true};
            auto done = co_await store_->commit(std::move(change));
            if (!done) {
                warn("cannot flag a game", done.error());
                co_return;
            }
            if (done->status != commit_status::done)
                continue;
            try {
                results_.record(*finished);
            } catch (const std::exception& e) {
                opts_.log({.level = corio::log_level::error, .message = "could not record a result", .error = e.what()});
            }
            publish_room(flagged, done->version, snap->now);
            if (done->list)
                publish_rooms(*done->list);
            continue;
        }
        auto overdue = r.overdue(snap->now);
        if (!overdue) {
            if (auto next = r.next_deadline())
                wake_after(code, *next - snap->now);
            co_return;
        }
        auto user_id = *overdue;
        auto left = co_await depart(user_id, *snap, "forfeit", true);
        if (!left) {
            warn("cannot forfeit a game", left.error());
            co_return;
        }
        if (left->status != commit_status::user_present)
            continue;
        // The player is connected again but the room still had them away
        // (their node lost the race, or stopped): they are back.
        auto back = snap->found->value;
        back.clear_away(user_id);
        room_change change{.code = code, .expected = snap->found->version, .next = back};
        auto done = co_await store_->commit(std::move(change));
        if (done && done->status == commit_status::done)
            publish_room(back, done->version, snap->now);
    }
}

net::awaitable<store_result<commit_result>> lobby::depart(std::int64_t user_id, room_snapshot snap, std::string ending,
                                                          bool must_be_absent)
{
    auto r = snap.found->value;
    std::optional<game_result> finished;
    if (r.has_spectator(user_id))
        r.remove_spectator(user_id);
    else
        finished = r.vacate(user_id, ending, snap.now);

    room_change change{.code = r.code(), .expected = snap.found->version, .leave = {user_id}, .want_list = true};
    if (must_be_absent)
        change.absent = {user_id};
    // No player is left: the room closes, and its spectators go back to the lobby.
    auto watchers = r.spectator_ids();
    bool closes = !r.has_players();
    if (closes)
        change.leave.insert(change.leave.end(), watchers.begin(), watchers.end());
    else
        change.next = r;

    auto done = co_await store_->commit(std::move(change));
    if (!done || done->status != commit_status::done)
        co_return done;

    if (finished) {
        try {
            results_.record(*finished);
        } catch (const std::exception& e) {
            // The game went on in memory; only the leaderboard misses it.
            opts_.log({.level = corio::log_level::error, .message = "could not record a result", .error = e.what()});
        }
    }
    if (!closes) {
        publish_room(r, done->version, snap.now);
    } else if (!watchers.empty()) {
        const auto& code = r.code();
        to_users(ns_, watchers)
            .emit<events::room_closed>(room_closed_notice{.code = code, .message = "Room " + code + " has closed."},
                                       done->version);
    }
    if (closes) {
        // Hygiene only: a new room under this code clears it anyway.
        auto failed = co_await forget_chat(r.code());
        if (failed)
            warn("cannot forget a closed room's chat", failed);
    }
    if (done->list)
        publish_rooms(*done->list);
    done->list.reset();
    co_return done;
}

net::awaitable<void> lobby::settle(std::chrono::milliseconds bound)
{
    auto self = shared_from_this();
    auto ex = co_await net::this_coro::executor;
    net::steady_timer timer(ex);
    auto until = std::chrono::steady_clock::now() + bound;
    while (running_.load() > 0 && std::chrono::steady_clock::now() < until) {
        timer.expires_after(std::chrono::milliseconds(10));
        co_await timer.async_wait(net::as_tuple(net::use_awaitable));
    }
}

void lobby::disconnect_user(std::int64_t user_id)
{
    // Through the adapter: the user's sockets on every node. Their
    // disconnect handlers do the rest.
    ns_.in(user_group(user_id)).disconnect_sockets();
}

// ---------------------------------------------------------------------------
// The events.

net::awaitable<create_room_reply> lobby::create_room(user u, std::optional<room_options> options)
{
    auto self = shared_from_this();
    auto choice = clock_choice(options);
    if (auto* why = std::get_if<std::string>(&choice))
        co_return failure(std::move(*why));
    auto per_player = std::get<std::optional<clock::duration>>(choice);
    for (int attempt = 0; attempt < max_code_attempts; ++attempt) {
        auto mine = co_await store_->load_user_room(u.id);
        if (!mine)
            co_return unavailable();
        if (mine->found)
            co_return already_in(mine->found->value.code());
        room r(random_code(), seat{u.id, u.name}, per_player);
        // What an earlier room under this code said is not this room's (a
        // single node's rooms do not outlive it; Redis's may expire first).
        auto forgot = co_await forget_chat(r.code());
        if (forgot) {
            warn("cannot clear the chat of a new room", forgot);
            co_return unavailable();
        }
        room_change change{.code = r.code(),
                           .expected = 0,
                           .next = r,
                           .enter = {u.id},
                           .max_rooms = opts_.max_rooms,
                           .want_list = true};
        auto done = co_await store_->commit(std::move(change));
        if (!done)
            co_return unavailable();
        if (done->status == commit_status::too_many_rooms)
            co_return failure("Too many rooms are open; try again later.");
        // conflict: the code was taken meanwhile; user_busy: another tab was
        // quicker. Either way, read again.
        if (done->status != commit_status::done)
            continue;
        publish_room(r, done->version, mine->now);
        if (done->list)
            publish_rooms(*done->list);
        co_return create_room_reply{.ok = true, .code = r.code(), .message = r.message(mine->now)};
    }
    co_return busy();
}

net::awaitable<join_room_reply> lobby::join_room(user u, std::string text)
{
    auto self = shared_from_this();
    for (int attempt = 0; attempt < max_attempts; ++attempt) {
        auto mine = co_await store_->load_user_room(u.id);
        if (!mine)
            co_return unavailable();
        if (mine->found)
            co_return already_in(mine->found->value.code());
        auto code = normalize_code(text);
        if (!code)
            co_return failure("Room codes are 4 letters or digits, like K7QX.");
        auto snap = co_await store_->load(*code);
        if (!snap)
            co_return unavailable();
        if (!snap->found)
            co_return failure("There is no room " + *code + ".");
        auto r = snap->found->value;
        if (!r.has_free_seat())
            co_return join_room_reply{.error = "Room " + *code + " is full.", .full = true};
        r.take_seat(seat{u.id, u.name}, snap->now);
        room_change change{
            .code = *code, .expected = snap->found->version, .next = r, .enter = {u.id}, .want_list = true};
        auto done = co_await store_->commit(std::move(change));
        if (!done)
            co_return unavailable();
        if (done->status != commit_status::done)
            continue;
        publish_room(r, done->version, snap->now);
        wake_for(r, snap->now);
        if (done->list)
            publish_rooms(*done->list);
        auto history = co_await kept_chat(*code);
        if (history)
            to_users(ns_, {u.id}).emit<events::chat_log>(*history);
        co_return join_room_reply{.ok = true, .code = *code};
    }
    co_return busy();
}

net::awaitable<watch_room_reply> lobby::watch_room(user u, std::string text)
{
    auto self = shared_from_this();
    for (int attempt = 0; attempt < max_attempts; ++attempt) {
        auto mine = co_await store_->load_user_room(u.id);
        if (!mine)
            co_return unavailable();
        if (mine->found)
            co_return already_in(mine->found->value.code());
        auto code = normalize_code(text);
        if (!code)
            co_return failure("There is no room with that code.");
        auto snap = co_await store_->load(*code);
        if (!snap)
            co_return unavailable();
        if (!snap->found)
            co_return failure("There is no room " + *code + ".");
        auto r = snap->found->value;
        r.add_spectator(seat{u.id, u.name});
        room_change change{
            .code = *code, .expected = snap->found->version, .next = r, .enter = {u.id}, .want_list = true};
        auto done = co_await store_->commit(std::move(change));
        if (!done)
            co_return unavailable();
        if (done->status != commit_status::done)
            continue;
        publish_room(r, done->version, snap->now);
        if (done->list)
            publish_rooms(*done->list);
        auto history = co_await kept_chat(*code);
        if (history)
            to_users(ns_, {u.id}).emit<events::chat_log>(*history);
        co_return watch_room_reply{.ok = true, .code = *code};
    }
    co_return busy();
}

net::awaitable<leave_room_reply> lobby::leave_room(user u)
{
    auto self = shared_from_this();
    for (int attempt = 0; attempt < max_attempts; ++attempt) {
        auto mine = co_await store_->load_user_room(u.id);
        if (!mine)
            co_return unavailable();
        if (!mine->found)
            co_return failure("You are not in a room.");
        auto left = co_await depart(u.id, *mine, "resign", false);
        if (!left)
            co_return unavailable();
        if (left->status == commit_status::conflict)
            continue;
        // The version lets the page drop a state of the room from before.
        co_return leave_room_reply{.ok = true, .version = left->version};
    }
    co_return busy();
}

net::awaitable<basic_reply> lobby::move(user u, int column, std::optional<std::uint64_t> if_version)
{
    auto self = shared_from_this();
    for (int attempt = 0; attempt < max_attempts; ++attempt) {
        auto mine = co_await store_->load_user_room(u.id);
        if (!mine)
            co_return unavailable();
        if (!mine->found)
            co_return failure("You are not in a room.");
        if (if_version && mine->found->version != *if_version)
            co_return failure("The game moved on.");
        auto r = mine->found->value;
        if (r.color_of(u.id) == disc::none)
            co_return failure("Spectators cannot play.");
        // The flag fell before this move arrived: the game is lost on time
        // (whether or not this node's wake-up got there first).
        if (r.flagged(mine->now)) {
            co_await expire(r.code());
            co_return failure("Time ran out: the game is over.");
        }
        // Checked against the room as read; the commit below only succeeds
        // if nobody changed it since, so a move is accepted once, on one node.
        auto outcome = r.play(u.id, column, mine->now);
        if (auto* error = std::get_if<move_error>(&outcome))
            co_return failure(std::string(describe(*error)));
        auto finished = std::get<std::optional<game_result>>(outcome);
        room_change change{
            .code = r.code(), .expected = mine->found->version, .next = r, .want_list = finished.has_value()};
        auto done = co_await store_->commit(std::move(change));
        if (!done)
            co_return unavailable();
        if (done->status != commit_status::done)
            continue;
        if (finished) {
            try {
                results_.record(*finished);
            } catch (const std::exception& e) {
                opts_.log({.level = corio::log_level::error, .message = "could not record a result", .error = e.what()});
            }
        }
        publish_room(r, done->version, mine->now);
        wake_for(r, mine->now);
        if (done->list)
            publish_rooms(*done->list);
        co_return ok();
    }
    co_return busy();
}

net::awaitable<rematch_reply> lobby::rematch(user u)
{
    auto self = shared_from_this();
    for (int attempt = 0; attempt < max_attempts; ++attempt) {
        auto mine = co_await store_->load_user_room(u.id);
        if (!mine)
            co_return unavailable();
        if (!mine->found || mine->found->value.color_of(u.id) == disc::none)
            co_return failure("Only players can ask for a rematch.");
        auto r = mine->found->value;
        if (r.status() != room_status::over)
            co_return failure("The game is not over yet.");
        if (r.has_free_seat())
            co_return failure("Your opponent has left.");
        bool started = r.offer_rematch(u.id, mine->now);
        room_change change{.code = r.code(), .expected = mine->found->version, .next = r, .want_list = started};
        auto done = co_await store_->commit(std::move(change));
        if (!done)
            co_return unavailable();
        if (done->status != commit_status::done)
            continue;
        publish_room(r, done->version, mine->now);
        wake_for(r, mine->now);
        if (done->list)
            publish_rooms(*done->list);
        co_return rematch_reply{.ok = true, .started = started};
    }
    co_return busy();
}

bool lobby::chat_allowed(std::int64_t user_id)
{
    lock guard(mutex_);
    auto& times = chat_times_[user_id];
    auto now = clock_.now();
    while (!times.empty() && now - times.front() >= opts_.chat_window)
        times.pop_front();
    if (times.size() >= opts_.chat_burst)
        return false;
    times.push_back(now);
    return true;
}

net::awaitable<basic_reply> lobby::chat(user u, std::string text)
{
    auto self = shared_from_this();
    auto mine = co_await store_->load_user_room(u.id);
    if (!mine)
        co_return unavailable();
    if (!mine->found)
        co_return failure("Join a room to chat.");
    text = clean_chat_text(std::move(text));
    if (text.empty())
        co_return failure("Say something first.");
    if (utf8_length(text) > opts_.chat_max_chars)
        co_return failure("Messages are at most " + std::to_string(opts_.chat_max_chars) + " characters.");
    if (!chat_allowed(u.id))
        co_return failure("You are sending messages too fast.");
    chat_message message{.from = u.name, .text = std::move(text), .at = wall_clock_ms()};
    if (opts_.chat_store) {
        // Kept first: a message that pages could not replay is not said.
        auto kept = co_await opts_.chat_store->append(mine->found->value.code(), message, opts_.chat_kept);
        if (!kept) {
            warn("cannot keep a chat message", kept.error());
            co_return unavailable();
        }
        message = std::move(*kept);
    }
    to_users(ns_, mine->found->value.members()).emit<events::chat>(message);
    co_return ok();
}

net::awaitable<std::optional<chat_history>> lobby::kept_chat(std::string code)
{
    auto self = shared_from_this();
    if (!opts_.chat_store)
        co_return std::nullopt;
    auto messages = co_await opts_.chat_store->recent(code, opts_.chat_kept);
    if (!messages) {
        warn("cannot read a room's chat", messages.error());
        co_return std::nullopt;
    }
    co_return chat_history{.code = std::move(code), .messages = std::move(*messages)};
}

net::awaitable<boost::system::error_code> lobby::forget_chat(std::string code)
{
    auto self = shared_from_this();
    if (!opts_.chat_store)
        co_return boost::system::error_code{};
    auto failed = co_await opts_.chat_store->clear(std::move(code));
    co_return failed;
}

// ---------------------------------------------------------------------------
// What the pages are told.

void lobby::publish_room(const room& r, std::uint64_t version, clock::duration now) const
{
    auto members = r.members();
    if (!members.empty())
        to_users(ns_, members).emit<events::room>(r.state(now), version);
    if (room_watcher_)
        room_watcher_(r, version);
}

void lobby::publish_rooms(const room_list& list) const
{
    ns_.emit<events::rooms>(sorted(list), list.version);
}

void lobby::publish_online(const presence& p) const
{
    ns_.emit<events::online>(online_count{.players = p.online}, p.version);
}

std::vector<room_summary> lobby::sorted(const room_list& list)
{
    // Open rooms first, then games to watch; newest codes are not favoured.
    auto rooms = list.rooms;
    std::ranges::sort(rooms, [](const room_summary& a, const room_summary& b) {
        bool a_open = a.status == room_status::waiting;
        bool b_open = b.status == room_status::waiting;
        if (a_open != b_open)
            return a_open;
        return a.code < b.code;
    });
    return rooms;
}

} // namespace corio_game
