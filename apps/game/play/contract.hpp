#pragma once
// The game's namespace "/" as a contract (corio/contract.hpp): every event
// the page sends and every event the server emits, with their payloads
// (play/payloads.hpp). play/handlers.cpp registers its handlers through it
// and the lobby emits through it, so the compiler holds both to it; the
// front end (web/app.js) is type-checked against the TypeScript generated
// from it (events.d.ts, docs/game.md), so a change here that the page does
// not follow breaks the build.

#include "play/payloads.hpp"

#include <corio/contract.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace corio_game::events {

// ---------------------------------------------------------------------------
// The page to the server. Each acks once its change is made (or refused).

/// A new room, with the sender in the red seat; `options` (which may be
/// left out) chooses a turn clock.
struct create_room
    : corio::client_to_server<"create_room", corio::ack<create_room_reply>(std::optional<room_options>)> {
    static constexpr std::array parameter_names{"options"};
};
/// The free seat of the room `code`.
struct join_room : corio::client_to_server<"join_room", corio::ack<join_room_reply>(std::string)> {
    static constexpr std::array parameter_names{"code"};
};
/// Watches the room `code`.
struct watch_room : corio::client_to_server<"watch_room", corio::ack<watch_room_reply>(std::string)> {
    static constexpr std::array parameter_names{"code"};
};
/// Leaves the sender's room (a player during a game resigns).
struct leave_room : corio::client_to_server<"leave_room", corio::ack<leave_room_reply>()> {};
/// Drops a disc into `column` (0 to 6).
struct move : corio::client_to_server<"move", corio::ack<basic_reply>(int)> {
    static constexpr std::array parameter_names{"column"};
};
/// Offers (or accepts) a rematch once a game is over.
struct rematch : corio::client_to_server<"rematch", corio::ack<rematch_reply>()> {};
/// Says `text` to the sender's room.
struct send_chat : corio::client_to_server<"chat", corio::ack<basic_reply>(std::string)> {
    static constexpr std::array parameter_names{"text"};
};

// Quick match
/// Pairs the sender with the player who has waited longest for the same
/// `options` (a turn clock), or has them wait for the next one.
struct quick_match
    : corio::client_to_server<"quick_match", corio::ack<quick_match_reply>(std::optional<room_options>)> {
    static constexpr std::array parameter_names{"options"};
};
/// The sender stops waiting for a quick match.
struct cancel_match : corio::client_to_server<"cancel_match", corio::ack<basic_reply>()> {};

// ---------------------------------------------------------------------------
// The server to the page. `version` is the store's sequence number at the
// change: across nodes two changes may arrive out of order, and the page
// keeps the newest of each kind (room and room_closed count as one).

/// After a connect: who the socket is signed in as.
struct welcome : corio::server_to_client<"welcome", void(greeting)> {
    static constexpr std::array parameter_names{"user"};
};
/// How many users are online, after one came or went.
struct online : corio::server_to_client<"online", void(online_count, std::uint64_t)> {
    static constexpr std::array parameter_names{"count", "version"};
};
/// The lobby's list of rooms, open rooms first.
struct rooms : corio::server_to_client<"rooms", void(std::vector<room_summary>, std::uint64_t)> {
    static constexpr std::array parameter_names{"rooms", "version"};
};
/// The room the user plays or watches in, after every change.
struct room : corio::server_to_client<"room", void(room_state, std::uint64_t)> {
    static constexpr std::array parameter_names{"room", "version"};
};
/// To the spectators of a room that closed (its players left).
struct room_closed : corio::server_to_client<"room_closed", void(room_closed_notice, std::uint64_t)> {
    static constexpr std::array parameter_names{"notice", "version"};
};
/// A line of chat in the user's room.
struct chat : corio::server_to_client<"chat", void(chat_message)> {
    static constexpr std::array parameter_names{"message"};
};

// History: the room's recent chat, replayed.

/// The last messages of the user's room, after a connect, a join or a watch.
struct chat_log : corio::server_to_client<"chat_log", void(chat_history)> {
    static constexpr std::array parameter_names{"history"};
};

// ---------------------------------------------------------------------------
// Playing the computer (play/computer.hpp).

/// A new room against the computer at `level`, the sender in red (first).
struct play_computer : corio::client_to_server<"play_computer", corio::ack<play_computer_reply>(computer_level)> {
    static constexpr std::array parameter_names{"level"};
};

} // namespace corio_game::events

namespace corio_game {

/// Every event of the namespace "/".
using game_contract =
    corio::contract<events::create_room, events::join_room, events::watch_room, events::leave_room, events::move,
                    events::rematch, events::send_chat, events::welcome, events::online, events::rooms, events::room,
                    events::room_closed, events::chat, events::chat_log, events::quick_match,
                    events::cancel_match, events::play_computer>;

} // namespace corio_game
