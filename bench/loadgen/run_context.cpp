#include "run_context.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace loadgen {

namespace net = boost::asio;

net::any_io_executor run_context::make_executor()
{
    if (opts.threads > 1)
        return net::make_strand(ioc);
    return ioc.get_executor();
}

void count_exceptions::operator()(std::exception_ptr e) const
{
    if (!e)
        return;
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        failures->add(std::string("internal: ") + ex.what());
    } catch (...) {
        failures->add("internal: unknown exception");
    }
}

std::int64_t now_ns()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now().time_since_epoch()).count();
}

net::awaitable<bool> wait_until(std::function<bool()> done, clock::time_point deadline, std::chrono::milliseconds period)
{
    net::steady_timer timer(co_await net::this_coro::executor);
    for (;;) {
        if (done())
            co_return true;
        auto now = clock::now();
        if (now >= deadline)
            co_return false;
        timer.expires_at(std::min<clock::time_point>(deadline, now + period));
        co_await timer.async_wait(net::as_tuple(net::use_awaitable));
    }
}

net::awaitable<void> sleep_for(clock::duration d)
{
    net::steady_timer timer(co_await net::this_coro::executor, d);
    co_await timer.async_wait(net::as_tuple(net::use_awaitable));
}

} // namespace loadgen
