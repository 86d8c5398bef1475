#pragma once
// Writes to many connections in one system call.

namespace corio::engine {

/// On each thread of run(ioc, threads), which alone runs the strands of its
/// io_context's connections, the WebSocket messages and HTTP answers
/// (long-polling's) written on plain TCP connections are held and go out
/// together, in one system call (Linux's io_uring) rather than one per
/// connection: by default once the handlers that the io_context has ready
/// have run, so that an echo's acks to many clients share a call.
/// While one of these lives, they go out instead when the outermost ends: a
/// broadcast's loop opens one, so that its messages leave at once. What a
/// socket does not take then goes out later, as from any write.
///
/// Elsewhere (a thread that is not run's, or one of several that run one
/// io_context), over TLS, or when the kernel offers no io_uring, writes go
/// out at once, as without it; so does a write of more than 16 KiB outside
/// one of these.
class batched_writes {
public:
    batched_writes() noexcept;
    /// The outermost sends what is held, then completes each write (which
    /// may start the connection's next one).
    ~batched_writes();
    batched_writes(const batched_writes&) = delete;
    batched_writes& operator=(const batched_writes&) = delete;
};

} // namespace corio::engine
