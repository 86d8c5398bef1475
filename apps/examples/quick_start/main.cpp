#include <corio/app.hpp>

#include <random>
#include <string>

int main(int argc, char** argv)
{
    corio::app app; // http://localhost:8080/socket.io/, one thread per core
    auto lobby = app.io().of("/");
    lobby.on("create_room", [](corio::context& ctx) { // acks with the room's code
        thread_local std::mt19937 rng{std::random_device{}()};
        std::string code;
        while (code.size() < 4)
            code += "ABCDEFGHJKMNPQRSTUVWXYZ23456789"[rng() % 31];
        ctx.join(code);
        return code;
    });
    lobby.on("join_room", [&app](corio::context& ctx, std::string code) {
        ctx.join(code);
        app.io().to(code).emit("new_game", code);
    });
    return app.run(argc, argv); // Ctrl-C or SIGTERM: a graceful shutdown
}
