#pragma once
// Limits every decoder enforces on wire input.

#include <cstddef>

namespace corio::protocol {

struct decode_limits {
    /// Largest polling body or single Engine.IO message, in bytes
    /// (Engine.IO's `maxPayload` / socket.io's `maxHttpBufferSize`).
    std::size_t max_payload = 1'000'000;
    /// Most packets in one polling payload. The official clients batch every
    /// queued packet into one POST, so this is generous.
    std::size_t max_packets_per_payload = 100'000;
    /// Most binary attachments in one Socket.IO packet.
    std::size_t max_attachments = 256;
    /// Most bytes of all the binary attachments of one Socket.IO packet
    /// together (each one is also bounded by max_payload). The decoder holds
    /// a packet's attachments until the last arrives, so without this bound
    /// one packet could make it hold max_attachments * max_payload bytes
    /// (about 256 MB) per connection. A packet over it is refused with
    /// error::attachments_too_large as soon as the attachment that crosses it
    /// arrives; the server then closes the connection
    /// (disconnect_reason::attachments_too_large). Ten times max_payload by
    /// default: the official clients send a Buffer per attachment, and
    /// Socket.IO's own maxHttpBufferSize (1 MB) bounds a whole text packet.
    std::size_t max_attachment_bytes = 10'000'000;
    /// Most digits in an ack id (15 keeps ids exact as JavaScript numbers).
    std::size_t max_ack_id_digits = 15;
    /// Deepest nesting of arrays and objects in a value a client sends: one
    /// argument of an EVENT or ACK (the packet's own outer array, which holds
    /// the event name and the arguments, does not count), or a CONNECT's auth
    /// object. `[]`, `{}` and `{"a":1}` are 1 deep, `[[]]` is 2. A packet
    /// nested deeper is refused with error::json_too_deep, and the
    /// connection is closed (a parse error, as socket.io closes on a packet
    /// it cannot decode).
    ///
    /// Node's and Python's socket.io servers accept data hundreds of levels
    /// deep, so the default is generous. It also bounds the recursion left
    /// on such data: Boost.JSON parses, copies, compares and destroys a
    /// value recursively, about 90 to 180 bytes of stack per level (some
    /// 180 KB at 1000, well within a thread's default 2 to 8 MiB); Corio's
    /// own walks (the JSON writer, placeholder walks) use explicit stacks.
    /// Raise it only with that in mind.
    std::size_t max_json_depth = 1000;
};

} // namespace corio::protocol
