#pragma once
// The game's Socket.IO side: who may connect, and which lobby operation each
// event runs. docs/game.md walks through it handler by handler.

#include "play/lobby.hpp"
#include "store/accounts.hpp"

#include <corio/server.hpp>

#include <memory>

namespace corio_game {

/// Registers the game's handlers on `io`'s namespace "/":
/// - connect: the handshake's session cookie must name a live login session,
///   else the client gets connect_error `{"message":"unauthorized"}`;
/// - create_room(options?), join_room(code), watch_room(code), leave_room(),
///   move(column), rematch(), chat(text), quick_match(options?),
///   cancel_match(): each acks `{"ok":true,...}` or
///   `{"error": sentence}` (see lobby), as play/contract.hpp declares;
/// - disconnect: the lobby starts the player's reconnect grace.
/// `accounts` must outlive `io`.
void register_game_handlers(corio::server& io, accounts& accounts, std::shared_ptr<lobby> lobby);

} // namespace corio_game
