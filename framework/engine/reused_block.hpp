#pragma once
// One heap block that an object's chain of operations takes in turn: a
// WebSocket's wait for readability, then the completion that the wait
// dispatches to the connection's strand, then the next wait.
//
// Asio frees an operation's memory before it runs the operation's handler,
// so each link of such a chain finds the block free, and a read costs no
// malloc and no free (with exact_allocator it cost two of each). Unlike
// Asio's per-thread cache, the block stays the size of the chain's largest
// operation: an idle connection's pending wait holds no larger block than
// it needs (see exact_allocator.hpp).
//
// Contract: at most one operation holds the block at a time, and the
// chain's allocations and deallocations happen one after the other (each
// link starts after the previous one's memory was released, as Asio's
// completions do). A request while the block is taken, or larger than it,
// goes to the heap; a heap block freed while the reused one is free and
// smaller replaces it, so the block grows to the chain's largest size once.

#include <cstddef>
#include <new>

namespace corio::engine::detail {

class reused_block {
public:
    reused_block() = default;
    reused_block(const reused_block&) = delete;
    reused_block& operator=(const reused_block&) = delete;
    ~reused_block()
    {
        // Taken at destruction would mean an operation outlived its owner;
        // leaking then is safer than freeing under it.
        if (!taken_)
            ::operator delete(block_);
    }

    void* allocate(std::size_t n)
    {
        if (block_ && !taken_ && n <= size_) {
            taken_ = true;
            return block_;
        }
        return ::operator new(n);
    }

    void deallocate(void* p, std::size_t n) noexcept
    {
        if (p == block_) {
            taken_ = false;
            return;
        }
        if (!taken_ && n > size_) {
            ::operator delete(block_);
            block_ = p;
            size_ = n;
            return;
        }
        ::operator delete(p);
    }

private:
    void* block_ = nullptr;
    std::size_t size_ = 0;
    bool taken_ = false;
};

/// An allocator over a reused_block, to bind to a handler
/// (boost::asio::bind_allocator). It refers to the block: the block's owner
/// must outlive the operations, which a handler holding its owner ensures.
template <class T> struct reused_block_allocator {
    using value_type = T;

    explicit reused_block_allocator(reused_block& b) noexcept : block(&b) {}
    template <class U> reused_block_allocator(const reused_block_allocator<U>& other) noexcept : block(other.block) {}

    T* allocate(std::size_t n)
    {
        static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);
        return static_cast<T*>(block->allocate(n * sizeof(T)));
    }
    void deallocate(T* p, std::size_t n) noexcept { block->deallocate(p, n * sizeof(T)); }

    template <class U> bool operator==(const reused_block_allocator<U>& other) const noexcept
    {
        return block == other.block;
    }

    reused_block* block;
};

} // namespace corio::engine::detail
