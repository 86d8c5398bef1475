#pragma once
// Background work of the lobby and the computer player: a coroutine started
// detached, whose exception is logged rather than lost.

#include <corio/log.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <string_view>

namespace corio_game {

/// Starts `task` on `ex`. If it ends with an exception, `log` gets an error
/// record saying `what` (a string literal: the record outlives the call).
void spawn_logged(boost::asio::any_io_executor ex, boost::asio::awaitable<void> task, corio::logger log,
                  std::string_view what);

} // namespace corio_game
