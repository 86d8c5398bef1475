#include <corio/engine/run.hpp>

#include "engine/write_batch.hpp"

#include <thread>
#include <vector>

namespace corio::engine {

void run(boost::asio::io_context& ioc, unsigned threads)
{
    if (threads <= 1) {
        // This thread alone runs the connections' strands: writes to many
        // of them may be held and sent together (batched_writes).
        struct batches_allowed {
            boost::asio::io_context* before;
            explicit batches_allowed(boost::asio::io_context& ioc) : before(detail::allow_write_batches(&ioc)) {}
            ~batches_allowed()
            {
                detail::send_held_writes();
                detail::allow_write_batches(before);
            }
        } allowed(ioc);
        ioc.run();
        return;
    }
    std::vector<std::thread> others;
    for (unsigned i = 1; i < threads; ++i)
        others.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : others)
        t.join();
}

} // namespace corio::engine
