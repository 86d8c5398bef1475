// corio-redis-emit: emits into the rooms of a Socket.IO cluster over Redis
// from the command line, with corio::redis::emitter. The example of an
// emitter in a process that is not a server (a cron job, a backend), and
// what the end-to-end tests use to reach Node socket.io nodes.
//
// Usage: corio-redis-emit --redis URL [--nsp /] [--to ROOM]... [--except ROOM]...
//                         (emit EVENT [JSON_ARG]... | join ROOM... | leave ROOM...
//                          | disconnect [close] | server-emit EVENT [JSON_ARG]...)
// Exits 0 once Redis took the message, 1 if it could not be published
// within 5 s.

#include <corio/redis/emitter.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

#include <chrono>
#include <iostream>
#include <string>
#include <vector>

namespace {

[[noreturn]] void usage(const std::string& problem)
{
    std::cerr << "corio-redis-emit: " << problem << "\n"
              << "usage: corio-redis-emit --redis URL [--nsp /] [--to ROOM]... [--except ROOM]...\n"
              << "         (emit EVENT [JSON_ARG]... | join ROOM... | leave ROOM...\n"
              << "          | disconnect [close] | server-emit EVENT [JSON_ARG]...)\n";
    std::exit(2);
}

corio::arguments json_arguments(const std::vector<std::string>& texts)
{
    corio::arguments args;
    for (const auto& t : texts) {
        boost::system::error_code ec;
        auto v = boost::json::parse(t, ec);
        if (ec)
            usage("not JSON: " + t);
        args.push_back(std::move(v));
    }
    return args;
}

} // namespace

int main(int argc, char** argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    std::string url, nsp = "/";
    std::vector<std::string> to, except;
    std::size_t i = 0;
    for (; i < args.size() && args[i].starts_with("--"); i += 2) {
        if (i + 1 >= args.size())
            usage("missing value for " + args[i]);
        if (args[i] == "--redis")
            url = args[i + 1];
        else if (args[i] == "--nsp")
            nsp = args[i + 1];
        else if (args[i] == "--to")
            to.push_back(args[i + 1]);
        else if (args[i] == "--except")
            except.push_back(args[i + 1]);
        else
            usage("unknown option " + args[i]);
    }
    if (url.empty() || i >= args.size())
        usage("--redis and a command are required");
    auto where = corio::redis::parse_url(url);
    if (!where)
        usage("bad Redis URL: " + url);
    const std::string command = args[i];
    const std::vector<std::string> rest(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());

    boost::asio::io_context ioc;
    auto conn = corio::redis::connection::create(ioc.get_executor(), {.where = *where});
    int status = 1;
    bool failed = false;
    corio::redis::emitter emitter(conn, {.on_error = [&](boost::system::error_code ec) {
                                      std::cerr << "corio-redis-emit: " << ec.message() << "\n";
                                      failed = true;
                                  }});
    emitter = emitter.of(nsp);
    for (auto& r : to)
        emitter = emitter.to(r);
    for (auto& r : except)
        emitter = emitter.except(r);

    try {
        if (command == "emit" && !rest.empty())
            emitter.emit_arguments(rest[0], json_arguments({rest.begin() + 1, rest.end()}));
        else if (command == "server-emit" && !rest.empty())
            emitter.server_side_emit_arguments(rest[0], json_arguments({rest.begin() + 1, rest.end()}));
        else if (command == "join" && !rest.empty())
            emitter.sockets_join(rest);
        else if (command == "leave" && !rest.empty())
            emitter.sockets_leave(rest);
        else if (command == "disconnect")
            emitter.disconnect_sockets(!rest.empty() && rest[0] == "close");
        else
            usage("bad command");
    } catch (const std::invalid_argument& e) {
        usage(e.what());
    }
    // The emitter sends in call order on its connection: once a PING sent
    // after the message is answered, Redis took the message.
    conn->exec({"PING"}, [&](boost::system::result<corio::redis::reply> r) {
        if (r && !failed)
            status = 0;
        conn->close();
    });
    conn->start();
    ioc.run_for(std::chrono::seconds(5));
    if (status != 0)
        std::cerr << "corio-redis-emit: Redis did not take the message within 5 s\n";
    return status;
}
