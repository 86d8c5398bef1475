#pragma once
// A corio::server on an io_context the test drives, with in-process clients.

#include <corio/server.hpp>
#include <corio/sleep.hpp>
#include <corio/testing/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>

namespace corio_test {

namespace net = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

/// An io_context the test drives step by step.
struct io_driver {
    net::io_context ioc;

    /// Drives the io_context until `done()` or `limit` passes.
    bool drive_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 3000ms)
    {
        // `done` is evaluated once per step: it may consume what it checks.
        auto end = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < end) {
            if (done())
                return true;
            ioc.restart();
            ioc.run_one_for(10ms);
        }
        return false;
    }

    /// Runs `op` on the io_context and drives it until it completes.
    template <class T>
    T await(net::awaitable<T> op)
    {
        std::optional<T> result;
        net::co_spawn(ioc, std::move(op), [&](std::exception_ptr e, T r) {
            if (e)
                std::rethrow_exception(e);
            result.emplace(std::move(r));
        });
        if (!drive_until([&] { return result.has_value(); }))
            throw std::runtime_error("the operation did not complete");
        return std::move(*result);
    }
};

struct server_fixture : io_driver {
    corio::server io{ioc.get_executor(), options()};

    static corio::server_options options()
    {
        corio::server_options o;
        o.ack_timeout = 500ms;
        o.log = corio::logger::off();
        return o;
    }

    std::unique_ptr<corio::testing::client> client(corio::testing::client_options o = {})
    {
        return std::make_unique<corio::testing::client>(io, ioc, std::move(o));
    }
};

inline std::string str(const corio::arguments& a, std::size_t i)
{
    return std::string(a.values().at(i).as_string());
}

} // namespace corio_test
