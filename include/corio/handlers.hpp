#pragma once
// The handler types a namespace stores. corio::nsp::on adapts typed handlers
// (see corio/invoke.hpp) to these.

#include <corio/arguments.hpp>
#include <corio/context.hpp>
#include <corio/disconnect_reason.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include <exception>
#include <functional>
#include <optional>
#include <string_view>

namespace corio {

/// What a connect handler or middleware decides.
struct connect_verdict {
    /// Set: refuse the connection; the client's connect_error gets this data.
    std::optional<boost::json::value> refusal;
};

inline connect_verdict accept() { return {}; }
/// Refuses with `{"message": message}`, as socket.io's middleware errors.
connect_verdict refuse(std::string_view message);
/// Refuses with any JSON data (an object or a string).
connect_verdict refuse_with(boost::json::value data);

/// Runs an event. `args` are the event's arguments without the event name.
using event_handler = std::function<boost::asio::awaitable<void>(context&, arguments)>;
/// Runs an event to its end before it returns: a handler that never awaits.
using sync_event_handler = std::function<void(context&, arguments)>;
/// An event handler as a namespace stores it (make_event_handler_forms makes
/// one from a typed handler). `async` is required. `sync`, the same handler
/// without a coroutine, is optional: the server calls it instead when the
/// socket has no other event queued or running, which saves the coroutine
/// frames and the scheduling an event costs otherwise.
struct event_handler_forms {
    event_handler async;
    sync_event_handler sync;
};
/// Decides on a CONNECT; the auth payload is ctx.handshake().auth.
using connect_handler = std::function<boost::asio::awaitable<connect_verdict>(context&)>;
/// Runs after a socket left; its rooms are still readable.
using disconnect_handler = std::function<boost::asio::awaitable<void>(context&, disconnect_reason)>;
/// Called with the exception a handler threw; the socket stays connected.
using error_handler = std::function<void(context&, std::exception_ptr)>;
/// Handles an event another server sent with server_side_emit: `args` hold
/// the event's arguments (without its name); the returned arguments are the
/// reply when the emitter asked for one.
using server_event_handler = std::function<arguments(arguments args)>;
/// Sees every event the server sends to a socket of the namespace.
using outgoing_handler = std::function<void(const socket_ref&, std::string_view event, const arguments&)>;

} // namespace corio
