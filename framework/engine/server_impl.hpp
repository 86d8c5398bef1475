#pragma once

#include <corio/engine/handler.hpp>
#include <corio/engine/http_endpoint.hpp>
#include <corio/engine/options.hpp>

#include "engine/rate_limiter.hpp"
#include "engine/session_host.hpp"
#include "engine/session_impl.hpp"
#include "engine/session_table.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

namespace corio::engine::detail {

/// engine::server's state, and its HTTP side. Its sessions do not hold it:
/// they hold the session_host it made. The listener holds it (as an
/// http_endpoint) while its connections may call it.
class server_impl final : public http_endpoint {
public:
    server_impl(boost::asio::any_io_executor ex, engine::options opts, handler& h);

    const engine::options& options() const noexcept { return host_->options; }
    std::size_t session_count() const { return sessions_->size(); }
    session_counts sessions_by_transport() const { return sessions_->count_by_transport(); }
    endpoint_stats stats() const noexcept { return host_->counters->snapshot(); }

    void close_all(close_reason reason);
    /// close_all, then waits until the sessions have finished or `deadline`
    /// passed. Holds `self` throughout.
    static boost::asio::awaitable<void> async_close_all(std::shared_ptr<server_impl> self, close_reason reason,
                                                        std::chrono::milliseconds deadline);
    void abort_all();

    // http_endpoint -------------------------------------------------------------

    const std::string& path() const noexcept override { return host_->options.path; }
    std::size_t body_limit() const noexcept override { return host_->options.limits.max_payload; }

    /// A long-polling GET or POST, a handshake, or a CORS preflight. Runs on
    /// the connection's strand; a GET's answer is written once the session
    /// has something to send.
    boost::asio::awaitable<bool> handle_request(http_stream& stream, http_request req,
                                                std::string remote_address) override;

    /// A POST body over the limit: 413, and the session named in the query ends.
    http_response handle_oversized(const http_request& req) override;

    /// A WebSocket upgrade request for this endpoint; takes the connection
    /// (its socket, or over TLS its TLS stream; a refusal is written first,
    /// under the stream's timeout). Returns once the session is started: it
    /// runs on without the HTTP connection's coroutines (whose buffers and
    /// request are then freed).
    boost::asio::awaitable<void> handle_websocket(http_stream& stream, http_request req,
                                                  std::string remote_address, strand_type strand,
                                                  std::chrono::seconds handshake_timeout) override;

private:
    /// An answer, and what must live until it is written.
    struct answer {
        http_response response;
        std::shared_ptr<void> drain; ///< a session's drain hold, with its last packets
    };

    /// A new polling session speaking Engine.IO `protocol` (3 or 4).
    boost::asio::awaitable<answer> open_polling(http_request req, request_info info, int protocol);
    /// Answers the WebSocket handshake on `ws` with `answer` (its 101), then
    /// starts a new session on it speaking Engine.IO `protocol`, or, when
    /// `upgrading`, that session's probe (on its strand).
    template <class Connection>
    void start_websocket(std::shared_ptr<Connection> ws, std::shared_ptr<session_impl> upgrading, std::string answer,
                         request_info info, int protocol, strand_type strand, std::chrono::seconds handshake_timeout);
    /// A new session on `strand`, in the table.
    std::shared_ptr<session_impl> make_session(request_info info, session::executor_type strand,
                                               transport_kind transport, int protocol);
    /// Closes `s`, just started, if async_close_all is under way: its
    /// snapshot of the sessions may have been taken before `s` was made.
    void close_if_closing_all(session_impl& s) const;

    /// False, counted, when `address` is over options::handshake_rate.
    bool handshake_allowed(const std::string& address);

    // The io_context of the server's executor: async_close_all waits on it.
    boost::asio::io_context& context_;
    std::shared_ptr<session_table> sessions_;
    std::shared_ptr<const session_host> host_;
    rate_limiter handshakes_;
    // The close_reason of the async_close_all under way, or -1. Set before
    // its snapshot of the sessions and read after a new session is in the
    // table (both under the table's locks), so every session is closed once.
    std::atomic<int> closing_all_{-1};
};

} // namespace corio::engine::detail
