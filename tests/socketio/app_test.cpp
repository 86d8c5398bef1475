// corio::app on loopback: it serves the handlers registered on io() until a
// stop request, tells the clients goodbye and returns 0; a port in use makes
// run return 1; the command line every example takes is read by
// parse_command_line, its mistakes refused with a message.

#include <corio/app.hpp>

#include "../engine/test_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/test/unit_test.hpp>

#include <future>
#include <memory>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <vector>

namespace {

using namespace corio_test;

/// run(opts) on another thread, on 127.0.0.1 and a free port, 2 threads.
struct running_app {
    corio::app app;
    std::stop_source stop;
    std::future<int> returned;
    std::uint16_t port = 0;

    running_app()
    {
        app.io().of("/").on("echo", [](corio::context&, std::string text) { return text; });
        // Shared: a constructor that gave up waiting must not leave run a
        // dangling promise.
        auto listening = std::make_shared<std::promise<std::uint16_t>>();
        auto bound = listening->get_future();
        returned = std::async(std::launch::async, [this, listening] {
            return app.run({.host = "127.0.0.1",
                            .port = 0,
                            .threads = 2,
                            .on_listening = [listening](std::uint16_t p) { listening->set_value(p); },
                            .stop = stop.get_token()});
        });
        BOOST_TEST_REQUIRE((bound.wait_for(io_limit) == std::future_status::ready));
        port = bound.get();
    }
    ~running_app()
    {
        // A test that failed midway must still end.
        stop.request_stop();
        if (returned.valid() && returned.wait_for(io_limit) != std::future_status::ready)
            app.context().stop();
    }
};

std::vector<std::string> command_line(std::vector<std::string> list)
{
    list.insert(list.begin(), "program");
    return list;
}

corio::run_options parse(const std::vector<std::string>& list)
{
    std::vector<const char*> argv;
    for (auto& a : list)
        argv.push_back(a.c_str());
    return corio::parse_command_line(static_cast<int>(argv.size()), argv.data());
}

/// The message parse_command_line refuses `list` with.
std::string refusal(const std::vector<std::string>& list)
{
    try {
        parse(list);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(accepted)";
}

} // namespace

BOOST_AUTO_TEST_SUITE(app)

BOOST_AUTO_TEST_CASE(serves_the_handlers_until_stopped_then_says_goodbye_and_returns_0)
{
    running_app served;
    ws_client ws(served.port, "/socket.io/?EIO=4&transport=websocket");
    BOOST_TEST_REQUIRE(ws.next().front() == '0');
    ws.send_text("40");
    BOOST_TEST_REQUIRE(ws.next().starts_with("40{"));
    ws.send_text(R"(421["echo","hi"])");
    BOOST_TEST(ws.next() == R"(431["hi"])");

    served.stop.request_stop();
    std::vector<std::string> goodbyes;
    for (;;) {
        boost::system::error_code ec;
        auto message = ws.read(ec);
        if (ec)
            break;
        goodbyes.push_back(message);
    }
    const std::vector<std::string> expected{"41", "1"};
    BOOST_TEST(goodbyes == expected, boost::test_tools::per_element());
    BOOST_TEST_REQUIRE((served.returned.wait_for(io_limit) == std::future_status::ready));
    BOOST_TEST(served.returned.get() == 0);
}

BOOST_AUTO_TEST_CASE(runs_once)
{
    running_app served;
    served.stop.request_stop();
    BOOST_TEST_REQUIRE((served.returned.wait_for(io_limit) == std::future_status::ready));
    BOOST_TEST(served.returned.get() == 0);
    BOOST_CHECK_THROW(served.app.run({.host = "127.0.0.1", .port = 0}), std::logic_error);
}

BOOST_AUTO_TEST_CASE(a_port_in_use_returns_1_without_serving)
{
    net::io_context ioc;
    tcp::acceptor taken(ioc, {net::ip::make_address("127.0.0.1"), 0});
    corio::app app;
    bool listened = false;
    // The reason goes to stderr ("cannot listen on 127.0.0.1:N: ...").
    BOOST_TEST(app.run({.host = "127.0.0.1",
                        .port = taken.local_endpoint().port(),
                        .on_listening = [&](std::uint16_t) { listened = true; }}) == 1);
    BOOST_TEST(!listened);
}

BOOST_AUTO_TEST_CASE(a_page_of_any_origin_may_connect_by_default)
{
    const std::vector<std::string> any{"*"};
    BOOST_TEST(corio::app::default_options().engine.cors.allowed_origins == any);
    BOOST_TEST(!corio::app::default_options().engine.cors.credentials);
    BOOST_TEST(corio::app().io().options().engine.cors.allowed_origins == any);
    BOOST_TEST(corio::app(corio::server_options{}).io().options().engine.cors.allowed_origins.empty());
}

BOOST_AUTO_TEST_CASE(the_command_line_sets_host_port_and_threads_over_the_defaults)
{
    auto none = parse(command_line({}));
    BOOST_TEST(none.host == "localhost");
    BOOST_TEST(none.port == 8080);
    BOOST_TEST(none.threads == 0u); // one per core

    auto all = parse(command_line({"--port", "0", "--host", "::1", "--threads", "3"}));
    BOOST_TEST(all.host == "::1");
    BOOST_TEST(all.port == 0);
    BOOST_TEST(all.threads == 3u);

    std::vector<const char*> argv{"program", "--threads", "2"};
    auto over = corio::parse_command_line(3, argv.data(), {.host = "0.0.0.0", .port = 9000});
    BOOST_TEST(over.host == "0.0.0.0");
    BOOST_TEST(over.port == 9000);
    BOOST_TEST(over.threads == 2u);
}

BOOST_AUTO_TEST_CASE(a_bad_command_line_is_refused_saying_why)
{
    BOOST_TEST(refusal(command_line({"--prot", "80"})) == R"(unknown option "--prot")");
    BOOST_TEST(refusal(command_line({"8080"})) == R"(unknown option "8080")");
    BOOST_TEST(refusal(command_line({"--port"})) == "--port needs a value");
    BOOST_TEST(refusal(command_line({"--port", "http"})) == R"(--port takes a number from 0 to 65535, not "http")");
    BOOST_TEST(refusal(command_line({"--port", "65536"})) == R"(--port takes a number from 0 to 65535, not "65536")");
    BOOST_TEST(refusal(command_line({"--port", "-1"})) == R"(--port takes a number from 0 to 65535, not "-1")");
    BOOST_TEST(refusal(command_line({"--port", ""})) == R"(--port takes a number from 0 to 65535, not "")");
    BOOST_TEST(refusal(command_line({"--threads", "80000"})) == R"(--threads takes a number from 0 to 1024, not "80000")");
}

BOOST_AUTO_TEST_SUITE_END()
