// corio-game: the sample game server. Accounts, a lobby with rooms by code,
// and Connect Four in the browser (docs/game.md).
// Usage: corio-game [--host localhost] [--port 8080] [--db game.db] [--threads N]
//                   [--web-root DIR] [--password-cost interactive|minimal]
//                   [--reconnect-grace SECONDS] [--secure-cookies yes|no]

#include "http/api.hpp"
#include "http/rate_limiter.hpp"
#include "play/handlers.hpp"
#include "play/lobby.hpp"
#include "play/memory_room_store.hpp"
#include "store/accounts.hpp"
#include "store/database.hpp"
#include "store/results.hpp"

#include <corio/engine/listener.hpp>
#include <corio/serve.hpp>
#include <corio/server.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>

namespace net = boost::asio;
using namespace std::chrono_literals;

namespace {

struct command_line {
    std::string host = "localhost";
    std::uint16_t port = 8080;
    std::string db = "game.db";
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    std::string web_root;
    corio_game::password_cost cost = corio_game::password_cost::interactive;
    std::chrono::seconds reconnect_grace{30};
    bool secure_cookies = false;
};

[[noreturn]] void usage(std::string_view problem)
{
    std::cerr << "corio-game: " << problem << "\n"
              << "usage: corio-game [--host ADDR] [--port N] [--db FILE] [--threads N] [--web-root DIR]\n"
              << "                  [--password-cost interactive|minimal] [--reconnect-grace SECONDS]\n"
              << "                  [--secure-cookies yes|no]\n";
    std::exit(2);
}

template <class T> T parse_number(std::string_view text)
{
    T value{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size())
        usage("not a number: " + std::string(text));
    return value;
}

command_line parse(int argc, char** argv)
{
    command_line cl;
    if (argc % 2 == 0)
        usage("missing value for " + std::string(argv[argc - 1]));
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string_view option = argv[i], value = argv[i + 1];
        if (option == "--host")
            cl.host = value;
        else if (option == "--port")
            cl.port = parse_number<std::uint16_t>(value);
        else if (option == "--db")
            cl.db = value;
        else if (option == "--threads")
            cl.threads = std::max(1u, parse_number<unsigned>(value));
        else if (option == "--web-root")
            cl.web_root = value;
        else if (option == "--password-cost" && (value == "interactive" || value == "minimal"))
            cl.cost = value == "minimal" ? corio_game::password_cost::minimal : corio_game::password_cost::interactive;
        else if (option == "--reconnect-grace")
            cl.reconnect_grace = std::chrono::seconds(parse_number<unsigned>(value));
        else if (option == "--secure-cookies" && (value == "yes" || value == "no"))
            cl.secure_cookies = value == "yes";
        else
            usage("unknown option or value: " + std::string(option) + " " + std::string(value));
    }
    return cl;
}

} // namespace

int main(int argc, char** argv)
{
    auto cl = parse(argc, argv);

    std::optional<corio_game::database> db;
    try {
        db.emplace(cl.db);
    } catch (const std::exception& e) {
        std::cerr << "corio-game: cannot open the database " << cl.db << ": " << e.what() << "\n";
        return 1;
    }
    corio_game::accounts accounts(*db, cl.cost);
    corio_game::results results(*db);
    corio_game::rate_limiter limiter;

    net::io_context ioc(static_cast<int>(cl.threads));
    // Argon2id takes tens of milliseconds and 64 MiB per hash: it runs here,
    // never on the threads that serve sockets.
    net::thread_pool hashing(2);

    corio::server io(ioc.get_executor());
    auto game_clock = corio_game::make_steady_clock(ioc.get_executor());
    auto store = std::make_shared<corio_game::memory_room_store>(*game_clock);
    auto lobby = std::make_shared<corio_game::lobby>(io.of("/"), store, results, *game_clock, ioc.get_executor(),
                                                     corio_game::lobby_options{.reconnect_grace = cl.reconnect_grace});
    corio_game::register_game_handlers(io, accounts, lobby);
    lobby->start();

    corio_game::http_api api(accounts, results, limiter, hashing.get_executor(),
                             {.web_root = cl.web_root,
                              .secure_cookies = cl.secure_cookies,
                              .on_logout = [lobby](const corio_game::user& u) { lobby->disconnect_user(u.id); }});

    corio::engine::listener listener(ioc);
    listener.add(io.engine());
    listener.set_async_fallback([&api](corio::engine::http_request req, std::string remote) {
        return api.handle(std::move(req), std::move(remote));
    });

    // Until Ctrl-C; then running handlers get 5 s to finish, everyone is
    // disconnected with "server shutting down", and serve returns.
    try {
        corio::serve(ioc, listener, io,
                     {.host = cl.host,
                      .port = cl.port,
                      .threads = cl.threads,
                      .drain_deadline = 5s,
                      .on_listening = [&cl](std::uint16_t port) {
                          std::cout << "corio-game: listening on http://" << cl.host << ":" << port << "/" << std::endl;
                      }});
    } catch (const boost::system::system_error& e) {
        std::cerr << "corio-game: " << e.what() << "\n";
        return 1;
    }
    lobby->stop();
    hashing.join();
}
