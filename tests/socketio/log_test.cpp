// What the server logs (server_options::log): the records of a socket's life
// with their fields, the level filter, and that nothing a client presents to
// authenticate reaches a record.

#include <corio/log.hpp>

#include <corio/server.hpp>
#include <corio/testing/client.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;
using corio::testing::client;
using corio::testing::client_options;

BOOST_AUTO_TEST_SUITE(server_log)

namespace {

/// A record copied out of the sink's call (its views die with the call).
struct kept_record {
    corio::log_level level;
    std::string message, sid, socket, nsp, remote, event, reason, error, text, json;
};

struct capture {
    std::mutex mutex;
    std::vector<kept_record> records;

    corio::logger at(corio::log_level min)
    {
        return corio::logger(
            [this](const corio::log_record& r) {
                std::lock_guard lock(mutex);
                records.push_back({r.level, std::string(r.message), std::string(r.sid), std::string(r.socket),
                                   std::string(r.nsp), std::string(r.remote), std::string(r.event),
                                   std::string(r.reason), std::string(r.error), corio::format_text(r),
                                   corio::format_json(r, std::chrono::system_clock::now())});
            },
            min);
    }

    std::vector<kept_record> with_message(std::string_view message)
    {
        std::lock_guard lock(mutex);
        std::vector<kept_record> out;
        for (auto& r : records)
            if (r.message == message)
                out.push_back(r);
        return out;
    }
};

struct fixture {
    explicit fixture(corio::log_level min) : io(ioc.get_executor(), options(min)) {}

    corio::server_options options(corio::log_level min)
    {
        corio::server_options o;
        o.log = log.at(min);
        return o;
    }

    capture log;
    net::io_context ioc;
    corio::server io;
};

} // namespace

BOOST_AUTO_TEST_CASE(connect_and_disconnect_are_info_records_naming_the_socket)
{
    fixture f(corio::log_level::info);
    client_options opts;
    opts.remote_address = "203.0.113.9";
    client c(f.io, f.ioc, opts);
    BOOST_TEST_REQUIRE(c.connected());

    auto connected = f.log.with_message("connected");
    BOOST_TEST_REQUIRE(connected.size() == 1u);
    BOOST_TEST((connected[0].level == corio::log_level::info));
    BOOST_TEST(connected[0].socket == c.sid());
    // The Engine.IO session's id (the test client names its sessions so).
    BOOST_TEST(connected[0].sid.starts_with("testclient"), connected[0].sid);
    BOOST_TEST(connected[0].nsp == "/");
    BOOST_TEST(connected[0].remote == "203.0.113.9");

    c.disconnect();
    c.run_until_idle();
    auto disconnected = f.log.with_message("disconnected");
    BOOST_TEST_REQUIRE(disconnected.size() == 1u);
    BOOST_TEST(disconnected[0].socket == connected[0].socket);
    BOOST_TEST(disconnected[0].sid == connected[0].sid);
    BOOST_TEST(disconnected[0].reason == "io client disconnect");
    BOOST_TEST(disconnected[0].remote == "203.0.113.9");
}

BOOST_AUTO_TEST_CASE(a_refused_connect_logs_the_refusal_message_only)
{
    fixture f(corio::log_level::info);
    f.io.of("/private").use([](corio::context&) {
        return corio::refuse_with(json::object{{"message", "bad token"}, {"data", "kept from the log"}});
    });
    client_options opts;
    opts.connect = false;
    client c(f.io, f.ioc, opts);
    BOOST_TEST(!c.connect("/private"));
    BOOST_TEST(!c.connect("/nobody"));

    auto refused = f.log.with_message("connect refused");
    BOOST_TEST_REQUIRE(refused.size() == 2u);
    BOOST_TEST(refused[0].nsp == "/private");
    BOOST_TEST(refused[0].reason == "bad token");
    BOOST_TEST(refused[0].text.find("kept from the log") == std::string::npos);
    BOOST_TEST(refused[1].nsp == "/nobody");
    BOOST_TEST(refused[1].reason == "Invalid namespace");
}

BOOST_AUTO_TEST_CASE(a_handler_error_is_an_error_record_with_the_event)
{
    fixture f(corio::log_level::warning);
    f.io.of("/").on("boom", [](corio::context&) { throw std::runtime_error("it broke"); });
    client c(f.io, f.ioc);
    c.emit("boom");
    c.run_until_idle();

    auto threw = f.log.with_message("handler threw");
    BOOST_TEST_REQUIRE(threw.size() == 1u);
    BOOST_TEST((threw[0].level == corio::log_level::error));
    BOOST_TEST(threw[0].event == "boom");
    BOOST_TEST(threw[0].error == "it broke");
    BOOST_TEST(threw[0].socket == c.sid());
    // At warning, a connect is not logged.
    BOOST_TEST(f.log.with_message("connected").empty());
}

BOOST_AUTO_TEST_CASE(events_are_logged_only_at_debug)
{
    for (auto level : {corio::log_level::info, corio::log_level::debug}) {
        fixture f(level);
        f.io.of("/").on("ping", [](corio::context&) {});
        client c(f.io, f.ioc);
        c.emit("ping", "an argument");
        c.run_until_idle();
        auto events = f.log.with_message("event received");
        if (level == corio::log_level::info) {
            BOOST_TEST(events.empty());
        } else {
            BOOST_TEST_REQUIRE(events.size() == 1u);
            BOOST_TEST(events[0].event == "ping");
            BOOST_TEST(events[0].text.find("an argument") == std::string::npos);
        }
    }
}

// The requirement: auth payloads, cookies and passwords never reach a
// log. Every path that logs is taken at debug, with the marker in everything
// the client presents and sends.
BOOST_AUTO_TEST_CASE(no_record_carries_auth_cookies_headers_or_arguments)
{
    const std::string marker = "hunter2-S3CRET-marker";
    fixture f(corio::log_level::debug);
    f.io.use([](corio::context&) { return corio::accept(); });
    f.io.of("/private").use([](corio::context&) { return corio::refuse("invalid credentials"); });
    f.io.of("/crash").on_connect([](corio::context&) -> corio::connect_verdict {
        throw std::runtime_error("connect handler failed");
    });
    f.io.of("/").on("login", [](corio::context&, std::string, int) {});
    f.io.of("/").on("boom", [](corio::context&, std::string) { throw std::runtime_error("it broke"); });
    f.io.of("/").on_disconnect([](corio::context&, corio::disconnect_reason) { throw std::runtime_error("bye"); });

    client_options opts;
    opts.auth = {{"user", "ada"}, {"password", marker}, {"token", marker}};
    opts.headers = {{"cookie", "session=" + marker + "; theme=dark"},
                    {"authorization", "Bearer " + marker},
                    {"x-api-key", marker}};
    opts.query = {{"token", marker}};
    client c(f.io, f.ioc, opts);
    BOOST_TEST_REQUIRE(c.connected());
    json::object auth{{"password", marker}};
    BOOST_TEST(!c.connect("/private", auth));
    BOOST_TEST(!c.connect("/crash", auth));
    BOOST_TEST(!c.connect("/nobody", auth)); // no such namespace: refused
    c.emit("login", marker, marker);            // argument error: an int expected
    c.emit("boom", marker);                     // handler throws
    c.emit("unheard", marker);                  // no handler
    c.run_until_idle();
    c.emit("connect"); // a reserved name: the session is closed as malformed
    c.run_until_idle();
    BOOST_TEST(c.engine_closed());

    // Each path logged something, so the check below looks at real records.
    for (auto message : {"connected", "connect refused", "connect handler threw", "invalid arguments",
                         "handler threw", "event received", "closing the connection: malformed packet",
                         "disconnected", "disconnect handler threw"})
        BOOST_TEST(!f.log.with_message(message).empty(), message);

    std::lock_guard lock(f.log.mutex);
    for (const auto& r : f.log.records) {
        for (const auto* field :
             {&r.message, &r.sid, &r.socket, &r.nsp, &r.remote, &r.event, &r.reason, &r.error, &r.text, &r.json})
            BOOST_TEST(field->find(marker) == std::string::npos, r.text);
    }
}

BOOST_AUTO_TEST_SUITE_END()
