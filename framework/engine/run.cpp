#include <corio/engine/run.hpp>

#include <thread>
#include <vector>

namespace corio::engine {

void run(boost::asio::io_context& ioc, unsigned threads)
{
    std::vector<std::thread> others;
    for (unsigned i = 1; i < threads; ++i)
        others.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : others)
        t.join();
}

} // namespace corio::engine
