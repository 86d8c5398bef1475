// The ceiling (issue 16): what a minimal server on Corio's own stack (Asio, plus Beast's
// SHA-1 for the handshake) does with the bench app's traffic, written as a competitor would
// write it for speed, so that bench/run can show how close Corio comes to the stack's limit.
//
// It speaks just enough of the wire for corio_loadgen's connect, echo, churn and fanout: the
// WebSocket upgrade of `GET /socket.io/?EIO=4&transport=websocket`, Engine.IO's open packet and
// heartbeat, `40` → `40{"sid":…}`, and the events of ../shared/specs/bench-app.md sliced by hand
// (no JSON parser): `42<id>["echo",…]` → `43<id>[…]`, `42<id>["join","bench"]` → `43<id>[true]`,
// `42<id>["bcast",P]` → `42["bcast",P]` to room "bench", then `43<id>[true]`. No polling, no
// other namespace, no binary packets, no Socket.IO semantics beyond these.
//
// How it is fast: one io_context per thread, with no locking when there is one thread; plain
// completion handlers, no coroutine frame; per connection one pending read into a small
// buffer of its own, where the bench's messages are handled as they lie (a larger read goes on
// in a buffer its worker shares); a read's answers collected and written in one non-blocking
// write, with no wait unless the socket would not take them; a broadcast frame built once; the
// writes of a round (the handlers ready at once) sent in one system call through io_uring, as
// Corio's are; no heap allocation per message, and per connection heap memory only for a
// partial frame or what the kernel would not take yet.
//
// Usage: corio_ceiling [--port N] [--threads N] [--batch-writes 0|1]
//        (or PORT / THREADS in the environment; defaults 3000, 1 and 1)
// Prints "listening on 127.0.0.1:PORT" once it accepts connections. SIGINT or SIGTERM ends it
// at once.

#include "listener.hpp"
#include "options.hpp"
#include "worker.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

struct command_line {
    std::uint16_t port = 3000;
    unsigned threads = 1;
    bool batch_writes = true;
};

[[noreturn]] void usage(std::string_view problem)
{
    std::cerr << "corio_ceiling: " << problem << "\n"
              << "usage: corio_ceiling [--port N] [--threads N] [--batch-writes 0|1]\n"
              << "       (or PORT / THREADS in the environment)\n";
    std::exit(2);
}

template <class T> T parse_number(std::string_view text, std::string_view what)
{
    T value{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size())
        usage(std::string("bad ") + std::string(what) + ": " + std::string(text));
    return value;
}

// The environment first, so that a command-line option overrides it.
command_line parse(int argc, char** argv)
{
    command_line cl;
    if (const char* port = std::getenv("PORT"); port && *port)
        cl.port = parse_number<std::uint16_t>(port, "PORT");
    if (const char* threads = std::getenv("THREADS"); threads && *threads)
        cl.threads = std::max(1u, parse_number<unsigned>(threads, "THREADS"));
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (i + 1 >= argc)
            usage("missing value for " + std::string(arg));
        std::string_view value = argv[++i];
        if (arg == "--port")
            cl.port = parse_number<std::uint16_t>(value, "port");
        else if (arg == "--threads")
            cl.threads = std::max(1u, parse_number<unsigned>(value, "thread count"));
        else if (arg == "--batch-writes")
            cl.batch_writes = parse_number<unsigned>(value, "--batch-writes (0 or 1)") != 0;
        else
            usage("unknown option " + std::string(arg));
    }
    return cl;
}

} // namespace

int main(int argc, char** argv)
{
    const auto cl = parse(argc, argv);
    ceiling::options opts;
    opts.batch_writes = cl.batch_writes;

    // One io_context per thread. Alone, the server's one thread needs no locking at all.
    const int hint = cl.threads == 1 ? BOOST_ASIO_CONCURRENCY_HINT_UNSAFE : 1;
    std::vector<std::unique_ptr<ceiling::worker>> workers;
    std::vector<ceiling::worker*> peers;
    for (unsigned i = 0; i < cl.threads; ++i) {
        workers.push_back(std::make_unique<ceiling::worker>(opts, hint));
        peers.push_back(workers.back().get());
    }
    for (auto& w : workers) {
        w->set_peers(peers);
        w->start();
    }

    std::shared_ptr<ceiling::listener> listener;
    try {
        listener = std::make_shared<ceiling::listener>(peers, cl.port);
    } catch (const boost::system::system_error& e) {
        std::cerr << "corio_ceiling: cannot listen on 127.0.0.1:" << cl.port << ": " << e.what() << "\n";
        return 1;
    }
    listener->start();

    boost::asio::signal_set signals(workers.front()->context(), SIGINT, SIGTERM);
    signals.async_wait([&workers](const boost::system::error_code& ec, int) {
        if (ec)
            return;
        for (auto& w : workers)
            w->context().stop();
    });

    std::cout << "listening on 127.0.0.1:" << listener->port() << std::endl;
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < workers.size(); ++i)
        threads.emplace_back([w = workers[i].get()] { w->context().run(); });
    workers.front()->context().run();
    for (auto& t : threads)
        t.join();
}
