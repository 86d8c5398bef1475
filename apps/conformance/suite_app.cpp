#include "suite_app.hpp"

namespace conformance {

void setup_suite_app(corio::server& io)
{
    io.of("/")
        .on_connect([](corio::context& ctx) { ctx.emit("auth", ctx.handshake().auth); })
        .on("message", [](corio::context& ctx, corio::arguments args) { ctx.emit("message-back", std::move(args)); })
        .on("message-with-ack", [](corio::context&, corio::arguments args) { return args; });
    io.of("/custom").on_connect([](corio::context& ctx) { ctx.emit("auth", ctx.handshake().auth); });
}

} // namespace conformance
