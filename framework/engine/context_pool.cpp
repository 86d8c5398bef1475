#include "engine/context_pool.hpp"

#include <boost/asio/ip/tcp.hpp>

namespace corio::engine::detail {

namespace net = boost::asio;

/// An io_context for one thread (the concurrency hint lets a handler's post
/// to its own context skip the lock), whose shutdown the pool can call
/// before its destruction.
class context_pool::owned_context : public net::io_context {
public:
    owned_context() : net::io_context(1) {}
    using net::execution_context::shutdown;
};

context_pool::context_pool(net::execution_context& owner) : net::execution_context::service(owner) {}

// Runs once every service of the owner is shut down: a handler of the
// owner's that held one of these contexts' sockets is gone by now.
context_pool::~context_pool() = default;

// Runs within the owner's shutdown, before its own handlers are destroyed:
// these contexts' handlers go first (they may hold the owner's I/O objects,
// whose services are shut down or not yet, but all still exist), and their
// services stay until the destructor, for the owner's handlers that hold
// these contexts' sockets.
void context_pool::shutdown()
{
    for (auto& c : owned_)
        c->shutdown();
}

std::vector<net::io_context*> context_pool::contexts(std::size_t count)
{
    while (owned_.size() < count) {
        owned_.push_back(std::make_unique<owned_context>());
        // A socket object opens no descriptor, but it makes the context's
        // reactor (its epoll, eventfd and timerfd descriptors) now.
        net::ip::tcp::socket reactor_maker(*owned_.back());
    }
    running_.store(count, std::memory_order_relaxed);
    std::vector<net::io_context*> first;
    for (std::size_t i = 0; i < count; ++i)
        first.push_back(owned_[i].get());
    return first;
}

net::io_context& context_pool::next_context(net::io_context& main)
{
    // Made empty here if run never made it: then `main` alone.
    auto& pool = net::use_service<context_pool>(main);
    const auto n = pool.running_.load(std::memory_order_relaxed);
    if (n == 0)
        return main;
    const auto i = pool.turn_.fetch_add(1, std::memory_order_relaxed) % (n + 1);
    return i == 0 ? main : *pool.owned_[i - 1];
}

} // namespace corio::engine::detail
