#pragma once
// One connection to Redis that keeps itself up: the socket, the RESP reader,
// the handshake (AUTH, SELECT) and the reconnect loop shared by the command
// connection and the subscriber.

#include "resp_reader.hpp"

#include <corio/redis/connection_options.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/system/error_code.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace corio::redis::detail {

/// The base of connection_impl and subscriber_impl. After start_link() it
/// connects (TCP after resolving, or a Unix socket), sends AUTH and SELECT
/// as the endpoint asks, and calls on_link_up() once Redis accepted them, all
/// within connect_timeout. Whenever the connection fails or drops it logs a warning,
/// calls on_link_down() if it was up, waits (backoff from reconnect_min
/// doubling to reconnect_max, each wait shortened by up to 50% at random)
/// and connects again, until close_link().
///
/// Writes are pipelined: while up, flush() starts one write of everything
/// collect() hands over, and the next write starts when it completes.
/// Replies go to on_reply() in the order Redis sent them.
///
/// @par Thread safety
/// Every member and hook runs on strand(); the derived class posts its
/// public calls there.
///
/// @par Lifetime
/// Held by shared_ptr. Each pending operation holds one, so the object lives
/// while it (re)connects, until close_link().
class link : public std::enable_shared_from_this<link> {
public:
    link(const link&) = delete;
    link& operator=(const link&) = delete;
    virtual ~link() = default;

    /// Times the link came back up after it had been up (the first connect
    /// is not counted). Any thread.
    std::uint64_t reconnects() const noexcept { return reconnects_.load(std::memory_order_relaxed); }

protected:
    using strand_type = boost::asio::strand<boost::asio::any_io_executor>;

    link(const boost::asio::any_io_executor& ex, connection_options opts);

    const strand_type& strand() const noexcept { return strand_; }
    const connection_options& options() const noexcept { return opts_; }

    /// Starts connecting; a no-op once started or closed.
    void start_link();
    /// Stops for good: closes the socket and cancels every wait. No hook is
    /// called afterwards.
    void close_link();
    /// Whether the handshake is done (on_link_up was called, on_link_down not
    /// yet).
    bool link_up() const noexcept { return state_ == state::up; }
    bool link_closed() const noexcept { return state_ == state::closed; }
    /// Writes what collect() hands over, now or when the write in flight
    /// completes. A no-op while not up.
    void flush();
    /// Drops the connection (say, replies out of step with the commands) and
    /// reconnects: logs `why`, then on_link_down(reason) if it was up.
    void drop(std::string_view why, boost::system::error_code reason);
    /// Logs through options().log, with the Redis address as `remote`.
    void log(log_level level, std::string_view message, std::string_view error = {}) const;

    /// Connected, AUTH and SELECT accepted.
    virtual void on_link_up() = 0;
    /// The connection went down after on_link_up(): `reason` is
    /// error::connection_lost, or error::protocol_error when Redis sent
    /// bytes that are not RESP.
    virtual void on_link_down(boost::system::error_code reason) = 0;
    /// One reply, while up. The hook may call drop() or close_link().
    virtual void on_reply(raw_reply r) = 0;
    /// Appends the bytes to write now to `out` (empty when called); called
    /// only while up.
    virtual void collect(std::string& out) = 0;

private:
    enum class state { idle, connecting, handshaking, up, waiting, closed };

    void connect();
    void connect_unix();
    void resolve();
    void try_endpoint(std::size_t i, boost::system::error_code last);
    void on_connected();
    void go_up();
    void start_read();
    void on_bytes(std::size_t n);
    void on_handshake_reply(const redisReply& r);
    void fail_attempt(std::string_view why);
    void close_socket() noexcept;
    void schedule_reconnect();
    /// The I/O of the current connection may go on (its generation is
    /// `gen` and it has not been dropped).
    bool current(std::uint64_t gen) const noexcept;
    std::string where() const;

    connection_options opts_;
    strand_type strand_;
    boost::asio::generic::stream_protocol::socket socket_;
    boost::asio::ip::tcp::resolver resolver_;
    // The connect timeout while connecting, the backoff while waiting.
    boost::asio::steady_timer timer_;
    std::vector<boost::asio::generic::stream_protocol::endpoint> endpoints_;
    resp_reader reader_;

    state state_ = state::idle;
    // Bumped whenever a connection attempt ends: completions of an older
    // generation belong to a socket that is gone and are ignored.
    std::uint64_t gen_ = 0;
    // An operation's buffer stays in use until its handler ran, even after
    // the socket closed: a new read or write waits for the old handler.
    bool reading_ = false;
    bool writing_ = false;
    std::string handshake_out_;
    int handshake_left_ = 0;
    std::string write_buf_;
    std::array<char, 64 * 1024> read_buf_;

    std::chrono::milliseconds backoff_;
    bool been_up_ = false;
    std::atomic<std::uint64_t> reconnects_ = 0;
    std::minstd_rand rng_;
};

} // namespace corio::redis::detail
