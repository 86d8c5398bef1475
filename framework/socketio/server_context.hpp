#pragma once
// What every namespace, client and socket of one corio::server shares: the
// options, the log, the counters and the tracker of running handlers. It is
// all they hold of the server: they never reach the server itself.

#include <corio/handlers.hpp>
#include <corio/options.hpp>
#include <corio/server.hpp>
#include <corio/server_observer.hpp>

#include "socketio/duration_histogram.hpp"
#include "socketio/per_thread.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

namespace corio::detail {

/// @par Thread safety
/// Any thread, except `middlewares` and the observers: set up before
/// connections arrive, read-only after.
class server_context {
public:
    /// `ex`: the executor of the io_context whose threads run the server.
    server_context(boost::asio::any_io_executor ex, server_options opts);

    const server_options& options() const noexcept { return opts_; }
    const boost::asio::any_io_executor& executor() const noexcept { return executor_; }
    /// Hands `r` to server_options::log when its level is enabled.
    void log(const log_record& r) const { opts_.log(r); }
    /// `p`'s Engine.IO messages, in the server's parser; with `compress`
    /// false never WebSocket-compressed.
    protocol::encoded_socket_packet encode(const protocol::socket_packet& p, bool compress = true) const
    {
        return protocol::encode_shared(p, opts_.parser, compress);
    }
    /// The same, moving `p`'s attachments into the messages.
    protocol::encoded_socket_packet encode(protocol::socket_packet&& p, bool compress = true) const
    {
        return protocol::encode_shared(std::move(p), opts_.parser, compress);
    }
    /// Test it before building anything costly for a record.
    bool log_enabled(log_level level) const noexcept { return opts_.log.enabled(level); }

    /// Server-wide connect middlewares, run before each namespace's.
    std::vector<connect_handler> middlewares;
    /// server::observe's observers, and whether one of them wants events.
    std::vector<std::shared_ptr<server_observer>> observers;
    bool observers_want_events = false;

    // Counters (server_stats).
    void count_argument_error() noexcept { ++argument_errors_; }
    void count_handler_error() noexcept { ++handler_errors_; }
    void count_volatile_drop() noexcept { ++volatile_dropped_; }
    void count_attachments_too_large() noexcept { ++attachments_too_large_; }
    void count_attachment_timeout() noexcept { ++attachment_timeouts_; }
    void count_namespace_limit() noexcept { ++namespace_limit_refusals_; }
    void count_room_limit() noexcept { ++room_limit_refusals_; }
    void count_ack_limit() noexcept { ++ack_limit_refusals_; }
    void count_rate_limited() noexcept { ++events_rate_limited_; }
    void count_event_queue_full() noexcept { ++event_queue_full_; }
    void count_dynamic_namespace_removed() noexcept { ++dynamic_namespaces_removed_; }
    void count_connect() noexcept { ++connects_; }
    void count_connect_refused() noexcept { ++connects_refused_; }
    void count_disconnect(disconnect_reason r) noexcept { ++disconnects_[static_cast<std::size_t>(r)]; }
    void count_recovery_session_kept() noexcept { ++recovery_sessions_kept_; }
    void count_recovery(bool restored) noexcept { ++(restored ? recoveries_ : recoveries_failed_); }
    void count_recovery_drops(const recovery_drops& d) noexcept
    {
        recovery_packets_dropped_ += d.packets_over_limit;
        recovery_packets_expired_ += d.packets_expired;
        recovery_sessions_expired_ += d.sessions_expired;
    }
    // Per broadcast and per delivery: relaxed, on the calling thread's own
    // cache line (per_thread), so that broadcasts on several threads do not
    // pass one line between their cores.
    void count_broadcast() noexcept { broadcast_counts_.local().broadcasts.fetch_add(1, std::memory_order_relaxed); }
    void count_delivery() noexcept { broadcast_counts_.local().deliveries.fetch_add(1, std::memory_order_relaxed); }
    /// An event's handlers, from the start of the first to the end of the
    /// last (awaited to completion).
    void observe_handler(std::chrono::steady_clock::duration d) noexcept { handler_durations_.observe(d); }
    /// An emit with ack, from sending to the client's answer.
    void observe_ack(std::chrono::steady_clock::duration d) noexcept { ack_round_trips_.observe(d); }
    /// The counters; engine_sessions and namespaces are left for the server
    /// to fill in.
    server_stats stats() const;

    // Handlers in flight, for shutdown to wait on.
    void handler_started() noexcept { ++running_handlers_; }
    void handler_finished();
    bool shutting_down() const noexcept { return shutting_down_.load(); }
    /// Marks the server as shutting down, then waits until no handler runs
    /// or `deadline` passed. Once only.
    boost::asio::awaitable<void> drain_handlers(std::chrono::milliseconds deadline);

private:
    boost::asio::any_io_executor executor_;
    server_options opts_;
    std::atomic<std::uint64_t> argument_errors_ = 0;
    std::atomic<std::uint64_t> handler_errors_ = 0;
    std::atomic<std::uint64_t> volatile_dropped_ = 0;
    std::atomic<std::uint64_t> attachments_too_large_ = 0;
    std::atomic<std::uint64_t> attachment_timeouts_ = 0;
    std::atomic<std::uint64_t> namespace_limit_refusals_ = 0;
    std::atomic<std::uint64_t> room_limit_refusals_ = 0;
    std::atomic<std::uint64_t> ack_limit_refusals_ = 0;
    std::atomic<std::uint64_t> events_rate_limited_ = 0;
    std::atomic<std::uint64_t> event_queue_full_ = 0;
    std::atomic<std::uint64_t> dynamic_namespaces_removed_ = 0;
    std::atomic<std::uint64_t> connects_ = 0;
    std::atomic<std::uint64_t> connects_refused_ = 0;
    std::array<std::atomic<std::uint64_t>, disconnect_reason_count> disconnects_{};
    std::atomic<std::uint64_t> recovery_sessions_kept_ = 0;
    std::atomic<std::uint64_t> recoveries_ = 0;
    std::atomic<std::uint64_t> recoveries_failed_ = 0;
    std::atomic<std::uint64_t> recovery_packets_dropped_ = 0;
    std::atomic<std::uint64_t> recovery_packets_expired_ = 0;
    std::atomic<std::uint64_t> recovery_sessions_expired_ = 0;
    struct broadcast_counts {
        std::atomic<std::uint64_t> broadcasts = 0;
        std::atomic<std::uint64_t> deliveries = 0;
    };
    per_thread<broadcast_counts> broadcast_counts_;
    duration_histogram handler_durations_;
    duration_histogram ack_round_trips_;
    std::atomic<bool> shutting_down_ = false;
    std::atomic<std::size_t> running_handlers_ = 0;
    std::shared_ptr<boost::asio::steady_timer> drained_; // cancelled when the last handler ends
};

} // namespace corio::detail
