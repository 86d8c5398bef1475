#pragma once

#include <corio/engine/handler.hpp>
#include <corio/engine/listener.hpp>
#include <corio/engine/options.hpp>

#include "engine/session_impl.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <array>
#include <mutex>
#include <string>
#include <unordered_map>

namespace corio::engine::detail {

/// The session table, split into shards so that concurrent lookups from
/// different threads rarely share a lock. Lookups happen per polling request
/// and per upgrade, never per WebSocket message.
class session_table {
public:
    void insert(const std::shared_ptr<session_impl>& s);
    std::shared_ptr<session_impl> find(const std::string& id) const;
    void erase(const std::string& id);
    /// Forgets every session (they hold the server: this breaks the cycle).
    void clear();
    std::size_t size() const;
    std::vector<std::shared_ptr<session_impl>> snapshot() const;

private:
    struct shard {
        mutable std::mutex mutex;
        std::unordered_map<std::string, std::shared_ptr<session_impl>> sessions;
    };
    shard& shard_for(const std::string& id) const;

    static constexpr std::size_t shard_count = 16;
    mutable std::array<shard, shard_count> shards_;
};

class server_impl : public std::enable_shared_from_this<server_impl> {
public:
    server_impl(boost::asio::any_io_executor ex, options opts, handler& h);

    const options& opts() const noexcept { return opts_; }
    handler& get_handler() noexcept { return handler_; }
    session_table& sessions() noexcept { return sessions_; }
    std::size_t max_payload() const noexcept { return opts_.limits.max_payload; }

    /// The open packet's JSON for a session on `transport`.
    std::string open_packet_data(const std::string& sid, transport_kind transport) const;

    /// A plain HTTP request (not a WebSocket upgrade) for this endpoint.
    /// Runs on the connection's strand.
    boost::asio::awaitable<http_response> handle_request(http_request req, std::string remote_address);

    /// A POST body over the limit: 413, and the session named in the query ends.
    http_response handle_oversized(const http_request& req);

    /// A WebSocket upgrade request for this endpoint; takes the connection's
    /// socket (a refusal is written first, under the stream's timeout).
    /// `strand` is the connection's strand (the stream's executor). Returns
    /// once the session is started: it runs on without the HTTP connection's
    /// coroutines (whose buffers and request are then freed).
    boost::asio::awaitable<void> handle_websocket(boost::beast::tcp_stream& stream, http_request req,
                                                  std::string remote_address,
                                                  session::executor_type strand,
                                                  std::chrono::seconds handshake_timeout);

    void close_all(close_reason reason);
    void abort_all();

private:
    /// The handshake of a WebSocket that asks to upgrade `upgrading`, then
    /// its probe. On the session's strand.
    boost::asio::awaitable<void> accept_upgrade(std::shared_ptr<session_impl> upgrading,
                                                std::shared_ptr<websocket_connection> ws, http_request req,
                                                std::chrono::seconds handshake_timeout);
    boost::asio::awaitable<http_response> open_polling(const http_request& req, request_info info);

    // Sessions' strands are made on it (session::executor_type).
    boost::asio::io_context& session_context_;
    options opts_;
    handler& handler_;
    session_table sessions_;
};

} // namespace corio::engine::detail
