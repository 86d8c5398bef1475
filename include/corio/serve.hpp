#pragma once
// corio::serve: the body of a server program's main. It listens, runs the
// io_context on N threads, and on SIGINT or SIGTERM shuts down gracefully:
// says goodbye to every client, stops accepting, stops the threads. Over TLS,
// SIGHUP reloads the certificate.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <exception>
#include <functional>
#include <stop_token>
#include <string>
#include <vector>

namespace corio {

class server;

namespace engine {
class listener;
}

/// How corio::serve listens, runs and stops.
struct serve_options {
    /// Where to listen (engine::listener::listen: "localhost" binds
    /// 127.0.0.1 and ::1; port 0 picks a free port).
    std::string host = "localhost";
    std::uint16_t port = 8080;
    /// Threads that serve, the calling one included: one io_context each,
    /// `ioc` on the calling thread (engine::run).
    unsigned threads = 1;
    /// How long running handlers may take to finish once the shutdown began
    /// (the deadline given to server::shutdown).
    std::chrono::milliseconds drain_deadline{5'000};
    /// The threads stop at the latest this long after the shutdown began,
    /// drained or not. server::shutdown is bounded by itself (twice its
    /// deadline at most: handlers, then goodbyes); this bounds a drain
    /// function of your own too.
    std::chrono::milliseconds stop_deadline{15'000};
    /// Called once the listener accepts and every thread is ready to serve,
    /// on the calling thread, with the bound port (the one picked when
    /// `port` is 0). The signals are caught from then on.
    std::function<void(std::uint16_t port)> on_listening;
    /// Signals that begin the shutdown; a second one stops the threads at
    /// once. Empty: serve catches none.
    std::vector<int> signals{SIGINT, SIGTERM};
    /// Signals that reload the listener's TLS certificate and key
    /// (engine::listener::reload_tls: new connections get the files as they
    /// are now, open ones keep theirs). Caught only when the listener serves
    /// TLS; otherwise they keep their default action.
    std::vector<int> reload_signals{SIGHUP};
    /// Called after each reload, on one of the io_context's threads: with
    /// null when the new certificate is in use, else with the error (a
    /// boost::system::system_error naming the file), the old certificate
    /// staying in use. Without it, a failed reload is logged as an error
    /// (listener_options::log).
    std::function<void(std::exception_ptr error)> on_reload;
    /// Begins the shutdown when stop is requested, as a signal does (for a
    /// program with its own reasons to stop, and for tests).
    std::stop_token stop;
};

/// What serve awaits at shutdown: it tells every client goodbye and
/// completes once they have been told (server::shutdown does both).
/// `deadline` is serve_options::drain_deadline. It runs on a strand of the
/// io_context while the other threads go on serving.
using drain_function = std::function<boost::asio::awaitable<void>(std::chrono::milliseconds deadline)>;

/// Listens on `opts.host`:`opts.port` with `listener` (`listener.add(...)`
/// done), runs `ioc` on `opts.threads` threads, and serves until SIGINT,
/// SIGTERM or `opts.stop`; a listener with TLS reloads its certificate on
/// SIGHUP (serve_options::reload_signals). Then it awaits `io.shutdown(opts.drain_deadline)`,
/// stops the listener (only then: a long-polling client collects its close
/// packet with one more request) and stops `ioc`. Returns once every thread
/// has left `ioc`, when every client has had its goodbye. This is
/// Flask-SocketIO's `socketio.run(app, host, port)`.
///
/// @par Lifetime
/// `ioc`, `listener` and `io` must outlive the io_context's last run: serve
/// leaves `ioc` stopped, with work of its own still queued.
///
/// @throws boost::system::system_error (before any thread starts) when the
/// listener cannot listen there; its what() names the address.
void serve(boost::asio::io_context& ioc, engine::listener& listener, server& io, serve_options opts = {});

/// The same, for a listener that carries several endpoints: at shutdown
/// serve awaits `drain`, which shuts each of them down (several servers'
/// shutdown, one after the other or at once). An empty `drain` (nullptr)
/// stops at once, without goodbyes.
///
/// @throws boost::system::system_error as above; rethrows, after the threads
/// stopped, an exception that escaped `drain`.
void serve(boost::asio::io_context& ioc, engine::listener& listener, drain_function drain, serve_options opts = {});

} // namespace corio
