#pragma once
// Many socket sends in one system call: a minimal io_uring (Linux 5.1 and
// later) that only sends. Each send is a sendmsg with MSG_DONTWAIT, so the
// kernel runs it within the submitting call and reports at once what it
// took, as a non-blocking sendmsg would: the whole message, part of it, or
// an error (EAGAIN when the socket's buffer is full). Nothing is left
// pending in the kernel once send() returns.
//
// Spoken through the raw system calls and <linux/io_uring.h>, as liburing
// would, which would be a dependency for these few lines.

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <span>

namespace corio::engine::detail {

class send_ring {
public:
    /// A ring of `entries` sends at most per submission. valid() is false
    /// when the kernel offers no io_uring (too old, disabled by
    /// kernel.io_uring_disabled, or refused by a seccomp filter).
    explicit send_ring(unsigned entries);
    ~send_ring();
    send_ring(const send_ring&) = delete;
    send_ring& operator=(const send_ring&) = delete;

    bool valid() const noexcept { return fd_ >= 0; }
    /// The most sends one call to send() takes.
    std::size_t capacity() const noexcept { return entries_; }

    /// Sends each message (at most capacity()) on its socket in one system
    /// call, and stores in `results` (as many) what a non-blocking sendmsg
    /// would return: the bytes taken, or −errno. False when the submission
    /// itself failed, before any message was sent (then `results` is
    /// unchanged and the caller sends them another way).
    bool send(std::span<const int> sockets, std::span<const msghdr> messages, std::span<std::int64_t> results);

private:
    /// io_uring_enter with GETEVENTS, retried when a signal interrupts it:
    /// the entries it submitted, or −1.
    long enter(unsigned to_submit, unsigned min_complete) noexcept;
    /// Unmaps and closes: valid() is false from then on.
    void release() noexcept;

    int fd_ = -1;
    unsigned entries_ = 0;
    // The three shared mappings: submission ring, completion ring, entries.
    void* sq_ring_ = nullptr;
    std::size_t sq_ring_size_ = 0;
    void* cq_ring_ = nullptr;
    std::size_t cq_ring_size_ = 0;
    void* sqes_ = nullptr;
    std::size_t sqes_size_ = 0;
    // Fields within the rings, from the offsets the kernel gives.
    unsigned* sq_head_ = nullptr;
    unsigned* sq_tail_ = nullptr;
    unsigned sq_mask_ = 0;
    unsigned* sq_array_ = nullptr;
    unsigned* cq_head_ = nullptr;
    unsigned* cq_tail_ = nullptr;
    unsigned cq_mask_ = 0;
    void* cqes_ = nullptr;
};

} // namespace corio::engine::detail
