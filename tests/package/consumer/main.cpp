// A program that uses Corio as a project of its own would: only the
// installed (or fetched) public headers and the corio:: targets. It exits 0
// when both checks pass, 1 with a message when one fails:
//   1. an event sent by corio::testing's in-process client comes back as its
//      ack (corio::socketio and corio::testing link and run);
//   2. corio::app, on a free loopback port, answers a real Engine.IO
//      polling handshake over TCP (the listener, corio::serve's threads and
//      shutdown work).
// With CORIO_CONSUMER_WITH_REDIS it also parses a Redis URL, so that
// corio::redis and its hiredis dependency are found and linked.

#include <corio/app.hpp>
#include <corio/context.hpp>
#include <corio/server.hpp>
#include <corio/testing/client.hpp>
#ifdef CORIO_CONSUMER_WITH_REDIS
#include <corio/redis/endpoint.hpp>
#endif

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <stop_token>
#include <string>
#include <thread>

namespace net = boost::asio;
using namespace std::chrono_literals;

namespace {

bool fail(const std::string& why)
{
    std::cerr << "corio_consumer: " << why << "\n";
    return false;
}

bool echo_through_the_test_client()
{
    net::io_context ioc;
    corio::server io(ioc.get_executor());
    io.of("/").on("echo", [](corio::context&, std::string text) { return text; });

    corio::testing::client client(io, ioc);
    if (!client.connected())
        return fail("the test client did not connect");
    auto ack = client.emit_with_ack("echo", "hello");
    if (!ack || ack->size() != 1 || ack->values()[0] != "hello")
        return fail("echo did not come back as its ack");
    return true;
}

/// GET the polling handshake from 127.0.0.1:`port`; the raw HTTP response,
/// or what arrived of it within 5 s.
std::string polling_handshake(std::uint16_t port)
{
    net::io_context ioc;
    net::ip::tcp::socket socket(ioc);
    std::string response;
    net::ip::tcp::endpoint server(net::ip::make_address("127.0.0.1"), port);
    socket.async_connect(server, [&](boost::system::error_code ec) {
        if (ec)
            return;
        static const std::string request = "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\n"
                                           "Host: 127.0.0.1\r\nConnection: close\r\n\r\n";
        net::async_write(socket, net::buffer(request), [&](boost::system::error_code ec, std::size_t) {
            if (!ec)
                // Up to the server's close (Connection: close) or the deadline.
                net::async_read(socket, net::dynamic_buffer(response), [](boost::system::error_code, std::size_t) {});
        });
    });
    ioc.run_for(5s);
    return response;
}

bool handshake_over_loopback()
{
    corio::app app;
    std::stop_source stop;
    std::string response;
    std::thread client;
    int status = app.run({.host = "127.0.0.1",
                          .port = 0,
                          .threads = 2,
                          .drain_deadline = 1s,
                          .on_listening =
                              [&](std::uint16_t port) {
                                  client = std::thread([&, port] {
                                      response = polling_handshake(port);
                                      stop.request_stop();
                                  });
                              },
                          .stop = stop.get_token()});
    if (client.joinable())
        client.join();
    if (status != 0)
        return fail("corio::app::run returned " + std::to_string(status));

    // An Engine.IO OPEN packet: "0" and the handshake object.
    if (!response.starts_with("HTTP/1.1 200") || response.find("\r\n\r\n0{\"sid\":\"") == std::string::npos)
        return fail("no Engine.IO handshake from the listener; got:\n" + response);
    return true;
}

#ifdef CORIO_CONSUMER_WITH_REDIS
bool parse_a_redis_url()
{
    auto endpoint = corio::redis::parse_url("redis://127.0.0.1:6380/2");
    if (!endpoint || endpoint->port != "6380" || endpoint->db != 2)
        return fail("corio::redis::parse_url did not parse redis://127.0.0.1:6380/2");
    return true;
}
#endif

} // namespace

int main()
{
    bool ok = echo_through_the_test_client();
    ok = handshake_over_loopback() && ok;
#ifdef CORIO_CONSUMER_WITH_REDIS
    ok = parse_a_redis_url() && ok;
#endif
    if (!ok)
        return 1;
    std::cout << "corio_consumer: echo and handshake ok\n";
}
