#pragma once
// The one seam through which the Engine.IO layer calls up. It knows nothing of
// namespaces or events: it reports sessions opening, messages, and closing.

#include <corio/engine/error.hpp>
#include <corio/protocol/engine_packet.hpp>

#include <memory>

namespace corio::engine {

class session;

/// What the layer above keeps for one session: handler::on_open returns it,
/// and the engine calls it for that session's messages and its close.
///
/// @par Thread safety
/// Called on the session's strand only, one call at a time: on_message for
/// each message in arrival order, then exactly one on_close. Implementations
/// must not block.
///
/// @par Lifetime
/// The engine holds it from on_open until on_close has returned, then lets it
/// go. It may hold its session (a cycle the engine breaks after on_close).
class session_handler {
public:
    virtual ~session_handler() = default;

    /// A `message` packet (text or binary) arrived.
    virtual void on_message(protocol::packet&& message) = 0;

    /// The session ended; nothing more will be delivered or sent.
    virtual void on_close(close_reason reason) = 0;
};

/// Implemented by the layer above (corio::server, or an app that wants raw
/// Engine.IO, like the conformance echo endpoint).
///
/// @par Thread safety
/// on_open runs on the new session's strand, before any other call for that
/// session. Calls for different sessions may run concurrently on different
/// threads. Implementations must not block.
///
/// @par Lifetime
/// It must outlive every session it was told of (engine::server says so of
/// the handler it is given).
class handler {
public:
    virtual ~handler() = default;

    /// The handshake is done; the open packet is queued. `s->send` works.
    /// Returns the session's handler, which the engine keeps until after its
    /// on_close. nullptr refuses the session: the engine closes it with
    /// close_reason::server_close (unless on_open closed it already, whose
    /// reason then stands), drops its messages, and reports nothing more.
    virtual std::shared_ptr<session_handler> on_open(const std::shared_ptr<session>& s) = 0;
};

} // namespace corio::engine
