// One keep-alive HTTP/1.1 client connection, as long-polling uses two of:
// one request at a time, written by hand, its answer parsed in place from a
// read buffer, with completion handlers rather than a coroutine per request
// (Beast's HTTP client with a coroutine per exchange cost the load
// generator more than the server it measured). The connection is opened on
// first use and opened again when the server ends it.
#pragma once

#include "read_buffer.hpp"
#include "target.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace loadgen {

/// The outcome of one exchange, as a listener sees it.
struct http_answer {
    boost::system::error_code ec; ///< set when no whole answer came (net::error::timed_out past the deadline)
    std::string_view failure;     ///< "phase: reason" when ec is set
    unsigned status = 0;          ///< the HTTP status otherwise
    /// The body (Content-Length bytes; empty unless the status is 200).
    /// Both views die when the listener's call returns.
    std::string_view body;
};

/// The same, owned: what the coroutine form returns.
struct http_reply {
    boost::system::error_code ec;
    std::string failure;
    unsigned status = 0;
    std::string body;
};

/// A server may end a kept-alive connection at any time between requests:
/// with `Connection: close` on an answer (Corio after
/// max_requests_per_connection), or by closing one idle for a while (Node's
/// keepAliveTimeout, 5 s). The channel then opens a new connection for the
/// next request, as browsers do; a request never goes on a connection that
/// has been idle for longer than `reuse_limit`, which would race the
/// server's idle close.
///
/// Answers are read whatever pieces they come in. A 200 answer must carry
/// Content-Length (both servers' polling answers do); one without it fails
/// the exchange ("read: answer without Content-Length"). Any other status
/// is reported after its head, and the connection is not reused.
///
/// @par Thread Safety
/// Not thread safe: every call on the owner's executor, one exchange at a
/// time.
///
/// @par Lifetime
/// `t` must outlive the channel. An exchange holds its listener (which owns
/// the channel) until the listener has been called.
class http_channel {
public:
    /// Where an exchange's answer goes: called once per exchange, on the
    /// executor, never from within get() or post(). The channel is idle
    /// during the call: the listener may start the next exchange.
    class listener {
    public:
        virtual void on_answer(http_channel& channel, const http_answer& answer) = 0;

    protected:
        ~listener() = default;
    };

    using clock = std::chrono::steady_clock;
    /// Idle longer than this, the connection is replaced before a request.
    static constexpr std::chrono::seconds reuse_limit{4};

    http_channel(boost::asio::any_io_executor executor, const target& t, std::optional<boost::asio::ip::address> source);

    /// Sends a GET of `resource` and reads its answer, opening the
    /// connection first if needed, by `deadline` (time_point::max(): no
    /// bound). After shutdown() it fails at once.
    void get(std::string_view resource, std::shared_ptr<listener> l, clock::time_point deadline);

    /// The same for a POST of `body` as text/plain; `body` must stay alive
    /// until the listener is called.
    void post(std::string_view resource, std::string_view body, std::shared_ptr<listener> l,
              clock::time_point deadline);

    /// get() or post() for a coroutine (the handshake, a close without a
    /// reader), the answer copied.
    boost::asio::awaitable<http_reply> exchange(bool post, std::string_view resource, std::string body,
                                                clock::time_point deadline);

    /// Closes the connection for good: an exchange in progress fails, and
    /// so does every later one.
    void shutdown();

private:
    void start(bool post, std::string_view resource, std::string_view body, std::shared_ptr<listener> l,
               clock::time_point deadline);
    void connect(std::shared_ptr<listener> l);
    void write(std::shared_ptr<listener> l);
    void read_answer(std::shared_ptr<listener> l);
    void fail(const std::shared_ptr<listener>& l, std::string_view phase, boost::system::error_code ec,
              std::string_view what = {});
    void watch_deadline(std::shared_ptr<listener> l);
    void reset();

    boost::asio::ip::tcp::socket socket_;
    /// Bounds the exchange in progress lazily: it fires no earlier than
    /// some deadline, and is re-armed for deadline_ then, rather than set
    /// for every request.
    boost::asio::steady_timer timer_;
    read_buffer in_;
    std::string head_;      ///< the request's head being written
    std::string head_resource_; ///< the resource head_ was built for
    std::size_t head_prefix_ = 0; ///< head_'s bytes before a POST's length (a GET's: before the blank line)
    bool head_post_ = false;      ///< whether head_ is a POST's
    std::string_view body_; ///< the request's body being written
    std::string failure_;   ///< what the last failed exchange reports
    const target& target_;
    const std::optional<boost::asio::ip::address> source_;
    clock::time_point deadline_ = clock::time_point::max();
    clock::time_point last_used_{};
    bool connected_ = false;
    bool busy_ = false;
    bool timer_running_ = false;
    bool timed_out_ = false;
    bool shut_ = false;
};

} // namespace loadgen
