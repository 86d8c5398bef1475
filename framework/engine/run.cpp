#include <corio/engine/run.hpp>

#include "engine/context_pool.hpp"
#include "engine/write_batch.hpp"

#include <boost/asio/executor_work_guard.hpp>

#include <latch>
#include <optional>
#include <span>
#include <thread>
#include <vector>

namespace corio::engine {

namespace {

namespace net = boost::asio;

/// This thread alone runs `ioc`'s connections, so it may hold writes to
/// many of them and send them together (batched_writes), until it leaves.
class write_batches_allowed {
public:
    explicit write_batches_allowed(net::io_context& ioc) : before_(detail::allow_write_batches(&ioc)) {}
    write_batches_allowed(const write_batches_allowed&) = delete;
    write_batches_allowed& operator=(const write_batches_allowed&) = delete;
    ~write_batches_allowed()
    {
        detail::send_held_writes();
        detail::allow_write_batches(before_);
    }

private:
    net::io_context* before_;
};

/// The further threads, each running its io_context while the calling
/// thread runs `ioc`; stopped and joined however that ends.
class further_threads {
public:
    explicit further_threads(std::span<net::io_context* const> contexts) : ready_(std::ssize(contexts))
    {
        try {
            for (auto* c : contexts) {
                c->restart();
                // Until the calling thread's run ends, not when a context is
                // idle: a new connection may come to it at any time.
                guards_.emplace_back(c->get_executor());
                threads_.emplace_back([this, c] {
                    write_batches_allowed allowed(*c);
                    ready_.count_down();
                    c->run();
                });
            }
        } catch (...) {
            stop_and_join();
            throw;
        }
    }
    further_threads(const further_threads&) = delete;
    further_threads& operator=(const further_threads&) = delete;
    ~further_threads() { stop_and_join(); }

    void wait_ready() { ready_.wait(); }

private:
    void stop_and_join()
    {
        for (auto& g : guards_) {
            g.get_executor().context().stop();
            g.reset();
        }
        for (auto& t : threads_)
            t.join();
    }

    std::latch ready_;
    std::vector<net::executor_work_guard<net::io_context::executor_type>> guards_;
    std::vector<std::thread> threads_;
};

} // namespace

void run(net::io_context& ioc, unsigned threads, std::function<void()> started)
{
    write_batches_allowed allowed(ioc);
    // Stopped and joined before `allowed` sends this thread's held writes.
    std::optional<further_threads> others;
    if (threads > 1) {
        others.emplace(net::use_service<detail::context_pool>(ioc).contexts(threads - 1));
        others->wait_ready();
    }
    if (started)
        started();
    ioc.run();
}

} // namespace corio::engine
