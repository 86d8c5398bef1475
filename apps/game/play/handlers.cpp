#include "play/handlers.hpp"

#include <corio/dsl.hpp>

namespace corio_game {

namespace json = boost::json;

namespace {

/// The signed-in user of a socket, set by the connect middleware.
const user& player(const corio::context& ctx) { return ctx.data<user>(); }

} // namespace

void register_game_handlers(corio::server& io, accounts& accounts, std::shared_ptr<lobby> lobby)
{
    auto game = io.of("/");

    // Runs before the connect handler; a refusal ends the connect there.
    game.use([&accounts](corio::context& ctx) {
        auto token = ctx.handshake().cookie(session_cookie_name);
        auto signed_in = token ? accounts.user_for_session(*token) : std::nullopt;
        if (!signed_in)
            return corio::refuse("unauthorized");
        ctx.data<user>() = std::move(*signed_in);
        return corio::accept();
    });

    game.on_connect([lobby](corio::context& ctx) { lobby->connected(ctx, player(ctx)); });
    game.on_disconnect([lobby](corio::context& ctx) { lobby->disconnected(ctx, player(ctx)); });

    CORIO_ON(game, "create_room")([lobby](corio::context& ctx) { return lobby->create_room(player(ctx)); });

    CORIO_ON(game, "join_room")([lobby](corio::context& ctx, std::string code) {
        return lobby->join_room(player(ctx), std::move(code));
    });

    CORIO_ON(game, "watch_room")([lobby](corio::context& ctx, std::string code) {
        return lobby->watch_room(player(ctx), std::move(code));
    });

    CORIO_ON(game, "leave_room")([lobby](corio::context& ctx) { return lobby->leave_room(player(ctx)); });

    // A column that is not an integer never gets here: the typed parameter
    // makes corio ack {"error":"invalid arguments",...} instead.
    CORIO_ON(game, "move")([lobby](corio::context& ctx, int column) { return lobby->move(player(ctx), column); });

    CORIO_ON(game, "rematch")([lobby](corio::context& ctx) { return lobby->rematch(player(ctx)); });

    CORIO_ON(game, "chat")([lobby](corio::context& ctx, std::string text) {
        return lobby->chat(player(ctx), std::move(text));
    });
}

} // namespace corio_game
