#pragma once
// The writes held on a thread while a corio::engine::batched_writes lives
// there, and the io_uring they go out through (send_ring).

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <memory>
#include <span>

namespace corio::engine::detail {

class plain_websocket_connection;

/// Lets this thread hold writes, for `ioc`, which it alone runs (run(ioc,
/// 1) sets it for its one thread; null stops it). Returns the previous one.
boost::asio::io_context* allow_write_batches(boost::asio::io_context* ioc) noexcept;

/// Whether this thread holds writes: hold_write() then takes one. Within a
/// batched_writes they go out when the outermost ends; outside, once the
/// handlers that the io_context has ready have run (a posted flush), so
/// that the writes of all of them go out together.
bool write_batch_open() noexcept;

/// Sends what is held now: run(ioc, 1) does on its way out, where the
/// posted flush may never run.
void send_held_writes();

/// Holds `c`'s write of `buffers` (on its socket `fd`) until the batch goes
/// out; `c` then hears of it through on_batched_write. The buffers stay
/// valid until then (they are the connection's write in flight).
/// Precondition: write_batch_open().
void hold_write(std::shared_ptr<plain_websocket_connection> c, int fd,
                std::span<const boost::asio::const_buffer> buffers);

/// `c`'s socket is closing: its held write is not sent, and completes as
/// aborted when the batch goes out. Does nothing when none is held.
void drop_held_write(const plain_websocket_connection& c) noexcept;

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
