#pragma once
// An io_context the Redis tests drive step by step, and helpers that wait
// for replies and states with a bound.

#include <corio/redis/connection.hpp>
#include <corio/redis/subscriber.hpp>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace corio_test {

namespace net = boost::asio;
using namespace std::chrono_literals;

struct redis_loop {
    net::io_context ioc;

    /// Drives the io_context until `done()` or `limit` passes; whether
    /// `done()` held.
    bool drive_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 5000ms)
    {
        auto end = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < end) {
            if (done())
                return true;
            ioc.restart();
            ioc.run_one_for(10ms);
        }
        return done();
    }

    /// Runs what is ready without waiting (lets posted work settle).
    void poll()
    {
        ioc.restart();
        ioc.poll();
    }

    /// Options for `where`, with short reconnect delays for tests, and
    /// records collected into `warnings` and `infos` (as format_text lines).
    corio::redis::connection_options options(corio::redis::endpoint where)
    {
        corio::redis::connection_options o;
        o.where = std::move(where);
        o.reconnect_min = 20ms;
        o.reconnect_max = 200ms;
        o.connect_timeout = 2000ms;
        o.log = corio::logger(
            [this](const corio::log_record& r) {
                (r.level >= corio::log_level::warning ? warnings : infos).push_back(corio::format_text(r));
            },
            corio::log_level::info);
        return o;
    }

    /// A started connection to `where`, up.
    std::shared_ptr<corio::redis::connection> connect(corio::redis::endpoint where)
    {
        auto c = corio::redis::connection::create(ioc.get_executor(), options(std::move(where)));
        c->start();
        if (!drive_until([&] { return c->connected(); }))
            throw std::runtime_error("the connection did not come up");
        return c;
    }

    /// Sends one command and drives until its reply.
    boost::system::result<corio::redis::reply> exec(corio::redis::connection& c, std::vector<std::string> args)
    {
        std::optional<boost::system::result<corio::redis::reply>> got;
        c.exec(std::move(args), [&](boost::system::result<corio::redis::reply> r) { got = std::move(r); });
        if (!drive_until([&] { return got.has_value(); }))
            throw std::runtime_error("no reply");
        return std::move(*got);
    }

    std::vector<std::string> warnings;
    std::vector<std::string> infos;
};

/// The Redis reply `r` holds, as text, for BOOST_TEST messages.
inline std::string describe(const boost::system::result<corio::redis::reply>& r)
{
    if (!r)
        return "failure: " + r.error().message();
    return "reply type " + std::to_string(static_cast<int>(r->type)) + " '" + r->str + "' " +
           std::to_string(r->integer);
}

} // namespace corio_test
