// One Socket.IO client connection, over WebSocket (frames of our own on plain
// TCP, raw_connection.hpp; a Beast stream for TLS or permessage-deflate) or
// over HTTP long-polling (polling_connection.hpp): the handshake, a reader
// that answers the server's pings and hands every other message to an
// observer, a write queue, and a bounded close.
#pragma once

#include "target.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace loadgen {

class connection;

/// What a scenario does with a connection's traffic. Calls run on the
/// connection's executor, so calls for one connection never overlap.
class connection_observer {
public:
    /// A Socket.IO message other than the connect answer (an event, an ack),
    /// or a binary attachment (its bytes, decoded from base64 over polling).
    /// The view dies when the call returns.
    virtual void on_message(connection& c, std::string_view message) = 0;
    /// The connection ended; called once. `reason` is empty when we closed
    /// it ourselves (close()), else says why ("read: End of file").
    virtual void on_closed(connection& c, std::string_view reason) = 0;

protected:
    ~connection_observer() = default;
};

struct open_result;

/// One client of the server, on namespace "/": a WebSocket over TCP for a
/// ws:// target (raw_connection.cpp; with permessage-deflate, Beast's stream
/// in connection.cpp), over TLS for wss:// (connection.cpp); or, with transport_kind::polling,
/// long-polling over two plain HTTP/1.1 connections (polling_connection.cpp).
///
/// @par Thread Safety
/// Everything but close() must run on executor(): the executor the opening
/// coroutine ran on (a strand when the io_context has several threads).
///
/// @par Lifetime
/// Async work holds a shared_ptr to the connection. The observer is held by
/// reference and must outlive the io_context's run; the connection never
/// calls it from its destructor.
class connection : public std::enable_shared_from_this<connection> {
public:
    using clock = std::chrono::steady_clock;

    virtual ~connection() = default;

    /// Connects from `source` (nullopt: the kernel chooses), does the TLS
    /// handshake for a wss:// target, upgrades to WebSocket (or, polling,
    /// makes the Engine.IO handshake request), reads the Engine.IO open
    /// packet, sends the CONNECT to "/" and waits for the answer. The whole
    /// handshake is bounded by `timeout`. Failures come back as a reason,
    /// never as an exception. The calling coroutine's executor becomes the
    /// connection's executor.
    static boost::asio::awaitable<open_result> open(const target& t, std::optional<boost::asio::ip::address> source,
                                                    std::chrono::milliseconds timeout);

    const boost::asio::any_io_executor& executor() const noexcept { return executor_; }

    /// Starts the reader; call once, after open() succeeded.
    virtual void start(connection_observer& observer) = 0;

    /// Queues one Socket.IO packet (wire.hpp): a text message, or a binary
    /// one with the msgpack parser. Dropped once the connection has ended.
    virtual void send(std::string message) = 0;

    /// Queues one binary attachment, to follow the binary packet sent
    /// before it (wire::binary_event_with_ack): a binary WebSocket message,
    /// or `b` + base64 over polling. Dropped once the connection has ended.
    virtual void send_binary(std::string bytes) = 0;

    /// From any thread: starts a close bounded by `timeout` (a WebSocket
    /// close, or Engine.IO's close packet over polling); the reader then ends
    /// and the observer sees an empty reason.
    virtual void close(std::chrono::milliseconds timeout) = 0;

    /// The close, bounded by `timeout`, for a connection whose reader was
    /// never started. Returns the close's error, if any.
    virtual boost::asio::awaitable<boost::system::error_code> close_now(std::chrono::milliseconds timeout) = 0;

protected:
    explicit connection(boost::asio::any_io_executor executor) : executor_(std::move(executor)) {}

    boost::asio::any_io_executor executor_;
};

/// The outcome of connection::open().
struct open_result {
    std::shared_ptr<connection> conn; ///< null on failure
    std::string failure;              ///< "phase: reason" when conn is null
    std::chrono::steady_clock::duration latency{}; ///< TCP connect start → `40{`
};

} // namespace loadgen
