#pragma once
// What the game's events carry, as described structs: Corio converts them to
// and from JSON, and the generated TypeScript (events.d.ts, see
// play/contract.hpp) names each one in PascalCase (room_state: RoomState).
// An empty std::optional member is left out of the JSON (`name?: T`).

#include "rules/connect_four.hpp"
#include "rules/search.hpp"

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace corio_game {

BOOST_DESCRIBE_STRUCT(cell, (), (column, row))

enum class room_status {
    waiting, ///< a seat is free and no game was played yet
    playing,
    over,    ///< the last game ended; a rematch, or a new player 2, starts the next
};
BOOST_DESCRIBE_ENUM(room_status, waiting, playing, over)

std::string_view to_string(room_status s) noexcept;

/// A seated player's colour (disc without `none`).
enum class player_color { red, yellow };
BOOST_DESCRIBE_ENUM(player_color, red, yellow)

// ---------------------------------------------------------------------------
// Server to client.

/// A player whose connection dropped, and the seconds left to come back.
struct away_player {
    player_color color = player_color::red;
    std::string name;
    std::int64_t seconds = 0;
    friend bool operator==(const away_player&, const away_player&) = default;
};
BOOST_DESCRIBE_STRUCT(away_player, (), (color, name, seconds))

// Turn clock
/// A room's chess clock as of the `room` event: each player's time left, in
/// milliseconds; the running one counts down from the moment the page got it.
struct clock_state {
    /// Each player's time per game, in seconds.
    std::int64_t seconds = 0;
    std::int64_t red_ms = 0;
    std::int64_t yellow_ms = 0;
    /// Whose time runs (the player to move); left out while it stands still.
    std::optional<player_color> running;
    friend bool operator==(const clock_state&, const clock_state&) = default;
};
BOOST_DESCRIBE_STRUCT(clock_state, (), (seconds, red_ms, yellow_ms, running))

/// The `room` event: everything a player or spectator draws.
struct room_state {
    std::string code;
    room_status status = room_status::waiting;
    /// The players' names; left out for a free seat.
    std::optional<std::string> red;
    std::optional<std::string> yellow;
    std::vector<std::string> spectators;
    /// board[row][column], row 0 at the bottom: "red", "yellow" or "".
    std::vector<std::vector<std::string>> board;
    /// "red" or "yellow" while playing, else "".
    std::string turn;
    int moves = 0;
    /// The last disc played, once a game started.
    std::optional<cell> last;
    /// "red" or "yellow" once a game was won, else "".
    std::string winner;
    /// How the last game ended: "connect", "draw", "resign", "forfeit", "time", or "".
    std::string ending;
    /// The winning line.
    std::vector<cell> line;
    /// Who offered a rematch.
    std::vector<player_color> rematch;
    std::vector<away_player> away;
    /// The status line ("alice to play").
    std::string message;
    /// The columns (0 to 6) played in the current game, in order; red
    /// played first, then the colours alternate.
    std::vector<int> columns;
    /// The room's turn clock; left out when it has none.
    std::optional<clock_state> clock;
    friend bool operator==(const room_state&, const room_state&) = default;
};
BOOST_DESCRIBE_STRUCT(room_state, (),
                      (code, status, red, yellow, spectators, board, turn, moves, last, winner, ending, line, rematch,
                       away, message, columns, clock))

/// A line of the lobby's room list (the `rooms` event).
struct room_summary {
    std::string code;
    std::string host;
    /// waiting while a seat is free.
    room_status status = room_status::waiting;
    std::vector<std::string> players;
    /// How many watch.
    std::size_t spectators = 0;
    /// The turn clock's seconds per player; left out when the room has none.
    std::optional<std::int64_t> clock_seconds;
    friend bool operator==(const room_summary&, const room_summary&) = default;
};
BOOST_DESCRIBE_STRUCT(room_summary, (), (code, host, status, players, spectators, clock_seconds))

/// The `welcome` event: who the socket is signed in as.
struct greeting {
    std::string name;
};
BOOST_DESCRIBE_STRUCT(greeting, (), (name))

/// The `online` event: distinct users connected.
struct online_count {
    std::size_t players = 0;
};
BOOST_DESCRIBE_STRUCT(online_count, (), (players))

/// The `room_closed` event, to the spectators of a room whose players left.
struct room_closed_notice {
    std::string code;
    std::string message;
};
BOOST_DESCRIBE_STRUCT(room_closed_notice, (), (code, message))

/// A line of chat (the `chat` event), to every member of the room.
struct chat_message {
    std::string from;
    std::string text;
    /// Milliseconds since 1970 (Date's), on the server's clock.
    std::int64_t at = 0;
    /// Increases with every message kept (play/chat_log.hpp): a page
    /// orders by it and drops a message it has already; 0 when not kept.
    std::int64_t id = 0;
};
BOOST_DESCRIBE_STRUCT(chat_message, (), (from, text, at, id))

// History: the chat of a room, replayed (the `chat_log` event).

/// The last messages of room `code`, oldest first: after a connect, a
/// join or a watch, so a page shows the conversation it missed.
struct chat_history {
    std::string code;
    std::vector<chat_message> messages;
};
BOOST_DESCRIBE_STRUCT(chat_history, (), (code, messages))

// ---------------------------------------------------------------------------
// Client to server.

// Turn clock
/// How a new room plays (create_room, quick_match). Every member is optional:
/// `{}` is a room as it always was.
struct room_options {
    /// Each player's time for a game, in seconds (a chess clock: it runs on
    /// their turns only, and running out loses). Absent or 0: no clock.
    std::optional<std::int64_t> clock_seconds;
};
BOOST_DESCRIBE_STRUCT(room_options, (), (clock_seconds))

// ---------------------------------------------------------------------------
// Acks: `{"ok": true, ...}` on success, `{"error": sentence, ...}` otherwise.

/// The ack of move and chat: `{"ok": true}` or `{"error": sentence}`.
struct basic_reply {
    std::optional<bool> ok;
    std::optional<std::string> error;
};
BOOST_DESCRIBE_STRUCT(basic_reply, (), (ok, error))

struct create_room_reply {
    std::optional<bool> ok;
    std::optional<std::string> error;
    /// The new room's code, and its status line.
    std::optional<std::string> code;
    std::optional<std::string> message;
};
BOOST_DESCRIBE_STRUCT(create_room_reply, (), (ok, error, code, message))

struct join_room_reply {
    std::optional<bool> ok;
    std::optional<std::string> error;
    std::optional<std::string> code;
    /// true when the error is that both seats are taken (the page offers to watch).
    std::optional<bool> full;
};
BOOST_DESCRIBE_STRUCT(join_room_reply, (), (ok, error, code, full))

struct watch_room_reply {
    std::optional<bool> ok;
    std::optional<std::string> error;
    std::optional<std::string> code;
};
BOOST_DESCRIBE_STRUCT(watch_room_reply, (), (ok, error, code))

struct leave_room_reply {
    std::optional<bool> ok;
    std::optional<std::string> error;
    /// The store's version at the departure: a `room` state older than it is stale.
    std::optional<std::uint64_t> version;
};
BOOST_DESCRIBE_STRUCT(leave_room_reply, (), (ok, error, version))

struct rematch_reply {
    std::optional<bool> ok;
    std::optional<std::string> error;
    /// Both players asked: the next game started.
    std::optional<bool> started;
};
BOOST_DESCRIBE_STRUCT(rematch_reply, (), (ok, error, started))

// Quick match
struct quick_match_reply {
    std::optional<bool> ok;
    std::optional<std::string> error;
    /// Paired at once: the new room's code (both players get `room`).
    std::optional<std::string> code;
    /// Nobody was waiting: the sender waits in the queue until someone
    /// asks (then `room` comes), cancels, or disconnects.
    std::optional<bool> queued;
};
BOOST_DESCRIBE_STRUCT(quick_match_reply, (), (ok, error, code, queued))

// ---------------------------------------------------------------------------
// Playing the computer (play/computer.hpp).

/// "easy", "medium" or "hard" on the wire (rules/search.hpp).
BOOST_DESCRIBE_ENUM(computer_level, easy, medium, hard)

struct play_computer_reply {
    std::optional<bool> ok;
    std::optional<std::string> error;
    /// The new room, with the player in red and the computer in yellow.
    std::optional<std::string> code;
};
BOOST_DESCRIBE_STRUCT(play_computer_reply, (), (ok, error, code))

} // namespace corio_game
