#include <corio/sleep.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <exception>
#include <optional>
#include <variant>

namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

net::awaitable<clock_type::duration> timed_sleep(clock_type::duration d)
{
    auto start = clock_type::now();
    co_await corio::sleep(d);
    co_return clock_type::now() - start;
}

net::awaitable<clock_type::duration> timed_fractional_sleep()
{
    auto start = clock_type::now();
    co_await corio::sleep(0.03s);
    co_return clock_type::now() - start;
}

net::awaitable<std::size_t> race()
{
    using namespace net::experimental::awaitable_operators;
    auto winner = co_await (corio::sleep(1h) || corio::sleep(10ms));
    co_return winner.index();
}

net::awaitable<bool> sleep_on_strand(net::strand<net::io_context::executor_type> strand)
{
    co_await corio::sleep(1ms);
    co_return strand.running_in_this_thread();
}

// Runs `op` to its end (bounded), rethrowing what it threw.
template <class T>
T run(net::io_context& ioc, net::awaitable<T> op)
{
    std::optional<T> result;
    std::exception_ptr error;
    net::co_spawn(ioc, std::move(op), [&](std::exception_ptr e, T r) {
        error = e;
        if (!e)
            result = r;
    });
    ioc.run_for(5s);
    if (error)
        std::rethrow_exception(error);
    BOOST_TEST_REQUIRE(result.has_value());
    return *result;
}

} // namespace

BOOST_AUTO_TEST_SUITE(sleeping)

BOOST_AUTO_TEST_CASE(waits_at_least_the_duration)
{
    net::io_context ioc;
    BOOST_TEST((run(ioc, timed_sleep(30ms)) >= 30ms));
    ioc.restart();
    BOOST_TEST((run(ioc, timed_fractional_sleep()) >= 30ms));
}

BOOST_AUTO_TEST_CASE(cancellation_ends_the_wait_at_once)
{
    net::io_context ioc;
    net::cancellation_signal signal;
    std::exception_ptr error;
    bool done = false;
    auto start = clock_type::now();
    net::co_spawn(ioc, timed_sleep(1h), net::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr e, auto) {
                      error = e;
                      done = true;
                  }));
    net::post(ioc, [&] { signal.emit(net::cancellation_type::terminal); });
    ioc.run_for(5s);
    BOOST_TEST_REQUIRE(done);
    BOOST_TEST((clock_type::now() - start < 5s));
    BOOST_REQUIRE(error);
    try {
        std::rethrow_exception(error);
    } catch (const boost::system::system_error& e) {
        BOOST_TEST((e.code() == net::error::operation_aborted));
    }
}

BOOST_AUTO_TEST_CASE(the_losing_side_of_an_or_is_cancelled)
{
    net::io_context ioc;
    auto start = clock_type::now();
    BOOST_TEST(run(ioc, race()) == 1u);
    BOOST_TEST((clock_type::now() - start < 5s));
}

BOOST_AUTO_TEST_CASE(resumes_on_the_awaiting_coroutine_s_executor)
{
    net::io_context ioc;
    auto strand = net::make_strand(ioc);
    bool on_strand = false;
    net::co_spawn(strand, sleep_on_strand(strand), [&](std::exception_ptr, bool r) { on_strand = r; });
    ioc.run_for(5s);
    BOOST_TEST(on_strand);
}

BOOST_AUTO_TEST_SUITE_END()
