#include "play/computer.hpp"

#include "play/contract.hpp"
#include "play/spawn_logged.hpp"

#include <corio/typed_nsp.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

// As in lobby.cpp: g++ 12's -Wmismatched-new-delete misreads Asio's
// coroutine frames.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace corio_game {

namespace net = boost::asio;
using steady = std::chrono::steady_clock;

namespace {

constexpr std::array all_levels{computer_level::easy, computer_level::medium, computer_level::hard};

// Seating the computer gives up after this many accounts that another game
// took between the look and the join.
constexpr int max_seat_attempts = 8;
// A move the store could not take is tried again this often, this far apart.
constexpr int max_move_attempts = 5;
constexpr std::chrono::seconds move_retry_delay{1};

std::string_view level_name(computer_level level)
{
    switch (level) {
    case computer_level::easy:
        return "easy";
    case computer_level::medium:
        return "medium";
    case computer_level::hard:
        break;
    }
    return "hard";
}

void lower_priority(int nice)
{
#ifdef __linux__
    // On Linux a nice value belongs to a thread; a failure only costs the
    // io threads some of the cores.
    if (nice != 0)
        setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), nice);
#else
    (void)nice;
#endif
}

} // namespace

computer::computer(std::shared_ptr<lobby> lobby, std::shared_ptr<room_store> store, database& db,
                   net::any_io_executor ex, computer_options opts)
    : lobby_(std::move(lobby)), store_(std::move(store)), accounts_(db), ex_(std::move(ex)), opts_(opts)
{
}

computer::~computer()
{
    stop();
}

std::string computer::display_name(computer_level level)
{
    return "Computer (" + std::string(level_name(level)) + ")";
}

void computer::start()
{
    {
        std::lock_guard guard(mutex_);
        if (!threads_.empty())
            return;
        work_.emplace(searches_.get_executor());
        for (unsigned i = 0; i < std::max(1u, opts_.threads); ++i)
            threads_.emplace_back([this] {
                lower_priority(opts_.nice);
                searches_.run();
            });
    }
    lobby_->watch_rooms([weak = weak_from_this()](const room& r, std::uint64_t version) {
        if (auto self = weak.lock())
            self->room_changed(r, version);
    });
}

void computer::stop()
{
    std::vector<std::thread> threads;
    {
        std::lock_guard guard(mutex_);
        threads.swap(threads_);
        work_.reset();
    }
    searches_.stop();
    for (auto& t : threads)
        t.join();
}

void computer::spawn(net::awaitable<void> task)
{
    spawn_logged(ex_, std::move(task), opts_.log, "the computer failed");
}

std::optional<computer_level> computer::level_of(const seat& s)
{
    for (auto level : all_levels) {
        if (s.name != display_name(level))
            continue;
        {
            std::lock_guard guard(mutex_);
            if (known_.contains(s.user_id))
                return level;
            if (not_computer_.contains(s.user_id))
                return std::nullopt;
        }
        // Once per account and node: a person could be named alike (the
        // computer's names break the rules of people's, but other kinds of
        // accounts may have other rules).
        bool is = accounts_.is(s.user_id, level_name(level));
        std::lock_guard guard(mutex_);
        (is ? known_ : not_computer_).insert(s.user_id);
        return is ? std::optional(level) : std::nullopt;
    }
    return std::nullopt;
}

void computer::room_changed(const room& r, std::uint64_t version)
{
    for (auto color : {disc::red, disc::yellow}) {
        const auto& mine = r.seat_of(color);
        if (!mine)
            continue;
        auto level = level_of(*mine);
        if (!level)
            continue;
        user me{mine->user_id, mine->name};
        // The person left: so does the computer, and the room closes.
        if (!r.seat_of(opponent(color))) {
            spawn(leave(shared_from_this(), me));
            continue;
        }
        if (r.status() == room_status::playing && r.game().turn() == color) {
            think(me, *level, r.game(), version);
            continue;
        }
        // The computer always wants another game.
        if (r.status() == room_status::over) {
            auto offers = r.state({}).rematch;
            auto mine_color = color == disc::red ? player_color::red : player_color::yellow;
            if (std::ranges::find(offers, mine_color) == offers.end())
                spawn(offer_rematch(shared_from_this(), me));
        }
    }
}

void computer::think(user me, computer_level level, connect_four game, std::uint64_t version)
{
    auto asked = steady::now();
    auto limits = limits_for(level);
    std::uint64_t seed;
    {
        std::lock_guard guard(mutex_);
        seed = random_();
    }
    net::post(searches_, [weak = weak_from_this(), me, limits, game, version, asked, seed] {
        auto found = choose_column(game, limits, seed, asked + limits.budget);
        auto self = weak.lock();
        if (!found || !self)
            return;
        self->spawn(play_move(self, me, found->column, version, asked + self->opts_.pace));
    });
}

net::awaitable<void> computer::play_move(std::shared_ptr<computer> self, user me, int column, std::uint64_t version,
                                         steady::time_point not_before)
{
    if (not_before > steady::now()) {
        net::steady_timer pause(co_await net::this_coro::executor, not_before);
        co_await pause.async_wait(net::as_tuple(net::use_awaitable));
    }
    auto ex = co_await net::this_coro::executor;
    for (int attempt = 1;; ++attempt) {
        auto done = co_await self->lobby_->move(me, column, version);
        if (!done.error)
            co_return;
        if (self->opts_.log.enabled(corio::log_level::debug))
            self->opts_.log(
                {.level = corio::log_level::debug, .message = "the computer's move was refused", .error = *done.error});
        // Refused because the room changed meanwhile (the person left, came
        // back, or another node answered first): the change that did it
        // asks again if need be. Refused while the room is still as it was
        // (the store could not be reached): nobody else will ask, so try again.
        if (attempt == max_move_attempts)
            co_return;
        net::steady_timer wait(ex, move_retry_delay);
        co_await wait.async_wait(net::as_tuple(net::use_awaitable));
        auto now = co_await self->store_->load_user_room(me.id);
        if (now && (!now->found || now->found->version != version))
            co_return;
    }
}

net::awaitable<void> computer::offer_rematch(std::shared_ptr<computer> self, user me)
{
    co_await self->lobby_->rematch(me);
}

net::awaitable<void> computer::leave(std::shared_ptr<computer> self, user me)
{
    co_await self->lobby_->leave_room(me);
}

net::awaitable<std::optional<user>> computer::free_account(computer_level level)
{
    auto self = shared_from_this();
    auto name = level_name(level);
    auto ids = accounts_.of_level(name);
    // From a random start, so that games starting together on several nodes
    // seldom reach for the same account.
    if (!ids.empty()) {
        std::size_t start;
        {
            std::lock_guard guard(mutex_);
            start = std::uniform_int_distribution<std::size_t>(0, ids.size() - 1)(random_);
        }
        std::ranges::rotate(ids, ids.begin() + static_cast<std::ptrdiff_t>(start));
    }
    for (auto id : ids) {
        auto in = co_await store_->load_user_room(id);
        if (!in)
            co_return std::nullopt;
        if (!in->found)
            co_return user{id, display_name(level)};
    }
    for (int attempt = 0; attempt < max_seat_attempts; ++attempt) {
        try {
            auto id = accounts_.add(name);
            std::lock_guard guard(mutex_);
            known_.insert(id);
            co_return user{id, display_name(level)};
        } catch (const database_error& e) {
            // Another node numbered one alike: count again.
            if (!e.unique_violation())
                throw;
        }
    }
    co_return std::nullopt;
}

net::awaitable<play_computer_reply> computer::play(user u, computer_level level)
{
    auto self = shared_from_this();
    auto created = co_await lobby_->create_room(u);
    if (!created.ok)
        co_return play_computer_reply{.error = created.error};
    auto code = created.code.value_or("");
    for (int attempt = 0; attempt < max_seat_attempts; ++attempt) {
        auto seat = co_await free_account(level);
        if (!seat)
            break;
        auto joined = co_await lobby_->join_room(*seat, code);
        if (joined.ok)
            co_return play_computer_reply{.ok = true, .code = code};
        // The account went to another game between the look and the join:
        // the next one. Anything else (the room went, the store is down) ends it.
        auto busy = co_await store_->load_user_room(seat->id);
        if (!busy || !busy->found)
            break;
    }
    co_await lobby_->leave_room(u);
    co_return play_computer_reply{.error = "The computer cannot play right now; try again in a moment."};
}

void register_computer_handlers(corio::server& io, std::shared_ptr<computer> computer)
{
    corio::typed_nsp<game_contract> typed(io.of("/"));
    // A level that is not one of the three never gets here: corio acks
    // {"error":"invalid arguments",...} for the typed parameter.
    typed.on<events::play_computer>(
        [computer](corio::context& ctx, computer_level level) { return computer->play(ctx.data<user>(), level); });
}

} // namespace corio_game
