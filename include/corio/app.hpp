#pragma once
// corio::app: a whole server program in one object, for the programs that
// need no more than one Socket.IO server on one port. It owns the io_context,
// a corio::server and the listener that serves it; app::run is
// Flask-SocketIO's `socketio.run(app)`: it listens, runs one thread per core,
// and on Ctrl-C or SIGTERM shuts down gracefully (corio::serve does all of
// that; app only puts the pieces together and picks defaults for them).

#include <corio/engine/listener.hpp>
#include <corio/server.hpp>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>

namespace corio {

/// How app::run listens, runs and stops. Everything else corio::serve
/// offers (other signals, TLS reload reports) is corio::serve's to use.
struct run_options {
    /// Where to listen: "localhost" binds 127.0.0.1 and ::1, "0.0.0.0"
    /// every IPv4 address; port 0 picks a free port.
    std::string host = "localhost";
    std::uint16_t port = 8080;
    /// Threads that serve, the calling one included (serve_options::threads).
    /// 0: one per core (std::thread::hardware_concurrency, at least 1).
    unsigned threads = 0;
    /// How long running handlers may take to finish once the shutdown began
    /// (serve_options::drain_deadline).
    std::chrono::milliseconds drain_deadline{5'000};
    /// Called once the listener accepts and every thread is ready to serve,
    /// on the calling thread, with the bound port. Empty: run prints
    /// "listening on http://HOST:PORT/PATH" on stdout (https with TLS).
    std::function<void(std::uint16_t port)> on_listening;
    /// Begins the shutdown when stop is requested, as SIGINT and SIGTERM do.
    std::stop_token stop;
};

/// Reads `--host ADDR`, `--port N` and `--threads N` from a program's
/// arguments (`argv[0]`, the program, is skipped) into `defaults`: the
/// command line every example app takes.
/// @throws std::invalid_argument saying what is wrong: an unknown option, a
/// missing value, or a number that is not one or out of range.
run_options parse_command_line(int argc, const char* const* argv, run_options defaults = {});

/// One Socket.IO server, its io_context and its listener. Register the
/// handlers on io(), then call run() once.
///
/// @code
/// corio::app app;
/// app.io().of("/").on("echo", [](corio::context&, std::string text) { return text; });
/// return app.run(argc, argv); // serves until Ctrl-C
/// @endcode
///
/// @par Thread safety
/// Configure (io(), listener()) before run(); from then on the server is
/// what its own contract says (corio::server).
///
/// @par Lifetime
/// Handlers may capture the app (or io()) by reference: none runs after
/// run() returned, and they are destroyed with the app.
class app {
public:
    /// The defaults of a quick start: server_options as they are, but a page
    /// of any origin may connect (engine CORS "*", without credentials).
    static server_options default_options();

    /// `options` go to the server as given (pass default_options() changed,
    /// to keep the open CORS); `listen` to the listener (TLS, trusted
    /// proxies, limits). With `listen.tls`, run serves HTTPS and WSS and
    /// reloads the certificate on SIGHUP, as corio::serve does.
    /// @throws what engine::listener's constructor throws (an unreadable TLS
    /// certificate or key, a bad trusted-proxy entry).
    explicit app(server_options options = default_options(), engine::listener_options listen = {});
    ~app();
    app(const app&) = delete;
    app& operator=(const app&) = delete;

    /// The Socket.IO server: register namespaces and handlers here.
    server& io() noexcept { return io_; }
    /// The server's io_context, which run() runs on its calling thread (for
    /// timers and work of your own).
    boost::asio::io_context& context() noexcept { return ioc_; }
    /// The listener, with io()'s Engine.IO endpoint added: add other
    /// endpoints or a fallback (static files, health checks) before run().
    engine::listener& listener() noexcept { return listener_; }

    /// Serves until SIGINT, SIGTERM or `opts.stop`, then shuts the server
    /// down gracefully (every client is told goodbye, running handlers get
    /// `opts.drain_deadline`) and returns 0 once the threads stopped; a
    /// second signal stops at once. When the listener cannot listen, it
    /// writes why on stderr ("cannot listen on localhost:8080: Address
    /// already in use") and returns 1. Call it once: the io_context stays
    /// stopped.
    /// @throws std::logic_error when called a second time.
    int run(run_options opts = {});

    /// The same with the command line parse_command_line reads, over
    /// `defaults`. A bad command line is written on stderr with the usage
    /// and returns 2; `--help` writes the usage on stdout and returns 0,
    /// serving nothing.
    int run(int argc, const char* const* argv, run_options defaults = {});

private:
    boost::asio::io_context ioc_;
    server io_;
    engine::listener listener_;
    bool ran_ = false;
};

} // namespace corio
