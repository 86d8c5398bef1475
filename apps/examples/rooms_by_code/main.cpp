// rooms_by_code: the lobby of a two-player game, served at
// http://localhost:8080/socket.io/ (see lobby.hpp and docs/guide.md).
// Usage: rooms_by_code [--host localhost] [--port 8080] [--threads N]

#include "lobby.hpp"

#include <corio/engine/listener.hpp>
#include <corio/serve.hpp>
#include <corio/server.hpp>

#include <boost/asio/io_context.hpp>
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
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());
};

[[noreturn]] void usage(std::string_view problem)
{
    std::cerr << "rooms_by_code: " << problem << "\n"
              << "usage: rooms_by_code [--host ADDR] [--port N] [--threads N]\n";
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
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string_view option = argv[i], value = argv[i + 1];
        if (option == "--host")
            cl.host = value;
        else if (option == "--port")
            cl.port = parse_number<std::uint16_t>(value);
        else if (option == "--threads")
            cl.threads = std::max(1u, parse_number<unsigned>(value));
        else
            usage("unknown option " + std::string(option));
    }
    if (argc % 2 == 0)
        usage("missing value for " + std::string(argv[argc - 1]));
    return cl;
}

} // namespace

int main(int argc, char** argv)
{
    auto cl = parse(argc, argv);

    // The server's io_context: serve runs it on this thread, and each further
    // thread runs one of its own. Each client's handlers run on that client's
    // strand, on one thread; different clients' run in parallel.
    net::io_context ioc(static_cast<int>(cl.threads));

    corio::server_options options;
    options.engine.cors.allowed_origins = {"*"}; // a page served from anywhere may play
    corio::server io(ioc.get_executor(), options);
    rooms_by_code::setup_lobby(io, std::make_shared<rooms_by_code::room_table>());

    corio::engine::listener listener(ioc);
    listener.add(io.engine());

    // Serves until Ctrl-C, then shuts down gracefully (section 19 of the guide).
    try {
        corio::serve(ioc, listener, io,
                     {.host = cl.host,
                      .port = cl.port,
                      .threads = cl.threads,
                      .drain_deadline = 5s,
                      .on_listening = [&cl](std::uint16_t port) {
                          std::cout << "rooms_by_code: http://" << cl.host << ":" << port << "/socket.io/" << std::endl;
                      }});
    } catch (const boost::system::system_error& e) {
        std::cerr << "rooms_by_code: " << e.what() << "\n"; // "cannot listen on localhost:8080: ..."
        return 1;
    }
}
