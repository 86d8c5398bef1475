#include "play/spawn_logged.hpp"

#include <boost/asio/co_spawn.hpp>

#include <exception>
#include <utility>

namespace corio_game {

void spawn_logged(boost::asio::any_io_executor ex, boost::asio::awaitable<void> task, corio::logger log,
                  std::string_view what)
{
    boost::asio::co_spawn(std::move(ex), std::move(task), [log = std::move(log), what](std::exception_ptr e) {
        if (!e)
            return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& x) {
            log({.level = corio::log_level::error, .message = what, .error = x.what()});
        } catch (...) {
            log({.level = corio::log_level::error, .message = what});
        }
    });
}

} // namespace corio_game
