#pragma once
// One Engine.IO endpoint: handshakes, sessions, long-polling, WebSocket and
// upgrades at one path. A listener carries it over HTTP.

#include <corio/engine/handler.hpp>
#include <corio/engine/http_endpoint.hpp>
#include <corio/engine/options.hpp>
#include <corio/engine/stats.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <memory>

namespace corio::engine {

namespace detail {
class server_impl;
}

/// @par Thread safety
/// All members may be called from any thread.
///
/// @par Lifetime
/// The handler must outlive the server and every session it opened (a
/// session may end after the server is gone: it still reports its close). A
/// server must outlive the listener it was added to.
class server {
public:
    /// `ex`: the executor of an io_context (or a strand of it). Sessions run
    /// on strands of the io_context their client's connection came to:
    /// `ex`'s, or under run(ioc, threads) any of its threads' io_contexts.
    /// @throws std::invalid_argument if `ex` is not an io_context's.
    server(boost::asio::any_io_executor ex, engine::options opts, handler& h);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    const engine::options& options() const noexcept;

    /// Sessions currently open.
    std::size_t session_count() const;
    /// Sessions currently open, by transport.
    session_counts sessions_by_transport() const;

    /// A snapshot of the counters: sessions opened, closed by reason, and
    /// handshakes refused by options::handshake_rate.
    endpoint_stats stats() const noexcept;

    /// Closes every session with `reason` (each client gets a close packet),
    /// and returns at once: the closes go out afterwards.
    void close_all(close_reason reason = close_reason::server_shutdown);

    /// Closes every session with `reason`, as close_all, and completes once
    /// every session of this server has finished: its close packet written
    /// (a long-polling client's next GET collected it, or the session gave up
    /// on it after a ping timeout) and its transport closed (a WebSocket's
    /// close handshake done, or cut). Sessions opened meanwhile (handshakes
    /// under way) are closed and waited for too. Stop the listener once this completes, not before: a long-polling
    /// client collects its close packet with one more request (corio::server
    /// refuses new sessions while it shuts down). Completes anyway after
    /// `deadline`; what has not finished by then goes on ending on its own.
    ///
    /// Does not throw; runs on the caller's executor. Stopping the
    /// io_context once it completes loses no close packet.
    boost::asio::awaitable<void> async_close_all(close_reason reason, std::chrono::milliseconds deadline);

    /// Ends every session without telling its client, as a crash would: each
    /// WebSocket's TCP connection is cut, and the handler sees
    /// transport_close. Long-polling requests in flight are cut by
    /// listener::drop_connections.
    void abort_all();

    /// This server's HTTP side, for a listener (listener::add(server&) adds
    /// it). The listener keeps it while its connections may use it.
    std::shared_ptr<http_endpoint> endpoint() const noexcept;

private:
    std::shared_ptr<detail::server_impl> impl_;
};

} // namespace corio::engine
