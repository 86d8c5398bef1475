#pragma once
// The writes held on a thread while a corio::engine::batched_writes lives
// there, and the io_uring they go out through (send_ring).

#include <boost/asio/buffer.hpp>

#include <cstdint>
#include <memory>
#include <span>

namespace corio::engine::detail {

class plain_websocket_connection;

/// Whether this thread may hold writes: set by run(ioc, 1) for its one
/// thread, which alone runs the connections' strands. Returns the previous
/// value.
bool allow_write_batches(bool allowed) noexcept;

/// Whether a batch is open on this thread (and the thread allows them):
/// hold_write() then takes a write.
bool write_batch_open() noexcept;

/// Holds `c`'s write of `buffers` (on its socket `fd`) until the batch goes
/// out; `c` then hears of it through on_batched_write. The buffers stay
/// valid until then (they are the connection's write in flight).
/// Precondition: write_batch_open().
void hold_write(std::shared_ptr<plain_websocket_connection> c, int fd,
                std::span<const boost::asio::const_buffer> buffers);

/// `c`'s socket is closing: its held write is not sent, and completes as
/// aborted when the batch goes out. Does nothing when none is held.
void drop_held_write(const plain_websocket_connection& c) noexcept;

/// Held writes since the process began: those the ring sent whole, and
/// those whose socket took part of them or nothing (each finished by an
/// asynchronous write). For tests.
struct held_write_counts {
    std::uint64_t whole = 0;
    std::uint64_t in_part = 0;
};
held_write_counts held_writes_sent() noexcept;

} // namespace corio::engine::detail
