#include "engine/request.hpp"

#include "engine/cors.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/test/unit_test.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/url/parse.hpp>

#include <string>
#include <utility>
#include <vector>

namespace engine = corio::engine;
namespace detail = corio::engine::detail;
namespace http = boost::beast::http;

BOOST_AUTO_TEST_SUITE(request_parsing)

namespace {

engine::http_request get(std::string target)
{
    engine::http_request req{http::verb::get, target, 11};
    req.set(http::field::host, "localhost");
    return req;
}

} // namespace

BOOST_AUTO_TEST_CASE(query_is_decoded_and_headers_lowercased)
{
    auto req = get("/socket.io/?EIO=4&transport=polling&name=a%20b");
    req.set("X-Custom", "v");
    auto info = detail::make_request_info(req, "127.0.0.1");
    BOOST_TEST(*info.query_param("name") == "a b");
    BOOST_TEST(*info.header("x-custom") == "v");
    BOOST_TEST(!info.header("X-Custom").has_value());
    BOOST_TEST(info.remote_address == "127.0.0.1");
}

BOOST_AUTO_TEST_CASE(engine_query_requires_eio_4_and_a_known_transport)
{
    struct row {
        const char* target;
        std::optional<engine::error> expected;
    };
    const row rows[] = {
        {"/e/?EIO=4&transport=polling", std::nullopt},
        {"/e/?EIO=4&transport=websocket&sid=abc", std::nullopt},
        {"/e/?transport=polling", engine::error::unsupported_protocol_version},
        {"/e/?EIO=abc&transport=polling", engine::error::unsupported_protocol_version},
        {"/e/?EIO=3&transport=polling", engine::error::unsupported_protocol_version},
        {"/e/?EIO=4", engine::error::unknown_transport},
        {"/e/?EIO=4&transport=abc", engine::error::unknown_transport},
        // A target that is not a valid URL has no query at all.
        {"/e/?EIO=4&transport=%ZZ", engine::error::unsupported_protocol_version},
    };
    for (const auto& r : rows) {
        BOOST_TEST_CONTEXT(r.target)
        {
            auto q = detail::parse_engine_query(detail::make_request_info(get(r.target), ""), false);
            BOOST_TEST(q.has_value() == !r.expected.has_value());
            if (r.expected && !q)
                BOOST_TEST((q.error() == *r.expected));
        }
    }
}

BOOST_AUTO_TEST_CASE(eio3_only_when_allowed_and_only_the_literal_3)
{
    auto v3 = detail::parse_engine_query(detail::make_request_info(get("/e/?EIO=3&transport=polling"), ""), true);
    BOOST_TEST_REQUIRE(v3.has_value());
    BOOST_TEST(v3->protocol == 3);
    auto v4 = detail::parse_engine_query(detail::make_request_info(get("/e/?EIO=4&transport=polling"), ""), true);
    BOOST_TEST_REQUIRE(v4.has_value());
    BOOST_TEST(v4->protocol == 4);
    for (const char* target : {"/e/?EIO=03&transport=polling", "/e/?EIO=3.0&transport=polling", "/e/?transport=polling"}) {
        BOOST_TEST_CONTEXT(target)
        {
            auto q = detail::parse_engine_query(detail::make_request_info(get(target), ""), true);
            BOOST_TEST_REQUIRE(!q.has_value());
            BOOST_TEST((q.error() == engine::error::unsupported_protocol_version));
        }
    }
}

// The short path (the target read as it is) gives what the full request_info
// gives, for targets it takes and targets it leaves to the long path.
BOOST_AUTO_TEST_CASE(engine_query_from_the_target_matches_the_full_parse)
{
    const char* targets[] = {
        "/e/?EIO=4&transport=polling&sid=abc",
        "/e/?sid=abc&transport=websocket&EIO=4&t=Px1",
        "/e/?EIO=4&EIO=3&transport=polling&transport=websocket",
        "/e/?EIO=4&transport=polling&sid=",
        "/e/?EIO=4&transport&sid=x",
        "/e/?EIO=4&&transport=polling",
        "/e/?EIO=3&transport=polling",
        "/e/?EIO=4",
        "/e/",
        "/e/?EIO=4&transport=poll%69ng",
        "/e/?EIO=4&transport=polling&sid=a+b",
        "/e/?EIO=4&transport=%ZZ",
        "/e/?EIO=4&transport=polling#frag",
        "/e/?EIO=4&transport=polling&sid=a b",
    };
    for (const char* target : targets)
        for (bool allow_eio3 : {false, true}) {
            BOOST_TEST_CONTEXT(target << ", EIO3 allowed " << allow_eio3)
            {
                auto fast = detail::parse_engine_query(get(target), allow_eio3);
                auto full = detail::parse_engine_query(detail::make_request_info(get(target), ""), allow_eio3);
                BOOST_TEST_REQUIRE(fast.has_value() == full.has_value());
                if (!fast) {
                    BOOST_TEST((fast.error() == full.error()));
                    continue;
                }
                BOOST_TEST(fast->protocol == full->protocol);
                BOOST_TEST((fast->transport == full->transport));
                BOOST_TEST((fast->sid == full->sid));
            }
        }
}

// make_request_info reads a plain target's query (nothing to decode) by
// hand: the same parameters, in the same order, as Boost.URL's decoding,
// which the other targets still go through.
BOOST_AUTO_TEST_CASE(request_info_query_matches_boost_url)
{
    const char* targets[] = {
        "/e/?EIO=4&transport=websocket",
        "/e/",
        "/e/?",
        "/e/?&",
        "/e/?x=1&",
        "/e/?&&x",
        "/e/?x==1&=2&y",
        "/e/??x=1",
        "/e/?x=1?y=2",
        "//e?b=c",
        "/e/?a=1&a=2&b='(!)*,;:@$'~._-",
        "/e/?name=a%20b&x=1",
        "/e/?name=a+b",
        "/e/?x=%ZZ",
        "/e/?x=1#frag",
    };
    for (const char* target : targets) {
        BOOST_TEST_CONTEXT(target)
        {
            engine::field_list expected;
            if (auto url = boost::urls::parse_origin_form(target))
                for (auto param : url->params())
                    expected.add(param.key, param.value);
            auto info = detail::make_request_info(get(target), "");
            BOOST_TEST((info.query == expected));
            BOOST_TEST(info.url == target);
        }
    }
}

BOOST_AUTO_TEST_CASE(header_names_lowercased_whatever_their_length)
{
    auto req = get("/e/?EIO=4&transport=polling");
    const std::string long_name = "X-" + std::string(100, 'A') + "-b";
    req.set(long_name, "long");
    req.set("Sec-WebSocket-Key", "k");
    auto info = detail::make_request_info(req, "");
    BOOST_TEST(*info.header("host") == "localhost");
    BOOST_TEST(*info.header("sec-websocket-key") == "k");
    BOOST_TEST(*info.header("x-" + std::string(100, 'a') + "-b") == "long");
    BOOST_TEST(info.headers.size() == 3u);
}

// The upgrade test from one pass over the fields answers as Beast's.
BOOST_AUTO_TEST_CASE(upgrade_test_matches_beast)
{
    struct row {
        http::verb method;
        unsigned version;
        std::vector<std::pair<std::string, std::string>> fields;
    };
    const row rows[] = {
        {http::verb::get, 11, {{"Connection", "Upgrade"}, {"Upgrade", "websocket"}}},
        {http::verb::get, 11, {{"connection", "keep-alive, UPGRADE"}, {"UPGRADE", "WebSocket"}}},
        {http::verb::get, 11, {{"Connection", "keep-alive"}, {"Connection", "upgrade"}, {"Upgrade", "websocket"}}},
        {http::verb::get, 11, {{"Upgrade", "websocket"}}},
        {http::verb::get, 11, {{"Connection", "upgrade"}}},
        {http::verb::get, 11, {{"Connection", "upgrade"}, {"Upgrade", "h2c"}}},
        {http::verb::get, 10, {{"Connection", "upgrade"}, {"Upgrade", "websocket"}}},
        {http::verb::post, 11, {{"Connection", "upgrade"}, {"Upgrade", "websocket"}}},
        {http::verb::get, 11, {{"Connection", "upgrades"}, {"Upgrade", "websocket"}}},
    };
    for (const auto& r : rows) {
        engine::http_request req{r.method, "/e/?EIO=4&transport=websocket", r.version};
        for (const auto& [name, value] : r.fields)
            req.insert(name, value);
        req.insert("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
        req.insert("sec-websocket-version", "13");
        req.insert("Sec-WebSocket-Key", "second");
        const auto fields = detail::upgrade_fields_of(req);
        BOOST_TEST(detail::is_upgrade(req, fields) == boost::beast::websocket::is_upgrade(req));
        BOOST_TEST(fields.key == "dGhlIHNhbXBsZSBub25jZQ==");
        BOOST_TEST(fields.version == "13");
        BOOST_TEST(fields.connection == std::string_view(req[http::field::connection]));
        BOOST_TEST(fields.upgrade == std::string_view(req[http::field::upgrade]));
    }
}

BOOST_AUTO_TEST_CASE(paths_match_with_or_without_trailing_slash)
{
    BOOST_TEST(detail::path_matches("/engine.io/", "/engine.io/"));
    BOOST_TEST(detail::path_matches("/engine.io", "/engine.io/"));
    BOOST_TEST(!detail::path_matches("/engine.iox", "/engine.io/"));
    BOOST_TEST(!detail::path_matches("/", "/engine.io/"));
    BOOST_TEST(detail::target_path("/a/?x=1") == "/a/");
}

BOOST_AUTO_TEST_CASE(error_body_is_engine_io_json)
{
    auto res = detail::error_response(get("/"), engine::error::unknown_sid);
    BOOST_TEST(res.result_int() == 400);
    BOOST_TEST(res.body() == R"({"code":1,"message":"Session ID unknown"})");
    BOOST_TEST(detail::error_response(get("/"), engine::error::forbidden).result_int() == 403);
}

BOOST_AUTO_TEST_CASE(cors_echoes_allowed_origins_only)
{
    engine::cors_options cors{{"https://good.example"}, true};
    auto req = get("/");
    req.set(http::field::origin, "https://good.example");
    engine::http_response res{http::status::ok, 11};
    detail::add_cors_headers(cors, req, res);
    BOOST_TEST(res[http::field::access_control_allow_origin] == "https://good.example");
    BOOST_TEST(res[http::field::access_control_allow_credentials] == "true");

    req.set(http::field::origin, "https://evil.example");
    BOOST_TEST(!detail::origin_allowed(cors, req));
    engine::http_response denied{http::status::ok, 11};
    detail::add_cors_headers(cors, req, denied);
    BOOST_TEST((denied.find(http::field::access_control_allow_origin) == denied.end()));
    BOOST_TEST(detail::preflight_response(cors, req).result_int() == 403);
}

// "*" with credentials must not become "every site, with the user's
// cookies": an origin admitted only by "*" gets no Allow-Credentials, while
// one listed by name beside it does.
BOOST_AUTO_TEST_CASE(cors_wildcard_never_grants_credentials)
{
    engine::cors_options cors{{"*", "https://good.example"}, true};
    auto req = get("/");
    req.set(http::field::origin, "https://evil.example");
    BOOST_TEST(detail::origin_allowed(cors, req));
    engine::http_response any{http::status::ok, 11};
    detail::add_cors_headers(cors, req, any);
    BOOST_TEST(any[http::field::access_control_allow_origin] == "https://evil.example");
    BOOST_TEST((any.find(http::field::access_control_allow_credentials) == any.end()));
    req.set(http::field::access_control_request_method, "POST");
    auto preflight = detail::preflight_response(cors, req);
    BOOST_TEST(preflight.result_int() == 204);
    BOOST_TEST((preflight.find(http::field::access_control_allow_credentials) == preflight.end()));

    req.set(http::field::origin, "https://good.example");
    engine::http_response named{http::status::ok, 11};
    detail::add_cors_headers(cors, req, named);
    BOOST_TEST(named[http::field::access_control_allow_credentials] == "true");
}

// Without an allowed_origins list nothing is sent: a browser on another
// origin cannot read the answers.
BOOST_AUTO_TEST_CASE(cors_default_sends_no_headers)
{
    engine::cors_options cors;
    BOOST_TEST(cors.allowed_origins.empty());
    BOOST_TEST(!cors.credentials);
    auto req = get("/");
    req.set(http::field::origin, "https://any.example");
    engine::http_response res{http::status::ok, 11};
    detail::add_cors_headers(cors, req, res);
    BOOST_TEST((res.find(http::field::access_control_allow_origin) == res.end()));
    BOOST_TEST((res.find(http::field::access_control_allow_credentials) == res.end()));
}

BOOST_AUTO_TEST_CASE(preflight_allows_the_requested_headers)
{
    engine::cors_options cors{{"*"}, false};
    engine::http_request req{http::verb::options, "/socket.io/", 11};
    req.set(http::field::origin, "https://any.example");
    req.set(http::field::access_control_request_headers, "content-type");
    auto res = detail::preflight_response(cors, req);
    BOOST_TEST(res.result_int() == 204);
    BOOST_TEST(res[http::field::access_control_allow_headers] == "content-type");
    BOOST_TEST(res[http::field::access_control_allow_origin] == "https://any.example");
}

BOOST_AUTO_TEST_SUITE_END()
