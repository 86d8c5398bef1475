#pragma once
// One Engine.IO endpoint: handshakes, sessions, long-polling, WebSocket and
// upgrades at one path. A listener carries it over HTTP.

#include <corio/engine/handler.hpp>
#include <corio/engine/options.hpp>

#include <boost/asio/any_io_executor.hpp>

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
/// The handler must outlive the server and every session it opened; a server
/// must outlive the listener it was added to.
class server {
public:
    /// Sessions run on strands of the io_context `ex` belongs to (its
    /// executor, or a strand of it; usually run by several threads).
    /// @throws std::invalid_argument if `ex` is not an io_context's.
    server(boost::asio::any_io_executor ex, options opts, handler& h);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    const options& get_options() const noexcept;

    /// Sessions currently open.
    std::size_t session_count() const;

    /// Closes every session with `reason` (each client gets a close packet).
    void close_all(close_reason reason = close_reason::server_shutdown);

    /// Ends every session without telling its client, as a crash would: each
    /// WebSocket's TCP connection is cut, and the handler sees
    /// transport_close. Long-polling requests in flight are cut by
    /// listener::drop_connections.
    void abort_all();

    /// For the listener.
    detail::server_impl& impl() noexcept { return *impl_; }

private:
    std::shared_ptr<detail::server_impl> impl_;
};

} // namespace corio::engine
