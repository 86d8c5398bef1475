#pragma once
// The HTTP front: accepts TCP connections, reads HTTP/1.1 requests with Beast
// and routes them by path to endpoints (Engine.IO servers, or any other
// http_endpoint), or to a fallback handler for everything else (static files,
// health checks).

#include <corio/engine/http_endpoint.hpp>
#include <corio/engine/options.hpp>
#include <corio/engine/stats.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace corio::engine {

class server;

namespace detail {
class listener_impl;
}

/// Answers requests no endpoint claims. Runs on the connection's strand; must
/// not block. Without one, such requests get 404.
using http_fallback = std::function<http_response(const http_request&)>;

/// Answers requests no endpoint claims, asynchronously: runs on the
/// connection's strand and may co_await (e.g. hop to a thread pool), which
/// holds up only that connection. `remote_address` is the peer's IP address.
/// The connection writes the response when the awaitable completes; if it
/// throws, the client gets 500 and the connection is closed.
using http_async_fallback =
    std::function<boost::asio::awaitable<http_response>(http_request req, std::string remote_address)>;

/// @par Thread safety
/// Configure routes (`add`, `set_fallback`, `set_async_fallback`) before the
/// io_context runs. A connection runs on a strand of its own, on the
/// io_context given or, under run(ioc, threads), on the next of its threads'
/// io_contexts in turn.
/// `listen`, `stop`, `drop_connections` and `port` may be called from any
/// thread, but not concurrently with each other's `listen`/`stop`.
/// `reload_tls` may be called from any thread at any time.
class listener {
public:
    /// With `opts.tls`, reads the certificate chain and key at once.
    /// @throws boost::system::system_error naming the file when one cannot
    /// be used (missing, not PEM, or a key that does not match).
    listener(boost::asio::io_context& ioc, listener_options opts = {});
    ~listener();
    listener(const listener&) = delete;
    listener& operator=(const listener&) = delete;

    /// Routes requests for `s.options().path` to `s` (its endpoint()).
    void add(server& s);
    /// Routes requests for `e->path()` to `e`. Paths are tried in the order
    /// added; the first that matches takes the request.
    void add(std::shared_ptr<http_endpoint> e);
    /// Replaces any fallback set before (either form).
    void set_fallback(http_fallback f);
    /// Replaces any fallback set before (either form). The function must stay
    /// callable from several strands at once.
    void set_async_fallback(http_async_fallback f);

    /// Binds and starts accepting. "localhost" binds 127.0.0.1 and ::1; port
    /// 0 picks a free port (the same one on both). Throws
    /// boost::system::system_error when no address can be bound.
    void listen(std::string_view host, std::uint16_t port);

    /// The bound port (after listen).
    std::uint16_t port() const noexcept;

    /// Stops accepting. Connections in progress finish their current
    /// request; sessions are not touched (see server::close_all). `listen`
    /// may be called again afterwards.
    void stop();

    /// Cuts every HTTP connection (long-polls included) without an answer.
    /// WebSocket connections belong to their sessions: see server::abort_all.
    void drop_connections();

    /// A snapshot of the counters: connections, refusals and closes by
    /// limit (listener_options). Any thread.
    listener_stats stats() const noexcept;

    /// True when it serves HTTPS and WSS (listener_options::tls).
    bool tls() const noexcept;

    /// Reads the certificate chain and key files of listener_options::tls
    /// again (a renewed certificate): connections accepted from then on use
    /// them; those open keep the one they started with. corio::serve calls
    /// it on SIGHUP.
    /// @throws boost::system::system_error naming the file when one cannot
    /// be used; the certificate in use stays then.
    /// @throws std::logic_error without TLS.
    void reload_tls();

    /// listener_options::log: where corio::serve reports a failed reload.
    const logger& log() const noexcept;

private:
    std::shared_ptr<detail::listener_impl> impl_;
};

} // namespace corio::engine
