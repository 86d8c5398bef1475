#pragma once
// Writes to many connections in one system call.

namespace corio::engine {

/// While one lives, the WebSocket messages that this thread would write at
/// once on plain TCP connections (a broadcast's, typically) are held, and go
/// out together when the outermost one ends: one system call (Linux's
/// io_uring) rather than one per connection, which on a broadcast to many is
/// most of the server's work. What a socket does not take then goes out
/// later, as from any write.
///
/// Only on the thread of run(ioc, 1), which alone runs the connections'
/// strands, so that none of them can close a socket whose write is held.
/// Elsewhere, over TLS, or when the kernel offers no io_uring, writes go out
/// at once, as without it.
class batched_writes {
public:
    batched_writes() noexcept;
    /// The outermost sends what was held, then completes each write (which
    /// may start the connection's next one, sent at once).
    ~batched_writes();
    batched_writes(const batched_writes&) = delete;
    batched_writes& operator=(const batched_writes&) = delete;
};

} // namespace corio::engine
