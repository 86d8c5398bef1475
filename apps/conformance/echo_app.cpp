#include "echo_app.hpp"

#include <corio/dsl.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace conformance {

namespace net = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

bool auth_token_is(const corio::context& ctx, std::string_view token)
{
    auto it = ctx.handshake().auth.find("token");
    return it != ctx.handshake().auth.end() && it->value().is_string() && it->value().get_string() == token;
}

void setup_echo_namespace(corio::nsp ns)
{
    ns.on("echo", [](corio::context&, corio::arguments args) { return args; });
}

} // namespace

void setup_echo_app(corio::server& io, restart_hook restart)
{
    auto root = io.of("/");
    // As in socket.io, an `ask` waiting for its answer must not hold up the
    // socket's other events. Every other handler finishes without waiting,
    // so replies still leave in arrival order.
    root.concurrent_handlers(true);
    root.on_connect([](corio::context& ctx) {
        if (auth_token_is(ctx, "bad"))
            return corio::refuse("unauthorized");
        ctx.emit("welcome", json::object{{"sid", ctx.id()}});
        return corio::accept();
    });
    setup_echo_namespace(root);
    root.on("join", [](corio::context& ctx, std::string room) {
        ctx.join(std::move(room));
        return true;
    });
    root.on("leave", [](corio::context& ctx, std::string room) {
        ctx.leave(room);
        return true;
    });
    root.on("to_room", [](corio::context& ctx, std::string room, std::string event, corio::arguments args) {
        ctx.to(std::move(room)).emit(event, std::move(args));
        return true;
    });
    root.on("rooms", [](corio::context& ctx) { return ctx.rooms(); });
    root.on("disconnect_me", [](corio::context& ctx) { ctx.disconnect(); });
    CORIO_ON(root, "ask")([](corio::context& ctx, corio::arguments args) -> net::awaitable<corio::arguments> {
        auto answer = co_await ctx.emit_with_ack_arguments(5s, "question", std::move(args));
        if (!answer)
            co_return corio::arguments::of(json::object{{"error", "timeout"}});
        if (answer->empty())
            co_return corio::arguments::of(nullptr);
        // The first argument, with the attachments it may refer to.
        co_return corio::arguments(json::array{answer->values().front()}, std::move(answer->attachments()));
    });

    auto admin = io.of("/admin");
    admin.on_connect([](corio::context& ctx) {
        auto& auth = ctx.handshake().auth;
        return auth.size() == 1 && auth_token_is(ctx, "secret") ? corio::accept() : corio::refuse("unauthorized");
    });
    admin.on("count", [root](corio::context&) { return root.socket_count(); });
    admin.on("rooms", [root](corio::context&) { return root.rooms(); });
    admin.on("restart", [restart](corio::context&, std::optional<std::int64_t> down_ms) -> net::awaitable<bool> {
        auto down = std::chrono::milliseconds(std::max<std::int64_t>(0, down_ms.value_or(500)));
        // Acknowledge first; the crash comes ~50 ms later.
        auto ex = co_await net::this_coro::executor;
        auto timer = std::make_shared<net::steady_timer>(ex, 50ms);
        timer->async_wait([timer, restart, down](boost::system::error_code) { restart(down); });
        co_return true;
    });

    io.of_dynamic([](std::string_view name) { return name.starts_with("/dyn-") && name.size() > 5; },
                  setup_echo_namespace);
}

} // namespace conformance
