#include "test_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <corio/engine/static_files.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include <stdexcept>

using namespace corio_test;

namespace {

namespace engine = corio::engine;

// A listener without endpoints, so every request reaches its fallback.
class fallback_server {
public:
    explicit fallback_server(engine::listener_options o = {}) : listener_(ioc_, std::move(o)) {}
    ~fallback_server()
    {
        listener_.stop();
        ioc_.stop();
        if (thread_.joinable())
            thread_.join();
    }
    engine::listener& listener() { return listener_; }
    void start()
    {
        listener_.listen("127.0.0.1", 0);
        thread_ = std::thread([this] { ioc_.run(); });
    }
    std::uint16_t port() const { return listener_.port(); }

private:
    net::io_context ioc_;
    engine::listener listener_;
    std::thread thread_;
};

net::awaitable<std::thread::id> pool_thread_id()
{
    co_return std::this_thread::get_id();
}

// Hops to `pool` and back, as an application hashing a password would, then
// echoes what it was given.
net::awaitable<engine::http_response> hop_and_echo(net::thread_pool::executor_type pool, engine::http_request req,
                                                   std::string remote_address)
{
    auto io_thread = std::this_thread::get_id();
    auto pool_thread = co_await net::co_spawn(pool, pool_thread_id(), net::use_awaitable);
    engine::http_response res{http::status::created, req.version()};
    res.set("X-Hopped", pool_thread != io_thread && std::this_thread::get_id() == io_thread ? "yes" : "no");
    res.body() = remote_address + "|" + req.body();
    res.prepare_payload();
    co_return res;
}

net::awaitable<engine::http_response> throwing_fallback(engine::http_request, std::string)
{
    throw std::runtime_error("application bug");
    co_return engine::http_response{};
}

// Another kind of endpoint than Engine.IO's, as a status page would be: it
// answers "up" and its peer's address, with the defaults for the rest.
class status_page final : public engine::http_endpoint {
public:
    const std::string& path() const noexcept override { return path_; }
    std::size_t body_limit() const noexcept override { return 16; }
    net::awaitable<bool> handle_request(engine::http_stream& stream, engine::http_request req,
                                        std::string remote_address) override
    {
        engine::http_response res{http::status::ok, req.version()};
        res.keep_alive(req.keep_alive());
        res.body() = "up " + remote_address;
        res.prepare_payload();
        auto ec = co_await stream.async_write(res);
        co_return !ec && res.keep_alive();
    }

private:
    std::string path_ = "/status/";
};

} // namespace

BOOST_AUTO_TEST_SUITE(loopback_http_front)

BOOST_AUTO_TEST_CASE(unknown_paths_get_404)
{
    test_server s;
    BOOST_TEST(http_request(s.port(), http::verb::get, "/other").result_int() == 404);
}

BOOST_AUTO_TEST_CASE(path_without_trailing_slash_reaches_the_endpoint)
{
    test_server s;
    auto res = http_request(s.port(), http::verb::get, "/engine.io?EIO=4&transport=polling");
    BOOST_TEST(res.result_int() == 200);
    BOOST_TEST(res.body().front() == '0');
}

BOOST_AUTO_TEST_CASE(websocket_only_endpoint_refuses_polling)
{
    auto o = fast_options();
    o.allow_polling = false;
    test_server s(o);
    auto res = http_request(s.port(), http::verb::get, query(s.path(), "polling"));
    BOOST_TEST(res.result_int() == 400);
    BOOST_TEST(res.body() == R"({"code":0,"message":"Transport unknown"})");
    ws_client ws(s.port(), query(s.path(), "websocket"));
    BOOST_TEST(ws.read().front() == '0');
}

BOOST_AUTO_TEST_CASE(polling_only_endpoint_refuses_websocket_and_advertises_no_upgrade)
{
    auto o = fast_options();
    o.allow_websocket = false;
    test_server s(o);
    auto open = http_request(s.port(), http::verb::get, query(s.path(), "polling")).body();
    BOOST_TEST(boost::json::parse(open.substr(1)).at("upgrades").as_array().empty());
    BOOST_CHECK_THROW(ws_client(s.port(), query(s.path(), "websocket")), boost::system::system_error);
}

BOOST_AUTO_TEST_CASE(cors_preflight_and_responses_over_the_wire)
{
    auto o = fast_options();
    o.cors.allowed_origins = {"http://app.example"};
    o.cors.credentials = true;
    test_server s(o);
    auto preflight = http_request(s.port(), http::verb::options, query(s.path(), "polling"), {},
                                  {{"Origin", "http://app.example"}, {"Access-Control-Request-Method", "POST"}});
    BOOST_TEST(preflight.result_int() == 204);
    BOOST_TEST(preflight[http::field::access_control_allow_origin] == "http://app.example");
    BOOST_TEST(preflight[http::field::access_control_allow_credentials] == "true");

    auto open = http_request(s.port(), http::verb::get, query(s.path(), "polling"), {},
                             {{"Origin", "http://app.example"}});
    BOOST_TEST(open.result_int() == 200);
    BOOST_TEST(open[http::field::access_control_allow_origin] == "http://app.example");

    auto refused = http_request(s.port(), http::verb::get, query(s.path(), "polling"), {},
                                {{"Origin", "http://evil.example"}});
    BOOST_TEST(refused.result_int() == 403);
    BOOST_TEST((refused.find(http::field::access_control_allow_origin) == refused.end()));
}

// Browsers send Origin with a WebSocket handshake but apply no CORS to it:
// the server's check is the only one (cross-site WebSocket hijacking).
BOOST_AUTO_TEST_CASE(websocket_handshake_from_an_unlisted_origin_is_refused)
{
    auto o = fast_options();
    o.cors.allowed_origins = {"http://app.example"};
    test_server s(o);
    auto upgrade = [&](const std::string& origin) {
        std::vector<std::pair<std::string, std::string>> headers = {{"Upgrade", "websocket"},
                                                                    {"Connection", "Upgrade"},
                                                                    {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                                                                    {"Sec-WebSocket-Version", "13"}};
        if (!origin.empty())
            headers.emplace_back("Origin", origin);
        return http_request(s.port(), http::verb::get, query(s.path(), "websocket"), {}, headers).result_int();
    };
    BOOST_TEST(upgrade("http://evil.example") == 403);
    BOOST_TEST(upgrade("http://app.example.evil.example") == 403);
    BOOST_TEST(upgrade("http://app.example") == 101);
    // No Origin: not a browser, which is not what the check is for.
    BOOST_TEST(upgrade("") == 101);
    // The client has its 101 before the server has made the session: wait
    // for both, so that the test server's shutdown closes them.
    BOOST_TEST(s.handler().wait_opened(2));

    // Without a list (the default) every origin may open one.
    test_server open_server(fast_options());
    std::vector<std::pair<std::string, std::string>> headers = {{"Upgrade", "websocket"},
                                                                {"Connection", "Upgrade"},
                                                                {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                                                                {"Sec-WebSocket-Version", "13"},
                                                                {"Origin", "http://evil.example"}};
    BOOST_TEST(http_request(open_server.port(), http::verb::get, query(open_server.path(), "websocket"), {}, headers)
                   .result_int() == 101);
    BOOST_TEST(open_server.handler().wait_opened(1));
}

// A well-formed upgrade's 101 is written by the server itself; a malformed
// one gets the status RFC 6455 asks for, and its connection is closed.
BOOST_AUTO_TEST_CASE(websocket_handshake_answers_a_well_formed_upgrade_with_101_and_others_with_an_error)
{
    test_server s(fast_options());
    auto upgrade = [&](std::vector<std::pair<std::string, std::string>> headers) {
        headers.emplace_back("Upgrade", "websocket");
        headers.emplace_back("Connection", "Upgrade");
        return http_request(s.port(), http::verb::get, query(s.path(), "websocket"), {}, headers);
    };
    auto accepted = upgrade({{"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}, {"Sec-WebSocket-Version", "13"}});
    BOOST_TEST(accepted.result_int() == 101);
    // RFC 6455's example key, and the accept value it gives.
    BOOST_TEST(accepted[http::field::sec_websocket_accept] == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    BOOST_TEST(boost::beast::iequals(accepted[http::field::upgrade], "websocket"));
    BOOST_TEST(boost::beast::iequals(accepted[http::field::connection], "upgrade"));
    BOOST_TEST((accepted.find(http::field::sec_websocket_extensions) == accepted.end()));
    BOOST_TEST(s.handler().wait_opened(1));

    auto old_version = upgrade({{"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}, {"Sec-WebSocket-Version", "8"}});
    BOOST_TEST(old_version.result_int() == 426);
    BOOST_TEST(old_version[http::field::sec_websocket_version] == "13");
    BOOST_TEST(upgrade({{"Sec-WebSocket-Version", "13"}}).result_int() == 400);
    BOOST_TEST(upgrade({{"Sec-WebSocket-Key", std::string(30, 'k')}, {"Sec-WebSocket-Version", "13"}}).result_int() ==
               400);
    BOOST_TEST(upgrade({{"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}}).result_int() == 400);

    // Without Host, which HTTP/1.1 requires (test_server's http_request
    // always sends one).
    net::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect({net::ip::make_address("127.0.0.1"), s.port()});
    net::write(socket, net::buffer("GET " + query(s.path(), "websocket") +
                                   " HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"));
    boost::beast::flat_buffer buffer;
    response no_host;
    http::read(socket, buffer, no_host);
    BOOST_TEST(no_host.result_int() == 400);
    BOOST_TEST(no_host.body() == "Missing Host");
    BOOST_TEST(!no_host.keep_alive());
    response after;
    boost::system::error_code ec;
    http::read(socket, buffer, after, ec);
    BOOST_TEST((ec == http::error::end_of_stream));
}

BOOST_AUTO_TEST_CASE(keep_alive_connection_serves_several_requests)
{
    test_server s;
    net::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect({net::ip::make_address("127.0.0.1"), s.port()});
    boost::beast::flat_buffer buffer;
    for (int i = 0; i < 3; ++i) {
        http::request<http::string_body> req{http::verb::get, query(s.path(), "polling"), 11};
        req.set(http::field::host, "127.0.0.1");
        http::write(socket, req);
        response res;
        http::read(socket, buffer, res);
        BOOST_TEST(res.result_int() == 200);
        BOOST_TEST(res.keep_alive());
    }
}

BOOST_AUTO_TEST_CASE(async_fallback_gets_body_and_peer_and_its_answer_is_written)
{
    net::thread_pool pool(1);
    fallback_server s;
    s.listener().set_async_fallback([ex = pool.get_executor()](engine::http_request req, std::string remote) {
        return hop_and_echo(ex, std::move(req), std::move(remote));
    });
    s.start();
    auto res = http_request(s.port(), http::verb::post, "/api/thing", "hello body");
    BOOST_TEST(res.result_int() == 201);
    BOOST_TEST(res["X-Hopped"] == "yes");
    BOOST_TEST(res.body() == "127.0.0.1|hello body");
    pool.join();
}

BOOST_AUTO_TEST_CASE(a_trusted_proxy_names_the_client_and_anyone_else_is_its_own_client)
{
    auto echo_address = [](engine::http_request req, std::string remote) -> net::awaitable<engine::http_response> {
        engine::http_response res{http::status::ok, req.version()};
        res.body() = remote;
        res.prepare_payload();
        co_return res;
    };
    const std::vector<std::pair<std::string, std::string>> forwarded{{"X-Forwarded-For", "198.51.100.7"}};
    {
        fallback_server behind_proxy(engine::listener_options{.trusted_proxies = {"127.0.0.0/8"}});
        behind_proxy.listener().set_async_fallback(echo_address);
        behind_proxy.start();
        BOOST_TEST(http_request(behind_proxy.port(), http::verb::get, "/", {}, forwarded).body() == "198.51.100.7");
    }
    fallback_server direct;
    direct.listener().set_async_fallback(echo_address);
    direct.start();
    BOOST_TEST(http_request(direct.port(), http::verb::get, "/", {}, forwarded).body() == "127.0.0.1");

    // An Engine.IO session records the client, not the proxy.
    test_server eio(fast_options(), nullptr, engine::listener_options{.trusted_proxies = {"127.0.0.1"}});
    auto open = http_request(eio.port(), http::verb::get, query(eio.path(), "polling"), {}, forwarded);
    auto session = eio.handler().find(sid_of(open.body()));
    BOOST_TEST_REQUIRE(session != nullptr);
    BOOST_TEST(session->request().remote_address == "198.51.100.7");
}

BOOST_AUTO_TEST_CASE(sync_fallback_still_answers)
{
    fallback_server s;
    s.listener().set_fallback([](const engine::http_request& req) {
        engine::http_response res{http::status::ok, req.version()};
        res.body() = std::string(req.target());
        res.prepare_payload();
        return res;
    });
    s.start();
    auto res = http_request(s.port(), http::verb::get, "/static/app.js");
    BOOST_TEST(res.result_int() == 200);
    BOOST_TEST(res.body() == "/static/app.js");
}

// The answers an application can build: a reason of its own or the status's,
// repeated fields, HTTP/1.0, a chunked body.
engine::http_response sample_answer(unsigned version, bool custom_reason, bool chunked)
{
    engine::http_response res{http::status::accepted, version};
    if (custom_reason)
        res.reason("Taken In");
    res.set(http::field::content_type, "text/plain");
    res.insert("X-Repeated", "a");
    res.insert("X-Repeated", "b");
    res.body() = "body bytes";
    res.keep_alive(false);
    if (chunked)
        res.chunked(true);
    else
        res.prepare_payload();
    return res;
}

// http_stream writes a head of its own: byte for byte what Beast's serializer
// writes for the same answer.
BOOST_AUTO_TEST_CASE(answers_are_written_byte_for_byte_as_beast_serializes_them)
{
    for (unsigned version : {10u, 11u})
        for (bool custom_reason : {false, true})
            for (bool chunked : {false, true}) {
                fallback_server s;
                s.listener().set_fallback([=](const engine::http_request&) {
                    return sample_answer(version, custom_reason, chunked);
                });
                s.start();
                net::io_context ioc;
                tcp::socket socket(ioc);
                socket.connect({net::ip::make_address("127.0.0.1"), s.port()});
                net::write(socket, net::buffer(std::string_view("GET /x HTTP/1.1\r\nHost: a\r\n\r\n")));
                std::string received;
                boost::system::error_code ec;
                net::read(socket, net::dynamic_buffer(received), ec);
                BOOST_TEST(ec == net::error::eof);
                std::ostringstream expected;
                expected << sample_answer(version, custom_reason, chunked);
                BOOST_TEST(received == expected.str(), "version " << version << ", custom reason " << custom_reason
                                                                  << ", chunked " << chunked);
            }
}

BOOST_AUTO_TEST_CASE(throwing_async_fallback_answers_500_and_closes)
{
    fallback_server s;
    s.listener().set_async_fallback(throwing_fallback);
    s.start();
    auto res = http_request(s.port(), http::verb::get, "/boom");
    BOOST_TEST(res.result_int() == 500);
    BOOST_TEST(!res.keep_alive());
}

BOOST_AUTO_TEST_CASE(another_endpoint_kind_serves_its_path_beside_an_engine)
{
    net::io_context ioc;
    recording_echo echo;
    engine::server engine_endpoint(ioc.get_executor(), fast_options(), echo);
    engine::listener listener(ioc);
    listener.add(engine_endpoint);
    listener.add(std::make_shared<status_page>());
    listener.listen("127.0.0.1", 0);
    std::thread thread([&] { ioc.run(); });

    auto status = http_request(listener.port(), http::verb::get, "/status");
    BOOST_TEST(status.result_int() == 200);
    BOOST_TEST(status.body() == "up 127.0.0.1");
    // Over its body limit: the default answer.
    BOOST_TEST(http_request(listener.port(), http::verb::post, "/status/", std::string(17, 'x')).result_int() == 413);
    // A WebSocket upgrade gets the default too: its plain answer.
    auto upgrade = http_request(listener.port(), http::verb::get, "/status/", {},
                                {{"Upgrade", "websocket"},
                                 {"Connection", "Upgrade"},
                                 {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                                 {"Sec-WebSocket-Version", "13"}});
    BOOST_TEST(upgrade.body() == "up 127.0.0.1");
    // The engine is still at its own path.
    auto open = http_request(listener.port(), http::verb::get, query("/engine.io/", "polling"));
    BOOST_TEST(open.body().front() == '0');

    listener.stop();
    engine_endpoint.close_all();
    ioc.stop();
    thread.join();
}

BOOST_AUTO_TEST_CASE(static_files_serve_a_directory_below_their_path_and_nothing_outside)
{
    namespace fs = std::filesystem;
    auto root = fs::temp_directory_path() / ("corio-static-" + std::to_string(::getpid()));
    fs::create_directories(root / "js");
    std::ofstream(root / "index.html") << "<p>ui</p>";
    std::ofstream(root / "js" / "app.js") << "run()";
    std::ofstream(root.parent_path() / "corio-static-secret.txt") << "secret";
    fallback_server s;
    s.listener().add(std::make_shared<engine::static_files>("/ui/", root.string()));
    s.start();

    auto index = http_request(s.port(), http::verb::get, "/ui/");
    BOOST_TEST(index.result_int() == 200);
    BOOST_TEST(index.body() == "<p>ui</p>");
    BOOST_TEST(index[http::field::content_type] == "text/html; charset=utf-8");
    auto script = http_request(s.port(), http::verb::get, "/ui/js/app.js?v=1");
    BOOST_TEST(script.body() == "run()");
    BOOST_TEST(script[http::field::content_type] == "text/javascript; charset=utf-8");
    // The page's relative links need the slash.
    auto bare = http_request(s.port(), http::verb::get, "/ui");
    BOOST_TEST(bare.result_int() == 308);
    BOOST_TEST(bare[http::field::location] == "/ui/");
    for (std::string target : {"/ui/missing.js", "/ui/../corio-static-secret.txt", "/ui/js/../index.html", "/ui//index.html",
                               "/ui/%2e%2e/corio-static-secret.txt"})
        BOOST_TEST_CONTEXT(target)
        {
            BOOST_TEST(http_request(s.port(), http::verb::get, target).result_int() == 404);
        }
    BOOST_TEST(http_request(s.port(), http::verb::post, "/ui/index.html").result_int() == 405);
    BOOST_TEST(http_request(s.port(), http::verb::get, "/other").result_int() == 404);
    fs::remove_all(root);
    fs::remove(root.parent_path() / "corio-static-secret.txt");
}

BOOST_AUTO_TEST_SUITE_END()
