#pragma once
// The one seam through which the Engine.IO layer calls up. It knows nothing of
// namespaces or events: it reports sessions opening, messages, and closing.

#include <corio/engine/error.hpp>
#include <corio/protocol/engine_packet.hpp>

#include <memory>

namespace corio::engine {

class session;

/// Implemented by the layer above (corio::server, or an app that wants raw
/// Engine.IO, like the conformance echo endpoint).
///
/// @par Thread safety
/// Every call for a given session runs on that session's strand, one at a
/// time and in order: on_open, then on_message for each message in arrival
/// order, then exactly one on_close. Calls for different sessions may run
/// concurrently on different threads. Implementations must not block.
class handler {
public:
    virtual ~handler() = default;

    /// The handshake is done; the open packet is queued. `s.send` works.
    virtual void on_open(const std::shared_ptr<session>& s) = 0;

    /// A `message` packet (text or binary) arrived.
    virtual void on_message(const std::shared_ptr<session>& s, protocol::packet&& message) = 0;

    /// The session ended; nothing more will be delivered or sent.
    virtual void on_close(const std::shared_ptr<session>& s, close_reason reason) = 0;
};

} // namespace corio::engine
