#pragma once
// The io_contexts that corio::engine::run adds beside the one it is given,
// one per further thread, and the choice of one for each new connection.
//
// One io_context per thread, each run by that thread alone: the scheduler's
// lock of each is taken only by its own thread and by the threads that hand
// it work (a broadcast to its sessions, a request for one of them), never by
// every thread at once as with one io_context run by all.

#include <boost/asio/execution_context.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <cstddef>
#include <memory>
#include <vector>

namespace corio::engine::detail {

/// A service of the io_context given to run(ioc, threads): the further
/// io_contexts that run beside it. They are shut down with that io_context
/// (so that no handler of either outlives the other's I/O objects) and
/// destroyed after every one of its services is shut down.
///
/// @par Thread safety
/// contexts() is called by run alone, before its threads start;
/// next_context() from any thread after that.
class context_pool : public boost::asio::execution_context::service {
public:
    using key_type = context_pool;
    static inline boost::asio::execution_context::id id;

    explicit context_pool(boost::asio::execution_context& owner);
    ~context_pool() override;

    /// The first `count` further io_contexts, made if the pool has fewer,
    /// and from now the ones next_context() hands out. Each is made with its
    /// reactor, so that serving its first connection opens no descriptor.
    std::vector<boost::asio::io_context*> contexts(std::size_t count);

    /// The io_context of the next connection: `main` and the further ones
    /// in turn. `main` alone if run never made a pool for it.
    static boost::asio::io_context& next_context(boost::asio::io_context& main);

private:
    class owned_context;

    void shutdown() override;

    std::vector<std::unique_ptr<owned_context>> owned_;
    // How many of owned_ the running run() runs.
    std::atomic<std::size_t> running_{0};
    std::atomic<std::size_t> turn_{0};
};

} // namespace corio::engine::detail
