#include "test_server.hpp"

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

using namespace corio_test;

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

BOOST_AUTO_TEST_SUITE_END()
