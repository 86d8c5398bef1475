#include "engine/write_batch.hpp"

#include "engine/send_ring.hpp"

#include <corio/engine/batched_writes.hpp>

#include <boost/asio/post.hpp>

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <utility>
#include <vector>

namespace corio::engine {

namespace detail {

namespace {

namespace net = boost::asio;

// The most buffers one write takes, as Asio's write_some: the rest of a
// longer write goes out after it.
constexpr std::size_t max_buffers_per_write = 64;

// The largest write held outside a batched_writes (may_hold_write).
constexpr std::size_t max_write_held_alone = 16 * 1024;
// Sends per submission.
constexpr unsigned ring_entries = 256;

struct held_write {
    std::shared_ptr<held_write_owner> owner;
    int fd;
    std::size_t first_iov;
    std::size_t iov_count;
    // The bytes of those buffers: a send that took fewer went out in part.
    std::size_t size;
    bool dropped = false;
};

struct thread_batches {
    // The io_context this thread alone runs (one of run's); null when the
    // thread may not hold writes.
    net::io_context* context = nullptr;
    unsigned depth = 0;
    // A flush of the writes held outside a batched_writes is posted.
    bool flush_posted = false;
    std::vector<held_write> held;
    std::vector<iovec> iovs;
    // Made when the thread is let hold writes; null when the kernel has no
    // io_uring (then held writes go out one by one).
    std::unique_ptr<send_ring> ring;
    bool ring_tried = false;

    send_ring* usable_ring()
    {
        if (!ring_tried) {
            ring_tried = true;
            ring = std::make_unique<send_ring>(ring_entries);
        }
        return ring && ring->valid() ? ring.get() : nullptr;
    }
};

thread_local thread_batches batches;

std::atomic<std::uint64_t> held_total{0};
std::atomic<std::uint64_t> sent_whole{0};
std::atomic<std::uint64_t> sent_in_part{0};

/// Sends the held writes through the ring, then completes each in the order
/// it was held. A write the ring could not send completes as not sent, so
/// that its owner writes it itself.
void send_held(thread_batches& t)
{
    std::vector<held_write> held;
    std::vector<iovec> iovs;
    held.swap(t.held);
    iovs.swap(t.iovs);
    // What was not sent stays -EIO: the owner sends it itself.
    std::vector<std::int64_t> results(held.size(), -EIO);
    if (held.size() == 1 && !held[0].dropped) {
        // One write: a sendmsg of its own costs less than a submission.
        msghdr m{};
        m.msg_iov = iovs.data();
        m.msg_iovlen = held[0].iov_count;
        const ssize_t r = ::sendmsg(held[0].fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
        results[0] = r >= 0 ? r : -errno;
    } else if (send_ring* ring = t.usable_ring()) {
        std::vector<int> fds;
        std::vector<msghdr> messages;
        std::vector<std::size_t> which;
        std::vector<std::int64_t> sent;
        for (std::size_t i = 0; i < held.size();) {
            fds.clear();
            messages.clear();
            which.clear();
            for (; i < held.size() && messages.size() < ring->capacity(); ++i) {
                if (held[i].dropped)
                    continue;
                msghdr m{};
                m.msg_iov = iovs.data() + held[i].first_iov;
                m.msg_iovlen = held[i].iov_count;
                messages.push_back(m);
                fds.push_back(held[i].fd);
                which.push_back(i);
            }
            sent.resize(messages.size());
            if (ring->send(fds, messages, sent))
                for (std::size_t k = 0; k < which.size(); ++k)
                    results[which[k]] = sent[k];
        }
    }
    for (std::size_t i = 0; i < held.size(); ++i) {
        auto& w = held[i];
        if (w.dropped) {
            w.owner->on_batched_write_dropped();
            continue;
        }
        const bool whole = results[i] >= 0 && static_cast<std::size_t>(results[i]) == w.size;
        (whole ? sent_whole : sent_in_part).fetch_add(1, std::memory_order_relaxed);
        w.owner->on_batched_write(results[i]);
    }
    // Their capacity serves the next batch, unless a completion started one.
    held.clear();
    iovs.clear();
    if (t.held.empty())
        t.held.swap(held);
    if (t.iovs.empty())
        t.iovs.swap(iovs);
}

} // namespace

net::io_context* allow_write_batches(net::io_context* ioc) noexcept
{
    // A flush posted to an io_context that stopped may never run: the next
    // write held posts its own.
    batches.flush_posted = false;
    // The ring now, not at the first batch: the thread's descriptors are
    // all open once it is ready to serve.
    if (ioc)
        batches.usable_ring();
    return std::exchange(batches.context, ioc);
}

void send_held_writes()
{
    if (!batches.held.empty())
        send_held(batches);
}

bool may_hold_write(std::size_t bytes) noexcept
{
    return batches.context != nullptr && (batches.depth > 0 || bytes <= max_write_held_alone);
}

void hold_write(std::shared_ptr<held_write_owner> owner, int fd, std::span<const boost::asio::const_buffer> buffers)
{
    auto& t = batches;
    if (t.depth == 0 && !t.flush_posted) {
        // Held outside a batched_writes: sent once the handlers ready now
        // have run, with whatever they write too.
        t.flush_posted = true;
        net::post(*t.context, [] {
            batches.flush_posted = false;
            send_held_writes();
        });
    }
    held_total.fetch_add(1, std::memory_order_relaxed);
    const std::size_t count = std::min(buffers.size(), max_buffers_per_write);
    const std::size_t first = t.iovs.size();
    std::size_t size = 0;
    for (std::size_t i = 0; i < count; ++i) {
        t.iovs.push_back({const_cast<void*>(buffers[i].data()), buffers[i].size()});
        size += buffers[i].size();
    }
    t.held.push_back({std::move(owner), fd, first, count, size});
}

held_write_counts held_writes_sent() noexcept
{
    return {held_total.load(std::memory_order_relaxed), sent_whole.load(std::memory_order_relaxed),
            sent_in_part.load(std::memory_order_relaxed)};
}

void drop_held_write(const held_write_owner& owner) noexcept
{
    for (auto& w : batches.held)
        if (w.owner.get() == &owner)
            w.dropped = true;
}

} // namespace detail

batched_writes::batched_writes() noexcept
{
    ++detail::batches.depth;
}

batched_writes::~batched_writes()
{
    auto& t = detail::batches;
    if (--t.depth > 0 || t.held.empty())
        return;
    detail::send_held(t);
}

} // namespace corio::engine
