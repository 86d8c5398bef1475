#include <corio/engine/listener.hpp>
#include <corio/engine/trusted_proxies.hpp>
#include <corio/engine/server.hpp>

#include "engine/context_pool.hpp"
#include "engine/request.hpp"
#include "engine/tls_context.hpp"
#include "engine/use_tuple.hpp"

#include <corio/engine/stats.hpp>

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
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace corio::engine::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

// Body limit for requests no endpoint claims (the fallback handler's).
constexpr std::size_t fallback_body_limit = 64 * 1024;
// First pause after a failed accept (e.g. out of file descriptors), so the
// loop does not spin while the condition lasts; it doubles up to
// listener_options::accept_retry_max_delay.
constexpr auto accept_retry_min_delay = std::chrono::milliseconds(10);
// Out of descriptors, at most this many pending clients are answered 503 per
// failed accept, so that shedding cannot hold the acceptor's strand for long.
constexpr int max_shed_per_round = 64;
// A refused connection (capacity, per address) gets its answer within this,
// and what it sent is read (so that closing does not reset the connection
// before the answer is read) for at most as long.
constexpr auto refusal_time = std::chrono::seconds(1);
constexpr std::size_t refusal_drain_bytes = 64 * 1024;
// What a read waiting for the first byte of a request asks for.
constexpr std::size_t first_read_size = 4096;
// How long, and how much, a connection refused with 413 is read before it is
// closed.
constexpr auto lingering_close_time = std::chrono::seconds(2);
constexpr std::size_t lingering_close_bytes = 8 * 1024 * 1024;

// Closes a connection whose client may still be sending (after an early
// answer: 413, 431, a refusal), without resetting it, which could lose the
// answer: stops sending, reads and drops what arrives for at most `time` and
// `max_bytes`, then closes.
template <class Stream>
net::awaitable<void> drain_then_close(Stream& stream, std::chrono::seconds time, std::size_t max_bytes)
{
    boost::system::error_code ec;
    auto& tcp_layer = beast::get_lowest_layer(stream);
    tcp_layer.socket().shutdown(tcp::socket::shutdown_send, ec);
    tcp_layer.expires_after(time);
    std::array<char, 16 * 1024> scratch;
    for (std::size_t drained = 0; drained < max_bytes;) {
        auto [rec, n] = co_await stream.async_read_some(net::buffer(scratch), use_tuple);
        if (rec)
            break;
        drained += n;
    }
    tcp_layer.socket().close(ec);
}

// A synchronous fallback in asynchronous form, so one code path serves both.
// A free coroutine taking its arguments by value: g++ 12 miscompiles
// capturing lambda coroutines.
net::awaitable<http_response> call_sync_fallback(std::shared_ptr<const http_fallback> f, http_request req, std::string)
{
    co_return (*f)(req);
}

/// The answers given before a request is read: fixed, and short enough for
/// one write into an empty socket buffer.
constexpr std::string_view service_unavailable = "HTTP/1.1 503 Service Unavailable\r\n"
                                                 "Content-Type: text/plain\r\n"
                                                 "Content-Length: 20\r\n"
                                                 "Retry-After: 1\r\n"
                                                 "Connection: close\r\n\r\n"
                                                 "Server at capacity\r\n";
constexpr std::string_view too_many_connections = "HTTP/1.1 429 Too Many Requests\r\n"
                                                  "Content-Type: text/plain\r\n"
                                                  "Content-Length: 22\r\n"
                                                  "Retry-After: 1\r\n"
                                                  "Connection: close\r\n\r\n"
                                                  "Too many connections\r\n";

/// `a` as text, as address::to_string writes it. An IPv4 address is written
/// here: to_string goes through inet_ntop's sprintf, a cost paid per
/// connection.
std::string peer_text(const net::ip::address& a)
{
    if (!a.is_v4())
        return a.to_string();
    std::string text;
    text.reserve(15);
    for (auto byte : a.to_v4().to_bytes()) {
        if (!text.empty())
            text += '.';
        char digits[3];
        text.append(digits, std::to_chars(digits, digits + sizeof digits, unsigned{byte}).ptr);
    }
    return text;
}

bool out_of_descriptors(const boost::system::error_code& ec) noexcept
{
    if (ec.category() != boost::system::system_category())
        return false;
    auto v = ec.value();
    return v == EMFILE || v == ENFILE || v == ENOBUFS || v == ENOMEM;
}

/// The live counters behind listener_stats; relaxed: they order nothing.
struct listener_counters {
    using counter = std::atomic<std::uint64_t>;
    counter connections_accepted = 0;
    counter refused_at_capacity = 0;
    counter refused_per_address = 0;
    counter accept_failures = 0;
    counter accept_out_of_descriptors = 0;
    counter shed_out_of_descriptors = 0;
    counter idle_timeouts = 0;
    counter header_timeouts = 0;
    counter headers_too_large = 0;
    counter bodies_too_large = 0;
    counter write_timeouts = 0;
    counter keep_alive_limit_reached = 0;

    static void bump(counter& c) noexcept { c.fetch_add(1, std::memory_order_relaxed); }
};

/// Open connections, in all and per address (listener_options::
/// max_connections, max_connections_per_address). Shared by the listener and
/// the slots it hands out, which may outlive it (in WebSocket sessions).
///
/// @par Thread safety
/// Any thread (a mutex).
class connection_counts : public std::enable_shared_from_this<connection_counts> {
public:
    enum class verdict { accepted, at_capacity, per_address };

    connection_counts(std::size_t max_total, std::size_t max_per_address)
        : max_total_(max_total), max_per_address_(max_per_address)
    {
    }

    /// Counts a connection from `address` (empty: not counted per address)
    /// unless a limit refuses it. `slot` is set when accepted: the
    /// connection is counted until the last copy of it goes.
    verdict take(const std::string& address, std::shared_ptr<void>& slot)
    {
        std::lock_guard lock(mutex_);
        if (max_total_ && open_ >= max_total_)
            return verdict::at_capacity;
        if (!address.empty() && max_per_address_) {
            auto it = per_address_.find(address);
            if (it != per_address_.end() && it->second >= max_per_address_)
                return verdict::per_address;
        }
        ++open_;
        if (!address.empty())
            ++per_address_[address];
        slot = std::shared_ptr<void>(nullptr, [self = shared_from_this(), address](void*) { self->give(address); });
        return verdict::accepted;
    }

    std::size_t open() const
    {
        std::lock_guard lock(mutex_);
        return open_;
    }

private:
    void give(const std::string& address) noexcept
    {
        std::lock_guard lock(mutex_);
        --open_;
        if (address.empty())
            return;
        auto it = per_address_.find(address);
        if (it != per_address_.end() && --it->second == 0)
            per_address_.erase(it);
    }

    const std::size_t max_total_;
    const std::size_t max_per_address_;
    mutable std::mutex mutex_;
    std::size_t open_ = 0;
    std::unordered_map<std::string, std::size_t> per_address_;
};

/// A descriptor kept open to be given up when accept fails for lack of
/// descriptors: it lets the listener accept the pending clients one at a
/// time to tell them 503 instead of leaving them in the backlog.
class spare_descriptor {
public:
    spare_descriptor() { reopen(); }
    ~spare_descriptor() { release(); }
    spare_descriptor(const spare_descriptor&) = delete;
    spare_descriptor& operator=(const spare_descriptor&) = delete;

    bool held() const noexcept { return fd_ >= 0; }
    void release() noexcept
    {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = -1;
    }
    void reopen() noexcept
    {
        if (fd_ < 0)
            fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    }

private:
    int fd_ = -1;
};

/// What read_request reads to: the header, or the whole request.
enum class read_to { header, end };

bool has_read(const http::request_parser<http::string_body>& parser, read_to to)
{
    return to == read_to::header ? parser.is_header_done() : parser.is_done();
}

/// Parses what `buffer` holds into `parser`, consuming it, until the parser
/// has what `to` asks for (eager past the header only for read_to::end), or
/// needs more bytes than the buffer has, or fails (`ec`). No coroutine: most
/// requests are whole in the first read (a GET without a body, a small POST).
void parse_buffered(http::request_parser<http::string_body>& parser, beast::flat_buffer& buffer, read_to to,
                    boost::system::error_code& ec)
{
    parser.eager(to == read_to::end);
    while (!has_read(parser, to) && buffer.size() != 0) {
        const auto used = parser.put(buffer.data(), ec);
        buffer.consume(used);
        if (ec == http::error::need_more) {
            ec = {};
            return;
        }
        if (ec || used == 0)
            return;
    }
}

/// Reads from `stream` into `buffer`, feeding `parser`, until it holds what
/// `to` asks for: http::async_read_header and http::async_read, with their
/// errors (end_of_stream when the peer closed before the request's first
/// byte, partial_message within it), over the stream's async_read_some,
/// which the connection instantiates anyway. Beast's read operations, for
/// TCP and TLS, were a third of this file's compile time.
template <class Stream>
net::awaitable<boost::system::error_code> read_request(Stream& stream, beast::flat_buffer& buffer,
                                                       http::request_parser<http::string_body>& parser, read_to to)
{
    constexpr std::size_t max_read_size = 64 * 1024; // Beast's
    boost::system::error_code ec;
    for (;;) {
        parse_buffered(parser, buffer, to, ec);
        if (ec || has_read(parser, to))
            co_return ec;
        auto [read_ec, n] =
            co_await stream.async_read_some(buffer.prepare(beast::read_size(buffer, max_read_size)), use_tuple);
        buffer.commit(n);
        if (read_ec == net::error::eof) {
            if (!parser.got_some())
                co_return http::error::end_of_stream;
            parser.put_eof(ec);
            if (!ec && !has_read(parser, to))
                ec = http::error::partial_message;
            co_return ec;
        }
        if (read_ec)
            co_return read_ec;
    }
}

} // namespace

class listener_impl : public std::enable_shared_from_this<listener_impl> {
public:
    listener_impl(net::io_context& ioc, listener_options opts)
        : ioc_(ioc), opts_(opts), trusted_proxies_(opts_.trusted_proxies),
          tls_(opts_.tls ? std::make_unique<tls_config>(*opts_.tls) : nullptr),
          counts_(std::make_shared<connection_counts>(opts_.max_connections, opts_.max_connections_per_address))
    {
    }

    listener_stats stats() const noexcept
    {
        auto get = [](const listener_counters::counter& c) { return c.load(std::memory_order_relaxed); };
        listener_stats s;
        s.connections_accepted = get(counters_.connections_accepted);
        s.connections_open = counts_->open();
        s.refused_at_capacity = get(counters_.refused_at_capacity);
        s.refused_per_address = get(counters_.refused_per_address);
        s.accept_failures = get(counters_.accept_failures);
        s.accept_out_of_descriptors = get(counters_.accept_out_of_descriptors);
        s.shed_out_of_descriptors = get(counters_.shed_out_of_descriptors);
        s.idle_timeouts = get(counters_.idle_timeouts);
        s.header_timeouts = get(counters_.header_timeouts);
        s.headers_too_large = get(counters_.headers_too_large);
        s.bodies_too_large = get(counters_.bodies_too_large);
        s.write_timeouts = get(counters_.write_timeouts);
        s.keep_alive_limit_reached = get(counters_.keep_alive_limit_reached);
        return s;
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
        // Only the shedding's synchronous accepts see this: they must not
        // wait when no client is pending.
        acceptor->non_blocking(true);
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
        auto delay = std::chrono::milliseconds(0);
        while (!stopped_) {
            // Each connection gets its own strand, on the next thread's
            // io_context; a WebSocket session opened on it keeps that strand.
            auto strand = net::make_strand(detail::context_pool::next_context(ioc_).get_executor());
            // Converted, so that the socket stays a tcp::socket. The peer's
            // address comes with the accept (no getpeername).
            tcp::endpoint peer;
            auto [ec, socket] = co_await acceptor->async_accept(net::any_io_executor(strand), peer, use_tuple);
            if (ec == net::error::operation_aborted || stopped_)
                break;
            if (ec) {
                listener_counters::bump(counters_.accept_failures);
                // Once per run of failures: out of file descriptors, this
                // would repeat at every retry.
                if (delay.count() == 0) {
                    auto why = ec.message();
                    opts_.log({.level = log_level::warning, .message = "accept failed, retrying", .error = why});
                }
                if (out_of_descriptors(ec)) {
                    listener_counters::bump(counters_.accept_out_of_descriptors);
                    shed(*acceptor);
                }
                // Bounded exponential backoff: no spinning while the
                // condition lasts, and a retry soon after it ends.
                delay = std::clamp(delay * 2, std::chrono::milliseconds(accept_retry_min_delay),
                                   std::max(opts_.accept_retry_max_delay, accept_retry_min_delay));
                retry.expires_after(delay);
                co_await retry.async_wait(use_tuple);
                continue;
            }
            if (delay.count() != 0) {
                delay = std::chrono::milliseconds(0);
                opts_.log({.level = log_level::info, .message = "accepting again"});
            }
            admit(std::move(socket), strand, peer.address());
        }
    }

    // A connection just accepted: counted and served, or refused at once.
    void admit(tcp::socket socket, http_endpoint::strand_type strand, const net::ip::address& peer)
    {
        // Non-blocking from the start, as every read and write tried at once
        // needs it: Asio then does not set it itself for the first
        // asynchronous operation (one ioctl per connection, not two).
        boost::system::error_code ec;
        socket.non_blocking(true, ec);
        auto remote = peer_text(peer);
        // A trusted proxy's connections carry many clients' requests: they
        // are limited per client by the handshake rate instead.
        std::string per_address_key;
        if (!trusted_proxies_.contains(peer))
            per_address_key = remote;
        std::shared_ptr<void> slot;
        auto verdict = counts_->take(per_address_key, slot);
        if (verdict != connection_counts::verdict::accepted) {
            bool capacity = verdict == connection_counts::verdict::at_capacity;
            listener_counters::bump(capacity ? counters_.refused_at_capacity : counters_.refused_per_address);
            // Over TLS a plaintext answer would be garbage: just close.
            std::string_view answer = tls_ ? std::string_view() : capacity ? service_unavailable : too_many_connections;
            net::co_spawn(strand, refuse(std::move(socket), answer), net::detached);
            return;
        }
        listener_counters::bump(counters_.connections_accepted);
        socket.set_option(tcp::no_delay(true), ec);
        if (tls_)
            net::co_spawn(strand,
                          run_connection<tls_stream>(std::move(socket), strand, std::move(slot), std::move(remote)),
                          net::detached);
        else
            net::co_spawn(
                strand,
                run_connection<beast::tcp_stream>(std::move(socket), strand, std::move(slot), std::move(remote)),
                net::detached);
    }

    // Answers `answer` (if any) to a connection refused before its request
    // was read, then closes it, all within about twice refusal_time.
    static net::awaitable<void> refuse(tcp::socket socket, std::string_view answer)
    {
        beast::tcp_stream stream(std::move(socket));
        if (!answer.empty()) {
            stream.expires_after(refusal_time);
            // Whatever the outcome, the connection is closed below.
            co_await stream.async_write_some(net::buffer(answer), use_tuple);
        }
        co_await drain_then_close(stream, refusal_time, refusal_drain_bytes);
    }

    // Out of descriptors: gives up the spare one to accept each pending
    // client, answers it 503 and closes it, so that clients are refused at
    // once rather than left waiting in the backlog. Non-blocking throughout,
    // on the acceptor's strand.
    void shed(tcp::acceptor& acceptor)
    {
        std::lock_guard lock(spare_mutex_);
        // Lost when a reopen found no descriptor either: try again now.
        spare_.reopen();
        for (int i = 0; i < max_shed_per_round && spare_.held(); ++i) {
            spare_.release();
            boost::system::error_code ec;
            tcp::socket client(ioc_);
            acceptor.accept(client, ec);
            if (!ec) {
                listener_counters::bump(counters_.shed_out_of_descriptors);
                int fd = client.native_handle();
                // Read what the client sent (its request, usually there
                // already), so that closing does not reset the connection
                // before the answer is read.
                std::array<char, 4096> scratch;
                while (::recv(fd, scratch.data(), scratch.size(), MSG_DONTWAIT) > 0) {
                }
                if (!tls_)
                    ::send(fd, service_unavailable.data(), service_unavailable.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
                boost::system::error_code ignored;
                client.shutdown(tcp::socket::shutdown_both, ignored);
                client.close(ignored);
            }
            spare_.reopen();
            // No one pending (would_block), or still no descriptor to accept
            // with (the spare went to another thread's open): stop.
            if (ec)
                break;
        }
    }

    // The listener holds its endpoints; a connection holds the listener.
    http_endpoint* route(std::string_view target) const
    {
        auto path = target_path(target);
        for (auto& e : routes_)
            if (path_matches(path, e->path()) || (e->serves_below() && path.starts_with(e->path())))
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
    struct connection_base : std::enable_shared_from_this<connection_base> {
        using clock = std::chrono::steady_clock;

        explicit connection_base(http_endpoint::strand_type st) : strand(std::move(st)), watchdog_(strand) {}
        virtual ~connection_base() = default;
        /// Closes the TCP connection, unless an endpoint has taken it. On
        /// the strand.
        virtual void cut() noexcept = 0;
        /// True once a response write ran out of time.
        virtual bool view_timed_out() const noexcept = 0;

        /// Cuts the connection at `deadline` (and sets timed_out), unless
        /// watch is called again first; time_point::max(): never. On the
        /// strand; the connection is held until stop_watching.
        ///
        /// The idle and header timeouts, which Beast's tcp_stream would
        /// keep by arming a timer wait for each read and cancelling it when
        /// the read completes (a tenth of a polling request's instructions).
        /// Here a deadline that moves later is only stored: the wait
        /// pending, when it comes, waits again for the deadline that stands
        /// then. Only a deadline before the pending wait's re-arms it.
        void watch(clock::time_point deadline)
        {
            deadline_ = deadline;
            if (deadline != clock::time_point::max() && deadline < armed_)
                arm(deadline);
        }
        /// No more deadlines: lets go of the connection's hold.
        void stop_watching()
        {
            deadline_ = armed_ = clock::time_point::max();
            ++generation_;
            watchdog_.cancel();
        }
        /// True once watch's deadline cut the connection.
        bool timed_out() const noexcept { return timed_out_; }

        http_endpoint::strand_type strand;
        bool write_timeout_counted = false;

    private:
        void arm(clock::time_point at)
        {
            armed_ = at;
            // Cancels a later wait pending, whose handler then finds its
            // generation stale.
            watchdog_.expires_at(at);
            watchdog_.async_wait([self = shared_from_this(), generation = ++generation_](boost::system::error_code) {
                self->on_watchdog(generation);
            });
        }
        void on_watchdog(std::uint64_t generation)
        {
            if (generation != generation_)
                return;
            armed_ = clock::time_point::max();
            if (deadline_ == clock::time_point::max())
                return;
            if (clock::now() < deadline_) {
                arm(deadline_);
                return;
            }
            timed_out_ = true;
            cut();
        }

        net::basic_waitable_timer<clock, net::wait_traits<clock>, http_endpoint::strand_type> watchdog_;
        clock::time_point deadline_ = clock::time_point::max();
        // The expiry of the wait pending; max(): none.
        clock::time_point armed_ = clock::time_point::max();
        // Counts the waits started, so that a handler knows whether it is the last.
        std::uint64_t generation_ = 0;
        bool timed_out_ = false;
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
            if (!view.released())
                view.close();
        }
        bool view_timed_out() const noexcept override { return view.write_timed_out(); }
        Stream stream;
        http_stream view; // what the endpoints are given
    };

    // `remote`: the peer's address as text (admit's).
    template <class Stream>
    net::awaitable<void> run_connection(tcp::socket socket, http_endpoint::strand_type strand,
                                        std::shared_ptr<void> slot, std::string remote)
    {
        auto self = shared_from_this();
        std::shared_ptr<connection<Stream>> conn;
        if constexpr (std::is_same_v<Stream, tls_stream>)
            conn = std::make_shared<connection<Stream>>(Stream(beast::tcp_stream(std::move(socket)), *tls_->current()),
                                                        strand);
        else
            conn = std::make_shared<connection<Stream>>(Stream(std::move(socket)), strand);
        conn->view.set_hold(std::move(slot));
        conn->view.set_write_timeout(opts_.write_timeout);
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
        conn->stop_watching();
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
        // The connection's own deadlines (connection_base::watch) bound
        // what follows.
        tcp_layer.expires_never();
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
        std::size_t requests = 0;
        while (!stopped_) {
            // Idle until a request begins: its first byte (unless pipelined
            // requests are in the buffer already).
            if (buffer.size() == 0) {
                conn.watch(connection_base::clock::now() + opts_.http_idle_timeout);
                auto [iec, in] = co_await stream.async_read_some(buffer.prepare(first_read_size), use_tuple);
                buffer.commit(in);
                if (iec && conn.timed_out())
                    listener_counters::bump(counters_.idle_timeouts);
                if (iec)
                    break;
            }
            // Begun: the whole header block (and the body) within
            // header_timeout of now, however slowly it trickles in. Watched
            // only while a read is needed: most requests arrive whole in one
            // read. Neither deadline bounds what follows: the answer's write
            // has write_timeout, and a long-poll the session's heartbeat.
            const auto begun = connection_base::clock::now();
            conn.watch(connection_base::clock::time_point::max());
            http::request_parser<http::string_body> parser;
            parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(opts_.max_header_size, UINT32_MAX)));
            // No limit until the route is known; see below.
            parser.body_limit(boost::none);
            // Most requests arrive whole in one read: their header is parsed
            // from the buffer here, and only one cut short reads on.
            boost::system::error_code hec;
            parse_buffered(parser, buffer, read_to::header, hec);
            if (!hec && !parser.is_header_done()) {
                conn.watch(begun + opts_.header_timeout);
                hec = co_await read_request(stream, buffer, parser, read_to::header);
                if (hec && conn.timed_out())
                    hec = beast::error::timeout;
                conn.watch(connection_base::clock::time_point::max());
            }
            if (hec == http::error::header_limit) {
                listener_counters::bump(counters_.headers_too_large);
                http_response res{http::status::request_header_fields_too_large, 11};
                res.set(http::field::content_type, "text/plain");
                res.body() = "Request header fields too large";
                res.keep_alive(false);
                res.prepare_payload();
                co_await write(conn, res);
                co_await drain_then_close(stream, lingering_close_time, lingering_close_bytes);
                co_return;
            }
            if (hec == beast::error::timeout)
                listener_counters::bump(counters_.header_timeouts);
            if (hec)
                break;

            // Per request: a proxy's kept-alive connection carries many
            // clients' requests.
            auto remote = trusted_proxies_.empty() ? peer : trusted_proxies_.client_address(parser.get(), peer);
            auto* endpoint = route(parser.get().target());
            if (endpoint && is_upgrade(parser.get(), upgrade_fields_of(parser.get()))) {
                // Upgrade requests carry no body: the header is the request.
                co_await endpoint->handle_websocket(conn.view, parser.release(), std::move(remote), strand,
                                                    opts_.websocket_handshake_timeout);
                count_write_timeout(conn);
                co_return;
            }

            // The last request this connection may make: its answer says
            // so (endpoints answer with the request's keep-alive).
            bool last = opts_.max_requests_per_connection != 0 && ++requests >= opts_.max_requests_per_connection;
            if (last && parser.get().keep_alive()) {
                listener_counters::bump(counters_.keep_alive_limit_reached);
                parser.get().keep_alive(false);
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
                parse_buffered(parser, buffer, read_to::end, bec);
            if (!bec && !parser.is_done()) {
                conn.watch(begun + opts_.header_timeout);
                bec = co_await read_request(stream, buffer, parser, read_to::end);
                conn.watch(connection_base::clock::time_point::max());
            }
            if (bec == http::error::body_limit) {
                listener_counters::bump(counters_.bodies_too_large);
                http_response res;
                if (endpoint)
                    res = endpoint->handle_oversized(parser.get());
                else
                    res = text_response(parser.get(), http::status::payload_too_large, "", "text/plain");
                res.keep_alive(false);
                co_await write(conn, res);
                co_await drain_then_close(stream, lingering_close_time, lingering_close_bytes);
                co_return;
            }
            if (bec)
                break;

            http_request req = parser.release();
            if (endpoint) {
                // The endpoint writes its answer.
                bool go_on = co_await endpoint->handle_request(conn.view, std::move(req), std::move(remote));
                count_write_timeout(conn);
                if (!go_on || last)
                    break;
                continue;
            }
            http_response res = co_await fallback_response(std::move(req), std::move(remote));
            // Whatever the fallback answered.
            if (last)
                res.keep_alive(false);
            bool keep_alive = res.keep_alive();
            auto wec = co_await write(conn, res);
            if (wec || !keep_alive)
                break;
        }
        // Over TLS too, a TCP half-close without TLS's close_notify: HTTP
        // framing (Content-Length) tells a client where each answer ends,
        // and a TLS shutdown would wait on a client that may never answer.
        tcp_layer.socket().shutdown(tcp::socket::shutdown_send, ec);
    }

    // Writes through the connection's view: within write_timeout, counted.
    template <class Stream>
    net::awaitable<boost::system::error_code> write(connection<Stream>& conn, http_response& res)
    {
        auto ec = co_await conn.view.async_write(res);
        count_write_timeout(conn);
        co_return ec;
    }

    // Counts a write that ran out of time, once per connection.
    void count_write_timeout(connection_base& conn)
    {
        if (conn.write_timeout_counted || !conn.view_timed_out())
            return;
        conn.write_timeout_counted = true;
        listener_counters::bump(counters_.write_timeouts);
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
    listener_counters counters_;
    std::shared_ptr<connection_counts> counts_;
    std::mutex spare_mutex_; // acceptors (IPv4, IPv6) share the spare
    spare_descriptor spare_;
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

listener_stats listener::stats() const noexcept { return impl_->stats(); }

void listener::drop_connections() { impl_->drop_connections(); }

const logger& listener::log() const noexcept { return impl_->log(); }

bool listener::tls() const noexcept { return impl_->tls(); }

void listener::reload_tls() { impl_->reload_tls(); }

} // namespace corio::engine
