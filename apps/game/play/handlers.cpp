#include "play/handlers.hpp"

#include "http/same_origin.hpp"
#include "play/contract.hpp"

#include <corio/typed_nsp.hpp>

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

    // The events of the contract (play/contract.hpp): the compiler checks
    // each handler's parameters and result against the event's.
    corio::typed_nsp<game_contract> typed(game);

    typed.on<events::create_room>([lobby](corio::context& ctx, std::optional<room_options> options) {
        return lobby->create_room(player(ctx), std::move(options));
    });

    typed.on<events::join_room>([lobby](corio::context& ctx, std::string code) {
        return lobby->join_room(player(ctx), std::move(code));
    });

    typed.on<events::watch_room>([lobby](corio::context& ctx, std::string code) {
        return lobby->watch_room(player(ctx), std::move(code));
    });

    typed.on<events::leave_room>([lobby](corio::context& ctx) { return lobby->leave_room(player(ctx)); });

    // A column that is not an integer never gets here: the typed parameter
    // makes corio ack {"error":"invalid arguments",...} instead.
    typed.on<events::move>([lobby](corio::context& ctx, int column) { return lobby->move(player(ctx), column); });

    typed.on<events::rematch>([lobby](corio::context& ctx) { return lobby->rematch(player(ctx)); });

    typed.on<events::send_chat>([lobby](corio::context& ctx, std::string text) {
        return lobby->chat(player(ctx), std::move(text));
    });

    // Quick match
    typed.on<events::quick_match>([lobby](corio::context& ctx, std::optional<room_options> options) {
        return lobby->quick_match(player(ctx), std::move(options));
    });
    typed.on<events::cancel_match>([lobby](corio::context& ctx) { return lobby->cancel_match(player(ctx)); });
}

} // namespace corio_game
