#pragma once
// The writes held on a thread while a corio::engine::batched_writes lives
// there, and the io_uring they go out through (send_ring).

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace corio::engine::detail {

/// What a held write reports to: a WebSocket connection, or an HTTP answer
/// being written (http_stream::async_write). Called on the thread that held
/// the write, from the posted flush or where the outermost batched_writes
/// ends: not necessarily on the owner's strand.
class held_write_owner {
public:
    /// The held write was sent, and the socket took `result` bytes
    /// (negative: none, an errno; -EIO also when the batch could not send
    /// it, for the owner to send itself).
    virtual void on_batched_write(std::int64_t result) = 0;
    /// The held write was not sent: the socket is closing.
    virtual void on_batched_write_dropped() = 0;

protected:
    ~held_write_owner() = default;
};

/// Lets this thread hold writes, for `ioc`, which it alone runs (run sets
/// it on each of its threads; null stops it), and opens the thread's ring.
/// Returns the previous one.
boost::asio::io_context* allow_write_batches(boost::asio::io_context* ioc) noexcept;

/// Whether this thread holds a write of `bytes`: hold_write() then takes
/// it. Within a batched_writes, a write of any size is held and goes out
/// when the outermost ends (a broadcast's frame is one buffer that every
/// recipient shares: holding it costs no memory, and sending large ones
/// together halved fanout-16k's CPU per delivery). Outside, a write of up to
/// 16 KiB is held until the handlers that the io_context has ready have run
/// (a posted flush), so that the writes of all of them go out together; a
/// larger one has buffers of its own, and with them held to the round's end
/// 64 KiB binary echoes fell to a third of their rate under load
/// (docs/performance.md, "Large writes alone go out at once").
bool may_hold_write(std::size_t bytes) noexcept;

/// Sends what is held now: run does on each thread's way out, where the
/// posted flush may never run.
void send_held_writes();

/// Holds `owner`'s write of `buffers` (on its socket `fd`) until the batch
/// goes out; `owner` then hears of it. The buffers stay valid until then
/// (they are the owner's write in flight). Precondition: may_hold_write()
/// of their size.
void hold_write(std::shared_ptr<held_write_owner> owner, int fd, std::span<const boost::asio::const_buffer> buffers);

/// `owner`'s socket is closing: its held write is not sent, and completes
/// as dropped when the batch goes out. Does nothing when none is held.
void drop_held_write(const held_write_owner& owner) noexcept;

/// Writes held since the process began, and of those sent, the ones their
/// socket took whole and the ones it took part of or nothing of (each
/// finished by an asynchronous write, as is a write the ring could not
/// submit). For tests.
struct held_write_counts {
    std::uint64_t held = 0;
    std::uint64_t whole = 0;
    std::uint64_t in_part = 0;
};
held_write_counts held_writes_sent() noexcept;

} // namespace corio::engine::detail
