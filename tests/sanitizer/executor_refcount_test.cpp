// Two threads each drop one copy of the same type-erased strand executor. The
// first reads the shared target, then drops its copy; the second drops the last
// copy, which deletes the target. Only the reference count orders the read
// before the delete, so TSan reports a race unless it models that count (see
// cmake/corio_sanitize.cmake); tests/sanitized_test.sh fails the test then.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <memory>
#include <thread>

int main()
{
    namespace net = boost::asio;
    using strand = net::strand<net::any_io_executor>;
    net::io_context ioc;
    // A strand of an any_io_executor is too large for any_io_executor's small
    // buffer, so copies share one reference-counted target.
    auto first = std::make_unique<net::any_io_executor>(strand(ioc.get_executor()));
    auto last = std::make_unique<net::any_io_executor>(*first);
    if (first->target<strand>() == nullptr)
        return 1;

    // Relaxed on purpose: the flag orders the drops in time without giving TSan
    // a happens-before edge of its own.
    std::atomic<bool> first_dropped{false};
    std::thread reader([&] {
        (void)first->target<strand>();
        first.reset();
        first_dropped.store(true, std::memory_order_relaxed);
    });
    std::thread deleter([&] {
        while (!first_dropped.load(std::memory_order_relaxed))
            std::this_thread::yield();
        last.reset();
    });
    reader.join();
    deleter.join();
    return 0;
}
