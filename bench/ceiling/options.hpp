// Every number the ceiling server (bench/ceiling) announces or enforces, in one place.
#pragma once

#include <chrono>
#include <cstddef>

namespace ceiling {

/// What the ceiling announces in its Engine.IO open packet and the limits it enforces. The
/// Engine.IO values are the bench app's (../shared/specs/bench-app.md), the same as the other
/// bench servers'.
struct options {
    /// Announced in the open packet. Every connection is pinged once per interval, on one
    /// timer per worker (not one per connection), so a connection's first ping comes between
    /// zero and one interval after it opened.
    std::chrono::milliseconds ping_interval{25'000};
    /// A connection that has not answered a ping this long after it was sent is closed.
    std::chrono::milliseconds ping_timeout{20'000};
    /// Largest WebSocket message (after reassembling fragments), in bytes: a larger one closes
    /// the connection (WebSocket status 1009). Announced as Engine.IO's maxPayload.
    std::size_t max_payload = 1'000'000;
    /// Largest HTTP upgrade request header block, in bytes: a larger one is answered 431.
    /// A request still incomplete at a heartbeat check is dropped, as a connection that never
    /// answers a ping is.
    std::size_t max_header_size = 16 * 1024;
    /// Bytes queued for a connection whose socket does not take them (a client that stops
    /// reading): past this the connection is closed rather than left to grow without bound.
    std::size_t max_unsent = 64 * 1024 * 1024;
    /// Each worker's read buffer to start with, where its connections go on reading what does
    /// not fit their own small buffer (doubled whenever a larger frame needs it, and kept).
    std::size_t read_buffer_size = 64 * 1024;
    /// Pending connections the kernel queues before accept (the bench app's: 1024).
    int listen_backlog = 1024;
    /// The writes of one round (every read's answers and broadcast frames made by the handlers
    /// ready at once) go out in one system call through io_uring, as Corio's do on one thread
    /// (docs/performance.md, "Writes in one system call"). Off, or without io_uring, each goes
    /// out at once by its own write.
    bool batch_writes = true;
};

} // namespace ceiling
