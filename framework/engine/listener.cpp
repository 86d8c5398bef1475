#include <corio/engine/listener.hpp>
#include <corio/engine/trusted_proxies.hpp>
#include <corio/engine/server.hpp>

#include "engine/request.hpp"
#include "engine/tls_context.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <array>
#include <atomic>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace corio::engine::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
// Body limit for requests no endpoint claims (the fallback handler's).
constexpr std::size_t fallback_body_limit = 64 * 1024;
// Pause after a failed accept (e.g. out of file descriptors), so the loop
// does not spin while the condition lasts.
constexpr auto accept_retry_delay = std::chrono::milliseconds(50);
// How long, and how much, a connection refused with 413 is read before it is
// closed (see drain_then_close).
constexpr auto lingering_close_time = std::chrono::seconds(2);
constexpr std::size_t lingering_close_bytes = 8 * 1024 * 1024;

// A synchronous fallback in asynchronous form, so one code path serves both.
// A free coroutine taking its arguments by value: g++ 12 miscompiles
// capturing lambda coroutines.
net::awaitable<http_response> call_sync_fallback(std::shared_ptr<const http_fallback> f, http_request req, std::string)
{
    co_return (*f)(req);
}

} // namespace

class listener_impl : public std::enable_shared_from_this<listener_impl> {
public:
    listener_impl(net::io_context& ioc, listener_options opts)
        : ioc_(ioc), opts_(opts), trusted_proxies_(opts_.trusted_proxies),
          tls_(opts_.tls ? std::make_unique<tls_config>(*opts_.tls) : nullptr)
    {
    }

    bool tls() const noexcept { return tls_ != nullptr; }

    void reload_tls()
    {
        if (!tls_)
            throw std::logic_error("corio: reload_tls on a listener without TLS");
        tls_->reload();
        opts_.log({.level = log_level::info, .message = "TLS certificate reloaded"});
    }

    const logger& log() const noexcept { return opts_.log; }

    void add(std::shared_ptr<http_endpoint> e) { routes_.push_back(std::move(e)); }
    void set_fallback(http_async_fallback f) { fallback_ = std::move(f); }

    void listen(std::string_view host, std::uint16_t port)
    {
        stopped_ = false;
        std::vector<net::ip::address> addresses;
        if (host == "localhost")
            addresses = {net::ip::make_address("127.0.0.1"), net::ip::make_address("::1")};
        else
            addresses = {net::ip::make_address(host)};
        for (std::size_t i = 0; i < addresses.size(); ++i) {
            try {
                open_acceptor({addresses[i], i == 0 ? port : port_.load()});
            } catch (const boost::system::system_error&) {
                // "localhost" without IPv6 still serves on 127.0.0.1.
                if (i == 0)
                    throw;
            }
        }
    }

    std::uint16_t port() const noexcept { return port_; }

    void stop()
    {
        stopped_ = true;
        std::vector<std::shared_ptr<tcp::acceptor>> acceptors;
        {
            std::lock_guard lock(mutex_);
            acceptors.swap(acceptors_);
        }
        for (auto& a : acceptors)
            net::dispatch(a->get_executor(), [a] { a->close(); });
    }

    void drop_connections()
    {
        std::lock_guard lock(mutex_);
        for (auto& [id, weak] : connections_) {
            if (auto c = weak.lock())
                net::dispatch(c->strand, [c] { c->cut(); });
        }
    }

private:
    void open_acceptor(tcp::endpoint endpoint)
    {
        auto acceptor = std::make_shared<tcp::acceptor>(net::make_strand(ioc_));
        acceptor->open(endpoint.protocol());
        acceptor->set_option(net::socket_base::reuse_address(true));
        if (endpoint.address().is_v6())
            acceptor->set_option(net::ip::v6_only(true));
        acceptor->bind(endpoint);
        acceptor->listen(opts_.backlog);
        port_ = acceptor->local_endpoint().port();
        {
            std::lock_guard lock(mutex_);
            acceptors_.push_back(acceptor);
        }
        net::co_spawn(acceptor->get_executor(), accept_loop(acceptor), net::detached);
    }

    net::awaitable<void> accept_loop(std::shared_ptr<tcp::acceptor> acceptor)
    {
        auto self = shared_from_this();
        net::steady_timer retry(acceptor->get_executor());
        bool accept_failing = false;
        while (!stopped_) {
            // Each connection gets its own strand; a WebSocket session opened
            // on it keeps that strand.
            auto strand = net::make_strand(ioc_.get_executor());
            // Converted, so that the socket stays a tcp::socket.
            auto [ec, socket] = co_await acceptor->async_accept(net::any_io_executor(strand), use_tuple);
            if (ec == net::error::operation_aborted || stopped_)
                break;
            if (ec) {
                // Once per run of failures: out of file descriptors, this
                // would repeat every accept_retry_delay.
                if (!accept_failing) {
                    accept_failing = true;
                    auto why = ec.message();
                    opts_.log({.level = log_level::warning, .message = "accept failed, retrying", .error = why});
                }
                retry.expires_after(accept_retry_delay);
                co_await retry.async_wait(use_tuple);
                continue;
            }
            if (accept_failing) {
                accept_failing = false;
                opts_.log({.level = log_level::info, .message = "accepting again"});
            }
            socket.set_option(tcp::no_delay(true), ec);
            if (tls_)
                net::co_spawn(strand, run_connection<tls_stream>(std::move(socket), strand), net::detached);
            else
                net::co_spawn(strand, run_connection<beast::tcp_stream>(std::move(socket), strand), net::detached);
        }
    }

    // The listener holds its endpoints; a connection holds the listener.
    http_endpoint* route(std::string_view target) const
    {
        auto path = target_path(target);
        for (auto& e : routes_)
            if (path_matches(path, e->path()))
                return e.get();
        return nullptr;
    }

    // Runs on the connection's strand; the connection (run_connection) holds
    // `self`, so `this` outlives it.
    net::awaitable<http_response> fallback_response(http_request req, std::string remote) const
    {
        if (!fallback_)
            co_return text_response(req, http::status::not_found, "Not found", "text/plain");
        auto version = req.version();
        try {
            co_return co_await fallback_(std::move(req), remote);
        } catch (const std::exception& e) {
            // An application's bug must not leave the client waiting for an
            // answer, nor end the server: answer 500 below. The request
            // stays out of the record (its headers may carry credentials).
            opts_.log({.level = log_level::error, .message = "HTTP handler threw", .remote = remote, .error = e.what()});
        }
        http_response res{http::status::internal_server_error, version};
        res.set(http::field::content_type, "text/plain");
        res.body() = "Internal server error";
        res.keep_alive(false);
        res.prepare_payload();
        co_return res;
    }

    // An HTTP connection, registered so drop_connections can cut it.
    struct connection_base {
        explicit connection_base(http_endpoint::strand_type st) : strand(std::move(st)) {}
        virtual ~connection_base() = default;
        /// Closes the TCP connection, unless an endpoint has taken it. On
        /// the strand.
        virtual void cut() noexcept = 0;
        http_endpoint::strand_type strand;
    };

    /// Over a beast::tcp_stream (HTTP), or a tls_stream (HTTPS).
    template <class Stream>
    struct connection final : connection_base {
        connection(Stream s, http_endpoint::strand_type st)
            : connection_base(std::move(st)), stream(std::move(s)), view(stream)
        {
        }
        void cut() noexcept override
        {
            if (view.released())
                return;
            boost::system::error_code ignored;
            beast::get_lowest_layer(stream).socket().close(ignored);
        }
        Stream stream;
        http_stream view; // what the endpoints are given
    };

    template <class Stream>
    net::awaitable<void> run_connection(tcp::socket socket, http_endpoint::strand_type strand)
    {
        auto self = shared_from_this();
        boost::system::error_code ec;
        auto remote = socket.remote_endpoint(ec).address().to_string();
        std::shared_ptr<connection<Stream>> conn;
        if constexpr (std::is_same_v<Stream, tls_stream>)
            conn = std::make_shared<connection<Stream>>(Stream(beast::tcp_stream(std::move(socket)), *tls_->current()),
                                                        strand);
        else
            conn = std::make_shared<connection<Stream>>(Stream(std::move(socket)), strand);
        auto id = next_connection_id_++;
        {
            std::lock_guard lock(mutex_);
            connections_.emplace(id, conn);
        }
        bool ready = true;
        if constexpr (std::is_same_v<Stream, tls_stream>)
            ready = co_await tls_handshake(conn->stream, remote);
        if (ready)
            co_await serve(*conn, std::move(remote));
        std::lock_guard lock(mutex_);
        connections_.erase(id);
    }

    // Bounded, so that a client that sends no handshake (plaintext HTTP, a
    // port scanner, a handshake cut short) costs only its own connection,
    // and only that long; a failed one just ends the connection.
    net::awaitable<bool> tls_handshake(tls_stream& stream, const std::string& remote)
    {
        auto& tcp_layer = stream.next_layer();
        tcp_layer.expires_after(tls_->handshake_timeout());
        auto [ec] = co_await stream.async_handshake(net::ssl::stream_base::server, use_tuple);
        if (ec) {
            if (opts_.log.enabled(log_level::debug)) {
                auto why = ec.message();
                opts_.log({.level = log_level::debug, .message = "TLS handshake failed", .remote = remote, .error = why});
            }
            boost::system::error_code ignored;
            tcp_layer.socket().close(ignored);
            co_return false;
        }
        co_return true;
    }

    template <class Stream>
    net::awaitable<void> serve(connection<Stream>& conn, std::string peer)
    {
        auto& stream = conn.stream;
        auto& tcp_layer = beast::get_lowest_layer(stream);
        auto& strand = conn.strand;
        boost::system::error_code ec;
        beast::flat_buffer buffer;
        while (!stopped_) {
            http::request_parser<http::string_body> parser;
            parser.header_limit(static_cast<std::uint32_t>(opts_.max_header_size));
            // No limit until the route is known; see below.
            parser.body_limit(boost::none);
            tcp_layer.expires_after(opts_.http_idle_timeout);
            auto [hec, hn] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
            if (hec)
                break;

            // Per request: a proxy's kept-alive connection carries many
            // clients' requests.
            auto remote = trusted_proxies_.empty() ? peer : trusted_proxies_.client_address(parser.get(), peer);
            auto* endpoint = route(parser.get().target());
            if (endpoint && beast::websocket::is_upgrade(parser.get())) {
                // Upgrade requests carry no body: the header is the request.
                co_await endpoint->handle_websocket(conn.view, parser.release(), std::move(remote), strand,
                                                    opts_.websocket_handshake_timeout);
                co_return;
            }

            // Beast checks a Content-Length against the body limit while it
            // parses the header, before the endpoint is known: check it here.
            auto body_limit = endpoint ? endpoint->body_limit() : fallback_body_limit;
            parser.body_limit(body_limit);
            auto declared = parser.content_length();
            boost::system::error_code bec;
            if (declared && *declared > body_limit)
                bec = http::error::body_limit;
            else
                std::tie(bec, std::ignore) = co_await http::async_read(stream, buffer, parser, use_tuple);
            if (bec == http::error::body_limit) {
                http_response res;
                if (endpoint)
                    res = endpoint->handle_oversized(parser.get());
                else
                    res = text_response(parser.get(), http::status::payload_too_large, "", "text/plain");
                res.keep_alive(false);
                co_await http::async_write(stream, res, use_tuple);
                co_await drain_then_close(stream);
                co_return;
            }
            if (bec)
                break;

            // A long-poll may wait up to the ping interval; the heartbeat
            // bounds it, not the idle timeout.
            tcp_layer.expires_never();
            http_request req = parser.release();
            if (endpoint) {
                // The endpoint writes its answer.
                bool go_on = co_await endpoint->handle_request(conn.view, std::move(req), std::move(remote));
                if (!go_on)
                    break;
                continue;
            }
            http_response res = co_await fallback_response(std::move(req), std::move(remote));
            bool keep_alive = res.keep_alive();
            auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
            if (wec || !keep_alive)
                break;
        }
        // Over TLS too, a TCP half-close without TLS's close_notify: HTTP
        // framing (Content-Length) tells a client where each answer ends,
        // and a TLS shutdown would wait on a client that may never answer.
        tcp_layer.socket().shutdown(tcp::socket::shutdown_send, ec);
    }

    // After an early answer (413) the client may still be sending its body:
    // closing at once would reset the connection and could lose the answer.
    // Stop sending, read and drop what arrives for a short while, then close.
    template <class Stream>
    net::awaitable<void> drain_then_close(Stream& stream)
    {
        boost::system::error_code ec;
        auto& tcp_layer = beast::get_lowest_layer(stream);
        tcp_layer.socket().shutdown(tcp::socket::shutdown_send, ec);
        tcp_layer.expires_after(lingering_close_time);
        std::array<char, 16 * 1024> scratch;
        for (std::size_t drained = 0; drained < lingering_close_bytes;) {
            auto [rec, n] = co_await stream.async_read_some(net::buffer(scratch), use_tuple);
            if (rec)
                break;
            drained += n;
        }
        tcp_layer.socket().close(ec);
    }

    net::io_context& ioc_;
    listener_options opts_;
    trusted_proxies trusted_proxies_;
    std::unique_ptr<tls_config> tls_; // null: plain HTTP
    std::vector<std::shared_ptr<http_endpoint>> routes_;
    http_async_fallback fallback_;
    std::mutex mutex_;
    std::vector<std::shared_ptr<tcp::acceptor>> acceptors_;
    std::unordered_map<std::uint64_t, std::weak_ptr<connection_base>> connections_;
    std::atomic<std::uint64_t> next_connection_id_ = 0;
    std::atomic<std::uint16_t> port_ = 0;
    std::atomic<bool> stopped_ = false;
};

} // namespace corio::engine::detail

namespace corio::engine {

listener::listener(boost::asio::io_context& ioc, listener_options opts)
    : impl_(std::make_shared<detail::listener_impl>(ioc, opts))
{
}

listener::~listener() { impl_->stop(); }

void listener::add(server& s) { impl_->add(s.endpoint()); }

void listener::add(std::shared_ptr<http_endpoint> e) { impl_->add(std::move(e)); }

void listener::set_fallback(http_fallback f)
{
    if (!f) {
        impl_->set_fallback(nullptr);
        return;
    }
    auto shared = std::make_shared<const http_fallback>(std::move(f));
    impl_->set_fallback([shared](http_request req, std::string remote) {
        return detail::call_sync_fallback(shared, std::move(req), std::move(remote));
    });
}

void listener::set_async_fallback(http_async_fallback f) { impl_->set_fallback(std::move(f)); }

void listener::listen(std::string_view host, std::uint16_t port) { impl_->listen(host, port); }

std::uint16_t listener::port() const noexcept { return impl_->port(); }

void listener::stop() { impl_->stop(); }

void listener::drop_connections() { impl_->drop_connections(); }

const logger& listener::log() const noexcept { return impl_->log(); }

bool listener::tls() const noexcept { return impl_->tls(); }

void listener::reload_tls() { impl_->reload_tls(); }

} // namespace corio::engine
