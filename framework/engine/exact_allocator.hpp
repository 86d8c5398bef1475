#pragma once
// An allocator for the handlers of operations that stay pending for long:
// an idle WebSocket's wait for readability, a session's heartbeat wait.
//
// Asio gives an operation a block from a small per-thread cache when one is
// free and large enough, whatever its size: the block a finished operation
// left, say the WebSocket handshake's HTTP write (about 210 bytes). That is
// free for short operations, but a wait that lasts as long as its
// connection keeps the larger block as long. An operation whose handler is
// bound to this allocator (boost::asio::bind_allocator) gets a block of its
// own size from the heap instead; freeing it and allocating the next wait's
// is a hit in malloc's own per-thread cache.

#include <cstddef>
#include <new>

namespace corio::engine::detail {

template <class T> struct exact_allocator {
    using value_type = T;

    exact_allocator() noexcept = default;
    template <class U> exact_allocator(const exact_allocator<U>&) noexcept {}

    T* allocate(std::size_t n)
    {
        static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);
        return static_cast<T*>(::operator new(n * sizeof(T)));
    }
    // Unsized: clang 14 (the fuzz and sanitizer trees) declares no sized
    // operator delete without -fsized-deallocation.
    void deallocate(T* p, std::size_t) noexcept { ::operator delete(p); }

    template <class U> bool operator==(const exact_allocator<U>&) const noexcept { return true; }
};

} // namespace corio::engine::detail
