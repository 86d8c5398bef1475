// The conformance app (../shared/specs/conformance-app.md): the endpoints the
// official Engine.IO and Socket.IO test suites and the real-client checks
// drive. Usage: corio_conformance [--host localhost] [--port 3000] [--threads N]

#include "engine_echo.hpp"

#include <corio/engine/listener.hpp>
#include <corio/engine/server.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

struct command_line {
    std::string host = "localhost";
    std::uint16_t port = 3000;
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());
};

[[noreturn]] void usage(std::string_view problem)
{
    std::cerr << "corio_conformance: " << problem << "\n"
              << "usage: corio_conformance [--host ADDR] [--port N] [--threads N]\n";
    std::exit(2);
}

template <class T>
T parse_number(std::string_view text, std::string_view what)
{
    T value{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size())
        usage(std::string("bad ") + std::string(what) + ": " + std::string(text));
    return value;
}

command_line parse(int argc, char** argv)
{
    command_line cl;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (i + 1 >= argc)
            usage("missing value for " + std::string(arg));
        std::string_view value = argv[++i];
        if (arg == "--host")
            cl.host = value;
        else if (arg == "--port")
            cl.port = parse_number<std::uint16_t>(value, "port");
        else if (arg == "--threads")
            cl.threads = std::max(1u, parse_number<unsigned>(value, "thread count"));
        else
            usage("unknown option " + std::string(arg));
    }
    return cl;
}

corio::engine::options engine_suite_options()
{
    corio::engine::options o;
    o.path = "/engine.io/";
    o.ping_interval = std::chrono::milliseconds(300);
    o.ping_timeout = std::chrono::milliseconds(200);
    o.limits.max_payload = 1'000'000;
    return o;
}

} // namespace

int main(int argc, char** argv)
{
    auto cl = parse(argc, argv);
    boost::asio::io_context ioc(static_cast<int>(cl.threads));

    conformance::engine_echo echo;
    corio::engine::server engine_endpoint(ioc.get_executor(), engine_suite_options(), echo);

    corio::engine::listener listener(ioc);
    listener.add(engine_endpoint);
    try {
        listener.listen(cl.host, cl.port);
    } catch (const std::exception& e) {
        std::cerr << "corio_conformance: cannot listen on " << cl.host << ":" << cl.port << ": " << e.what() << "\n";
        return 1;
    }

    boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](auto, int) {
        listener.stop();
        engine_endpoint.close_all();
        ioc.stop();
    });

    std::cout << "listening on " << cl.host << ":" << listener.port() << std::endl;

    std::vector<std::thread> threads;
    for (unsigned i = 1; i < cl.threads; ++i)
        threads.emplace_back([&] { ioc.run(); });
    ioc.run();
    for (auto& t : threads)
        t.join();
}
