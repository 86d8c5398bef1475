#include "engine/send_ring.hpp"

#include <linux/io_uring.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

namespace corio::engine::detail {

namespace {

template <class T> T* at(void* base, std::uint32_t offset)
{
    return reinterpret_cast<T*>(static_cast<char*>(base) + offset);
}

unsigned load_acquire(const unsigned* p)
{
    return std::atomic_ref<const unsigned>(*p).load(std::memory_order_acquire);
}

void store_release(unsigned* p, unsigned v)
{
    std::atomic_ref<unsigned>(*p).store(v, std::memory_order_release);
}

void* map(int fd, std::size_t size, off_t offset)
{
    void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, offset);
    return p == MAP_FAILED ? nullptr : p;
}

} // namespace

send_ring::send_ring(unsigned entries)
{
    io_uring_params params{};
    const long fd = ::syscall(__NR_io_uring_setup, entries, &params);
    if (fd < 0)
        return;
    fd_ = static_cast<int>(fd);
    entries_ = params.sq_entries;
    sq_ring_size_ = params.sq_off.array + params.sq_entries * sizeof(unsigned);
    cq_ring_size_ = params.cq_off.cqes + params.cq_entries * sizeof(io_uring_cqe);
    sqes_size_ = params.sq_entries * sizeof(io_uring_sqe);
    sq_ring_ = map(fd_, sq_ring_size_, IORING_OFF_SQ_RING);
    cq_ring_ = map(fd_, cq_ring_size_, IORING_OFF_CQ_RING);
    sqes_ = map(fd_, sqes_size_, IORING_OFF_SQES);
    if (!sq_ring_ || !cq_ring_ || !sqes_) {
        release();
        return;
    }
    sq_head_ = at<unsigned>(sq_ring_, params.sq_off.head);
    sq_tail_ = at<unsigned>(sq_ring_, params.sq_off.tail);
    sq_mask_ = *at<unsigned>(sq_ring_, params.sq_off.ring_mask);
    sq_array_ = at<unsigned>(sq_ring_, params.sq_off.array);
    cq_head_ = at<unsigned>(cq_ring_, params.cq_off.head);
    cq_tail_ = at<unsigned>(cq_ring_, params.cq_off.tail);
    cq_mask_ = *at<unsigned>(cq_ring_, params.cq_off.ring_mask);
    cqes_ = at<void>(cq_ring_, params.cq_off.cqes);
}

send_ring::~send_ring()
{
    release();
}

void send_ring::release() noexcept
{
    if (sqes_)
        ::munmap(sqes_, sqes_size_);
    if (cq_ring_)
        ::munmap(cq_ring_, cq_ring_size_);
    if (sq_ring_)
        ::munmap(sq_ring_, sq_ring_size_);
    sqes_ = cq_ring_ = sq_ring_ = nullptr;
    if (fd_ >= 0)
        ::close(fd_);
    fd_ = -1;
}

long send_ring::enter(unsigned to_submit, unsigned min_complete) noexcept
{
    long r;
    do
        r = ::syscall(__NR_io_uring_enter, fd_, to_submit, min_complete, IORING_ENTER_GETEVENTS, nullptr, 0);
    while (r < 0 && errno == EINTR);
    return r;
}

bool send_ring::send(std::span<const int> sockets, std::span<const msghdr> messages, std::span<std::int64_t> results)
{
    const auto n = static_cast<unsigned>(messages.size());
    if (n == 0)
        return true;
    if (!valid() || n > entries_ || sockets.size() != n || results.size() != n)
        return false;
    // Every submission is reaped before send() returns, so the rings start
    // empty: entry i is slot tail + i.
    auto* sqes = static_cast<io_uring_sqe*>(sqes_);
    const unsigned tail = *sq_tail_;
    for (unsigned i = 0; i < n; ++i) {
        const unsigned slot = (tail + i) & sq_mask_;
        io_uring_sqe& e = sqes[slot];
        std::memset(&e, 0, sizeof e);
        e.opcode = IORING_OP_SENDMSG;
        e.fd = sockets[i];
        e.addr = reinterpret_cast<std::uint64_t>(&messages[i]);
        e.len = 1;
        e.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL;
        e.user_data = i;
        sq_array_[slot] = slot;
    }
    store_release(sq_tail_, tail + n);
    // With MSG_DONTWAIT each send completes within the submitting call, so
    // waiting for its completion does not block.
    const long submitted = enter(n, n);
    // Entries the kernel did not take (a failed call takes none) must not
    // go out with a later submission: the tail goes back to its head.
    const unsigned taken_up_to = load_acquire(sq_head_);
    if (taken_up_to != tail + n)
        store_release(sq_tail_, taken_up_to);
    if (submitted <= 0)
        return false;
    bool all_reported = true;
    while (load_acquire(cq_tail_) - *cq_head_ < static_cast<unsigned>(submitted))
        if (enter(0, static_cast<unsigned>(submitted)) < 0) {
            all_reported = false;
            break;
        }
    unsigned head = *cq_head_;
    const unsigned cq_tail = load_acquire(cq_tail_);
    auto* cqes = static_cast<io_uring_cqe*>(cqes_);
    // A message whose send was not submitted, or not reported, counts as
    // not sent: the caller sends it another way.
    std::fill(results.begin(), results.end(), -EIO);
    for (; head != cq_tail; ++head) {
        const io_uring_cqe& c = cqes[head & cq_mask_];
        if (c.user_data < n)
            results[c.user_data] = c.res;
    }
    store_release(cq_head_, head);
    // Never seen (MSG_DONTWAIT sends do not wait), but a send still in the
    // kernel could complete into a later submission's results: the ring is
    // closed, which cancels it, and later sends go another way.
    if (!all_reported)
        release();
    return true;
}

} // namespace corio::engine::detail
