#include "play/handlers.hpp"

#include "http/same_origin.hpp"

#include <corio/dsl.hpp>

namespace corio_game {

namespace json = boost::json;

namespace {

/// The signed-in user of a socket, set by the connect middleware. A copy:
/// the lobby's coroutines take their parameters by value.
user player(const corio::context& ctx) { return ctx.data<user>(); }

} // namespace

void register_game_handlers(corio::server& io, accounts& accounts, std::shared_ptr<lobby> lobby)
{
    auto game = io.of("/");

    // Runs before the connect handler; a refusal ends the connect there.
    game.use([&accounts](corio::context& ctx) {
        // Browsers apply no CORS to WebSocket handshakes: a page of another
        // origin on the same site (which SameSite lets the cookie reach)
        // would otherwise play as the user.
        if (!same_origin(ctx.handshake().header("origin"), ctx.handshake().header("host")))
            return corio::refuse("cross-origin");
        auto token = ctx.handshake().cookie(session_cookie_name);
        auto signed_in = token ? accounts.user_for_session(*token) : std::nullopt;
        if (!signed_in)
            return corio::refuse("unauthorized");
        // Other nodes see who a socket is (fetch_sockets); nothing reads it
        // back, it is for looking at a cluster.
        ctx.set_shared_data(json::object{{"user_id", signed_in->id}, {"name", signed_in->name}});
        ctx.data<user>() = std::move(*signed_in);
        return corio::accept();
    });

    // Each lobby operation is a coroutine (it waits on the room store); the
    // handlers return it, and its result is the ack.
    game.on_connect([lobby](corio::context& ctx) { return lobby->connected(ctx, player(ctx)); });
    game.on_disconnect([lobby](corio::context& ctx) { return lobby->disconnected(ctx, player(ctx)); });

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
