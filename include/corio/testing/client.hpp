#pragma once
// corio::testing::client: an in-process Socket.IO client for handler tests,
// the C++ form of Flask-SocketIO's test_client. No sockets and no HTTP: a
// fake Engine.IO session hands every packet, encoded and decoded by the real
// Socket.IO codec, straight to the server's Engine.IO handler.

#include <corio/arguments.hpp>
#include <corio/engine/error.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace corio {
class server;
}

namespace corio::detail {
class testing_session;
}

namespace corio::testing {

struct client_options {
    /// The namespace `emit`, `emit_with_ack` and the constructor's connect use.
    std::string nsp = "/";
    /// The CONNECT packet's auth payload; empty: none is sent.
    boost::json::object auth;
    /// Request headers of the fake handshake, names in lower case.
    std::vector<std::pair<std::string, std::string>> headers;
    /// Query parameters of the fake handshake, after `EIO=4&transport=websocket`.
    std::vector<std::pair<std::string, std::string>> query;
    std::string remote_address = "127.0.0.1";
    /// Connect to `nsp` in the constructor.
    bool connect = true;
    /// The bound of every wait (connect, emit_with_ack, wait_for).
    std::chrono::milliseconds timeout{5000};
    /// The fake session's Engine.IO revision (engine::session::protocol_version).
    /// 3 plays a socket.io-client 2.x (Socket.IO protocol v4; the server
    /// needs engine.allow_eio3 only for real sessions): the server connects
    /// it to `/` by itself, connect() to another namespace sends the auth as
    /// the namespace's query (`40/admin?token=x,`), and CONNECT answers
    /// carry no sid.
    int engine_protocol = 4;
};

/// An event the server sent to the client.
struct received_event {
    std::string nsp;
    std::string event;
    /// The event's arguments; binary values are attachments, as on the server.
    arguments args;
    /// Whether the server let it go out WebSocket-compressed where
    /// permessage-deflate is on: false after broadcast_operator::compress(false)
    /// or socket_ref::compress(false).
    bool compressible = true;
};

/// A Socket.IO client living in the test's process.
///
/// Every packet goes through the real codec, in the server's parser
/// (server_options::parser): what the client sends is encoded with
/// protocol::encode_socket_packet_messages and fed to
/// `server.engine_handler()` as Engine.IO messages; what the server sends is
/// reassembled with a protocol::socket_packet_decoder. The fake Engine.IO session is a websocket
/// session whose request_info comes from client_options.
///
/// The test owns `ioc` and runs nothing else on it meanwhile: every call
/// drives the io_context itself (`run_one_for` / `poll`) until what it waits
/// for happened or `client_options::timeout` passed, so tests are
/// deterministic and need no threads. Calls that send (emit, disconnect,
/// close) return once no more work is ready, so the handlers they start have
/// run as far as they can without waiting on a timer or on the client.
///
/// @par Thread safety
/// Not thread safe: use a client from the thread that drives `ioc`. The
/// server may run its own work on other threads; whatever it sends the client
/// is handled on the fake session's strand, which runs on `ioc`.
///
/// @par Lifetime
/// `server` and `ioc` must outlive the client. The destructor closes the
/// fake session (the server sees on_close with transport_close) and drains
/// the io_context; packets the server sends later are dropped, and the
/// ack answerer is no longer called.
///
/// @par Exceptions
/// An exception that escapes a handler run by the io_context propagates out
/// of the call that was driving it (as from `io_context::run`).
class client {
public:
    client(corio::server& server, boost::asio::io_context& ioc, client_options opts = {});
    ~client();
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    /// Sends CONNECT for `nsp` (empty: the options' nsp) with `auth` as its
    /// payload (empty: none) and waits for CONNECT or CONNECT_ERROR. True if
    /// connected; true at once, sending nothing, when already connected.
    bool connect(std::string nsp = "", boost::json::object auth = {});
    bool connected(std::string_view nsp = "/") const;
    /// The socket id from the server's CONNECT answer; empty if none.
    std::string sid(std::string_view nsp = "/") const;
    /// The private id from the CONNECT answer (connection state recovery,
    /// server_options::recovery); empty if none.
    std::string pid(std::string_view nsp = "/") const;
    /// The data of the CONNECT_ERROR the server answered the last connect to
    /// `nsp` with, e.g. `{"message":"Invalid namespace"}`.
    std::optional<boost::json::value> connect_error(std::string_view nsp = "/") const;

    /// Emits to the options' namespace. Arguments as arguments::of.
    template <class... Args> void emit(std::string_view event, Args&&... args)
    {
        emit_to(opts_.nsp, event, arguments::of(std::forward<Args>(args)...));
    }
    void emit_to(std::string_view nsp, std::string_view event, arguments args);

    /// Emits with an ack id and waits for the server's ACK; std::nullopt on
    /// timeout or when the session closed first.
    template <class... Args> std::optional<arguments> emit_with_ack(std::string_view event, Args&&... args)
    {
        return emit_with_ack_to(opts_.nsp, event, arguments::of(std::forward<Args>(args)...));
    }
    std::optional<arguments> emit_with_ack_to(std::string_view nsp, std::string_view event, arguments args);

    /// Everything received in `nsp` so far, in arrival order (drains ready
    /// work first); the buffer is then empty.
    std::vector<received_event> get_received(std::string_view nsp = "/");
    /// Drives until an `event` arrives in `nsp` (or one already waits in the
    /// buffer), and takes the first such event out of the buffer; the events
    /// around it stay. std::nullopt on timeout.
    std::optional<received_event> wait_for(std::string_view event, std::string_view nsp = "/");

    /// Answers the server's ack requests (an EVENT with an ack id, from the
    /// server's emit_with_ack): `answer` gets the event, which is also
    /// buffered, and returns the ack's arguments. Without an answerer the
    /// client answers nothing. Called on the session's strand, from inside
    /// the calls that drive the io_context.
    void on_ack_request(std::function<arguments(const received_event&)> answer);

    /// Sends one Engine.IO message as it is, past the Socket.IO encoder: a
    /// text message (e.g. `42[1,2]`, or a binary packet's header
    /// `51-["x",{"_placeholder":true,"num":0}]`), or a binary one (an
    /// attachment). For tests of what a foreign or hostile client sends.
    void send_text(std::string text);
    void send_binary(std::string bytes);

    /// Sends DISCONNECT for `nsp`; the server runs its disconnect handler
    /// with disconnect_reason::client_disconnect.
    void disconnect(std::string_view nsp = "/");
    /// Ends the fake Engine.IO session: the server sees on_close(`reason`).
    void close(engine::close_reason reason = engine::close_reason::transport_close);

    /// The server sent DISCONNECT for `nsp` (socket_ref::disconnect).
    bool server_disconnected(std::string_view nsp = "/") const;
    /// The session is over: the server closed it (session::close) or the
    /// client did (close).
    bool engine_closed() const;
    /// Why the server closed the session, when it did.
    std::optional<engine::close_reason> server_close_reason() const;
    /// Server output the client's decoder refused (a server bug), as messages.
    std::vector<std::string> protocol_errors() const;

    /// Drives the io_context until no work is ready (a poll loop), then
    /// restarts it if it stopped.
    void run_until_idle();

private:
    /// Drives until `done()` or the timeout; returns `done()`.
    bool drive_until(const std::function<bool()>& done);
    static std::string normalize(std::string_view nsp);

    boost::asio::io_context& ioc_;
    client_options opts_;
    std::shared_ptr<detail::testing_session> session_;
    std::uint64_t next_ack_id_ = 0;
};

} // namespace corio::testing
