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
    /// Most digits in an ack id (15 keeps ids exact as JavaScript numbers).
    std::size_t max_ack_id_digits = 15;
    /// Deepest JSON nesting accepted in a Socket.IO packet's data.
    std::size_t max_json_depth = 64;
};

} // namespace corio::protocol
