// The lobby's quick match and the choice of a turn clock (play/lobby.hpp).
// The queue is the room store's (room_store::match), so players on
// different nodes are paired as if on one.

#include "play/lobby.hpp"

#include "play/contract.hpp"
#include "play/lobby_replies.hpp"

// g++ 12 flags the frames of some coroutines with -Wmismatched-new-delete
// (see lobby.cpp): a false positive.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace corio_game {

namespace net = boost::asio;

namespace {

// A pairing that keeps losing (the peer entered a room meanwhile, a code
// was taken) gives up after this many tries; the player may ask again.
constexpr int max_match_attempts = 8;

using namespace lobby_replies;

/// "90 seconds", "1 minute", "5 minutes".
std::string span_text(std::chrono::seconds s)
{
    auto n = s.count();
    if (n % 60 == 0)
        return std::to_string(n / 60) + (n == 60 ? " minute" : " minutes");
    return std::to_string(n) + (n == 1 ? " second" : " seconds");
}

} // namespace

std::variant<std::optional<clock::duration>, std::string> lobby::clock_choice(
    const std::optional<room_options>& options) const
{
    if (!options || !options->clock_seconds || *options->clock_seconds == 0)
        return std::optional<clock::duration>();
    auto seconds = *options->clock_seconds;
    if (seconds < opts_.clock_min.count() || seconds > opts_.clock_max.count())
        return "A clock gives each player from " + span_text(opts_.clock_min) + " to " + span_text(opts_.clock_max) +
               ", or 0 for no clock.";
    return std::optional<clock::duration>(std::chrono::seconds(seconds));
}

net::awaitable<quick_match_reply> lobby::quick_match(user u, std::optional<room_options> options)
{
    auto self = shared_from_this();
    auto choice = clock_choice(options);
    if (auto* why = std::get_if<std::string>(&choice))
        co_return failure(std::move(*why));
    auto per_player = std::get<std::optional<clock::duration>>(choice);
    // Players wait with those who want the same clock.
    auto pool = per_player ? std::to_string(std::chrono::duration_cast<std::chrono::seconds>(*per_player).count())
                           : std::string("none");

    for (int attempt = 0; attempt < max_match_attempts; ++attempt) {
        auto mine = co_await store_->load_user_room(u.id);
        if (!mine)
            co_return unavailable();
        if (mine->found)
            co_return already_in(mine->found->value.code());
        // Built first: g++ 12 miscompiles a braced temporary inside a co_await expression.
        match_ticket me{u.id, u.name};
        auto peer = co_await store_->match(pool, std::move(me));
        if (!peer) {
            warn("cannot reach the quick match queue", peer.error());
            co_return unavailable();
        }
        if (!*peer)
            co_return quick_match_reply{.ok = true, .queued = true};

        // The one who waited longer plays red, and so moves first.
        auto host = std::move(**peer);
        room r(random_code(), seat{host.user_id, host.name}, per_player);
        r.take_seat(seat{u.id, u.name}, mine->now);
        // As in create_room: an earlier room's chat under this code is not this one's.
        auto forgot = co_await forget_chat(r.code());
        if (forgot) {
            warn("cannot clear the chat of a new room", forgot);
            co_return unavailable();
        }
        room_change change{.code = r.code(),
                           .expected = 0,
                           .next = r,
                           .enter = {host.user_id, u.id},
                           .max_rooms = opts_.max_rooms,
                           .want_list = true};
        auto done = co_await store_->commit(std::move(change));
        if (!done)
            co_return unavailable();
        if (done->status == commit_status::too_many_rooms)
            co_return failure("Too many rooms are open; try again later.");
        // conflict: the code was taken; user_busy: the peer (or another tab
        // of ours) entered a room meanwhile. The peer is out of the queue
        // either way; read again and pair with the next one.
        if (done->status != commit_status::done)
            continue;
        publish_room(r, done->version, mine->now);
        wake_for(r, mine->now);
        if (done->list)
            publish_rooms(*done->list);
        co_return quick_match_reply{.ok = true, .code = r.code()};
    }
    co_return failure("Quick match is busy; try again.");
}

net::awaitable<basic_reply> lobby::cancel_match(user u)
{
    auto self = shared_from_this();
    auto was = co_await store_->cancel_match(u.id);
    if (!was)
        co_return unavailable();
    if (!*was)
        co_return failure("You are not waiting for a quick match.");
    co_return ok();
}

} // namespace corio_game
