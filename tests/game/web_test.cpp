#include "http/api.hpp"

#include "http/assets.hpp"
#include "http/messages.hpp"
#include "http/rate_limiter.hpp"

#include <corio/engine/listener.hpp>
#include <corio/log.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include "temp_dir.hpp"

#include <boost/test/unit_test.hpp>


#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
namespace fs = std::filesystem;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;
using corio_game::rate_limit;
using corio_game::rate_limiter;

using response = http::response<http::string_body>;
using header_list = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view good_password = "correct horse battery";
constexpr std::string_view expected_csp = "default-src 'self'; connect-src 'self'; img-src 'self' data:; "
                                          "style-src 'self'; script-src 'self'; frame-ancestors 'none'";

// Steady time that moves only when the test says so.
class manual_time {
public:
    rate_limiter::clock_type::time_point now() const
    {
        std::lock_guard lock(mutex_);
        return now_;
    }
    void advance(rate_limiter::clock_type::duration d)
    {
        std::lock_guard lock(mutex_);
        now_ += d;
    }

private:
    mutable std::mutex mutex_;
    rate_limiter::clock_type::time_point now_{std::chrono::hours(1000)};
};

// The game's HTTP side on 127.0.0.1 as corio-game runs it: a real listener
// whose asynchronous fallback is http_api, hashing on a pool of its own.
class web_server {
public:
    explicit web_server(corio_game::http_api_options opts = {}, corio::engine::listener_options listen = {})
        : users_(db_, corio_game::password_cost::minimal), games_(db_), limiter_([this] { return time_.now(); }),
          listener_(ioc_, std::move(listen))
    {
        opts.on_logout = [this](const corio_game::user& u) {
            std::lock_guard lock(mutex_);
            logged_out_.push_back(u.name);
        };
        api_ = std::make_unique<corio_game::http_api>(users_, games_, limiter_, pool_.get_executor(), std::move(opts));
        listener_.set_async_fallback([this](corio::engine::http_request req, std::string remote) {
            return api_->handle(std::move(req), std::move(remote));
        });
        listener_.listen("127.0.0.1", 0);
        thread_ = std::thread([this] { ioc_.run(); });
    }
    ~web_server()
    {
        listener_.stop();
        ioc_.stop();
        thread_.join();
        pool_.join();
    }

    /// One request on a fresh connection; waits for the whole answer.
    response request(http::verb verb, const std::string& target, std::string body = {}, const header_list& headers = {},
                     bool head = false)
    {
        net::io_context ioc;
        tcp::socket socket(ioc);
        socket.connect({net::ip::make_address("127.0.0.1"), listener_.port()});
        http::request<http::string_body> req{verb, target, 11};
        req.set(http::field::host, "127.0.0.1");
        for (const auto& [name, value] : headers) {
            // A Host given replaces the default one; other names may repeat.
            if (boost::beast::iequals(name, "host"))
                req.set(http::field::host, value);
            else
                req.insert(name, value);
        }
        req.body() = std::move(body);
        req.prepare_payload();
        http::write(socket, req);
        boost::beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.skip(head);
        http::read(socket, buffer, parser);
        return parser.release();
    }

    response post_json(const std::string& target, std::string body, const std::string& cookie = {})
    {
        header_list headers = {{"Content-Type", "application/json"}};
        if (!cookie.empty())
            headers.emplace_back("Cookie", cookie);
        return request(http::verb::post, target, std::move(body), headers);
    }

    /// A JSON POST that says it was forwarded for `client` (as a proxy would).
    response post_json_for(const std::string& client, const std::string& target, std::string body)
    {
        return request(http::verb::post, target, std::move(body),
                       {{"Content-Type", "application/json"}, {"X-Forwarded-For", client}});
    }

    response get(const std::string& target, const std::string& cookie = {})
    {
        header_list headers;
        if (!cookie.empty())
            headers.emplace_back("Cookie", cookie);
        return request(http::verb::get, target, {}, headers);
    }

    std::vector<std::string> logged_out()
    {
        std::lock_guard lock(mutex_);
        return logged_out_;
    }

    manual_time& time() { return time_; }
    corio_game::database& db() { return db_; }
    corio_game::accounts& users() { return users_; }
    corio_game::results& games() { return games_; }

private:
    corio_game::database db_{":memory:"};
    corio_game::accounts users_;
    corio_game::results games_;
    manual_time time_;
    rate_limiter limiter_;
    net::thread_pool pool_{1};
    std::unique_ptr<corio_game::http_api> api_;
    net::io_context ioc_;
    corio::engine::listener listener_;
    std::thread thread_;
    std::mutex mutex_;
    std::vector<std::string> logged_out_;
};

std::string credentials(std::string_view name, std::string_view password)
{
    return json::serialize(json::object{{"username", name}, {"password", password}});
}

std::string error_of(const response& res)
{
    return std::string(json::parse(res.body()).at("error").as_string());
}

// "corio_session=<token>" from a response's Set-Cookie, as a browser would
// send it back.
std::string session_cookie_of(const response& res)
{
    std::string set_cookie(res[http::field::set_cookie]);
    return set_cookie.substr(0, set_cookie.find(';'));
}

bool has_attribute(const response& res, std::string_view attribute)
{
    std::string set_cookie(res[http::field::set_cookie]);
    return set_cookie.find("; " + std::string(attribute)) != std::string::npos;
}

std::string register_alice(web_server& s)
{
    auto res = s.post_json("/api/register", credentials("alice", good_password));
    BOOST_REQUIRE(res.result_int() == 201);
    return session_cookie_of(res);
}

// Paths that try to leave the front end's files: dot segments, and their
// percent-encoded, double-encoded, overlong UTF-8, backslash and NUL forms.
// The game never percent-decodes a path, so the encoded ones name files
// that do not exist; the plain ones are refused by read_web_file.
const std::vector<std::string> hostile_paths = {
    "/../etc/passwd", "/vendor/../index.html", "/%2e%2e/etc/passwd", "/nope.js", "//etc/passwd", "/vendor/",
    "/%2E%2E/%2E%2E/etc/passwd", "/..%2fetc%2fpasswd", "/%2e%2e%2fetc%2fpasswd", "/%252e%252e/etc/passwd",
    "/%252e%252e%252fetc%252fpasswd", "/..\\etc\\passwd", "/vendor\\..\\index.html", "/..%5cindex.html",
    "/index.html%00.png", "/%00", "/.%2e/index.html", "/vendor/%2e%2e/index.html", "/./index.html",
    "/%c0%ae%c0%ae/etc/passwd"};

using corio_game_test::temp_dir;

} // namespace

BOOST_AUTO_TEST_SUITE(web_accounts)

BOOST_AUTO_TEST_CASE(register_sets_a_strict_session_cookie)
{
    web_server s;
    auto res = s.post_json("/api/register", credentials("alice", good_password));
    BOOST_TEST(res.result_int() == 201);
    BOOST_TEST(json::parse(res.body()) == json::parse(R"({"name":"alice","guest":false})"));
    BOOST_TEST(res[http::field::content_type] == "application/json");
    BOOST_TEST(res[http::field::cache_control] == "no-store");
    BOOST_TEST(res["X-Content-Type-Options"] == "nosniff");
    BOOST_TEST(res["Referrer-Policy"] == "no-referrer");
    auto cookie = session_cookie_of(res);
    BOOST_TEST(cookie.starts_with("corio_session="));
    BOOST_TEST(cookie.size() == std::string("corio_session=").size() + 43);
    BOOST_TEST(has_attribute(res, "HttpOnly"));
    BOOST_TEST(has_attribute(res, "SameSite=Strict"));
    BOOST_TEST(has_attribute(res, "Path=/"));
    BOOST_TEST(has_attribute(res, "Max-Age=2592000"));
    BOOST_TEST(!has_attribute(res, "Secure"));
}

BOOST_AUTO_TEST_CASE(secure_cookies_when_asked)
{
    web_server s({.secure_cookies = true});
    auto res = s.post_json("/api/register", credentials("alice", good_password));
    BOOST_TEST(has_attribute(res, "Secure"));
}

// Behind a TLS proxy (docs/deploy's nginx sets X-Forwarded-Proto) the
// cookie is Secure without --secure-cookies; over plain HTTP it is not.
BOOST_AUTO_TEST_CASE(secure_cookies_behind_an_https_proxy)
{
    web_server s;
    auto https = s.request(http::verb::post, "/api/register", credentials("alice", good_password),
                           {{"Content-Type", "application/json"}, {"X-Forwarded-Proto", "HTTPS, http"}});
    BOOST_TEST(https.result_int() == 201);
    BOOST_TEST(has_attribute(https, "Secure"));
    auto out = s.request(http::verb::post, "/api/logout", "{}",
                         {{"Content-Type", "application/json"}, {"X-Forwarded-Proto", "https"}});
    BOOST_TEST(has_attribute(out, "Secure"));
    auto http_only = s.request(http::verb::post, "/api/login", credentials("alice", good_password),
                               {{"Content-Type", "application/json"}, {"X-Forwarded-Proto", "http"}});
    BOOST_TEST(http_only.result_int() == 200);
    BOOST_TEST(!has_attribute(http_only, "Secure"));
    BOOST_TEST(has_attribute(http_only, "HttpOnly"));
    BOOST_TEST(has_attribute(http_only, "SameSite=Strict"));
}

BOOST_AUTO_TEST_CASE(a_failed_request_is_logged_without_passwords_or_cookies)
{
    const std::string marker = "S3CRET-marker";
    std::mutex mutex;
    std::vector<std::string> records; // format_text lines; outlives the server
    corio_game::http_api_options opts;
    opts.log = corio::logger(
        [&](const corio::log_record& r) {
            std::lock_guard lock(mutex);
            records.push_back(corio::format_text(r));
        },
        corio::log_level::debug);
    web_server s(std::move(opts));
    auto cookie = session_cookie_of(s.post_json("/api/register", credentials("alice", std::string(good_password) + marker)));
    BOOST_TEST(s.post_json("/api/login", credentials("alice", "wrong" + marker)).result_int() == 401);
    // The database fails under every request from now on: answered 500, and logged.
    s.db().lock().execute("DROP TABLE sessions");
    BOOST_TEST(s.get("/api/me", cookie + "; other=" + marker).result_int() == 500);
    BOOST_TEST(s.post_json("/api/login", credentials("alice", std::string(good_password) + marker), cookie).result_int() == 500);

    std::lock_guard lock(mutex);
    BOOST_TEST_REQUIRE(records.size() == 2u);
    for (const auto& r : records) {
        BOOST_TEST(r.starts_with("error request failed remote=127.0.0.1 error="), r);
        BOOST_TEST(r.find(marker) == std::string::npos, r);
        BOOST_TEST(r.find(cookie.substr(cookie.find('=') + 1)) == std::string::npos, r);
    }
}

BOOST_AUTO_TEST_CASE(me_needs_the_session_cookie)
{
    web_server s;
    auto cookie = register_alice(s);
    auto me = s.get("/api/me", cookie);
    BOOST_TEST(me.result_int() == 200);
    BOOST_TEST(json::parse(me.body()).at("name").as_string() == "alice");
    auto among_others = s.get("/api/me", "theme=dark; " + cookie + "; lang=en");
    BOOST_TEST(among_others.result_int() == 200);
    BOOST_TEST(s.get("/api/me").result_int() == 401);
    BOOST_TEST(s.get("/api/me", "corio_session=" + std::string(43, 'A')).result_int() == 401);
    BOOST_TEST(s.get("/api/me", "other_session=" + cookie.substr(cookie.find('=') + 1)).result_int() == 401);
}

BOOST_AUTO_TEST_CASE(register_refusals)
{
    web_server s;
    register_alice(s);
    auto taken = s.post_json("/api/register", credentials("ALICE", good_password));
    BOOST_TEST(taken.result_int() == 409);
    BOOST_TEST(error_of(taken) == corio_game::describe(corio_game::account_error::name_taken));
    auto bad_name = s.post_json("/api/register", credentials("a b", good_password));
    BOOST_TEST(bad_name.result_int() == 400);
    BOOST_TEST(error_of(bad_name) == corio_game::describe(corio_game::account_error::invalid_name));
    auto weak = s.post_json("/api/register", credentials("bob", "password"));
    BOOST_TEST(weak.result_int() == 400);
    BOOST_TEST(error_of(weak) == *corio_game::accounts::password_problem("bob", "password"));
    BOOST_TEST((weak.find(http::field::set_cookie) == weak.end()));
}

BOOST_AUTO_TEST_CASE(login_right_and_wrong)
{
    web_server s;
    register_alice(s);
    auto wrong = s.post_json("/api/login", credentials("alice", "wrong horse battery"));
    BOOST_TEST(wrong.result_int() == 401);
    auto unknown = s.post_json("/api/login", credentials("nobody", good_password));
    BOOST_TEST(unknown.result_int() == 401);
    BOOST_TEST(error_of(wrong) == error_of(unknown));
    BOOST_TEST((wrong.find(http::field::set_cookie) == wrong.end()));
    auto right = s.post_json("/api/login", credentials("Alice", good_password));
    BOOST_TEST(right.result_int() == 200);
    BOOST_TEST(json::parse(right.body()).at("name").as_string() == "alice");
    BOOST_TEST(s.get("/api/me", session_cookie_of(right)).result_int() == 200);
}

BOOST_AUTO_TEST_CASE(logout_revokes_the_session)
{
    web_server s;
    auto cookie = register_alice(s);
    auto out = s.post_json("/api/logout", "{}", cookie);
    BOOST_TEST(out.result_int() == 204);
    BOOST_TEST((out.find(http::field::content_length) == out.end()));
    BOOST_TEST(has_attribute(out, "Max-Age=0"));
    BOOST_TEST(session_cookie_of(out) == "corio_session=");
    BOOST_TEST(s.logged_out() == std::vector<std::string>{"alice"});
    BOOST_TEST(s.get("/api/me", cookie).result_int() == 401);
    // Logging out again, or without a session, is harmless.
    BOOST_TEST(s.post_json("/api/logout", "{}", cookie).result_int() == 204);
    BOOST_TEST(s.logged_out().size() == 1u);
}

BOOST_AUTO_TEST_CASE(leaderboard_as_json)
{
    web_server s;
    auto ann = std::get<corio_game::user>(s.users().register_user("ann", good_password)).id;
    auto ben = std::get<corio_game::user>(s.users().register_user("ben", good_password)).id;
    s.games().record({ann, ben, ann, "connect", 9});
    s.games().record({ben, ann, std::nullopt, "draw", 42});
    auto res = s.get("/api/leaderboard");
    BOOST_TEST(res.result_int() == 200);
    BOOST_TEST(res[http::field::cache_control] == "no-store");
    BOOST_TEST(json::parse(res.body()) == json::parse(R"([{"name":"ann","wins":1,"losses":0,"draws":1},
                                                          {"name":"ben","wins":0,"losses":1,"draws":1}])"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(web_rate_limits)

BOOST_AUTO_TEST_CASE(repeated_failures_for_a_name_get_429_until_the_window_passes)
{
    web_server s;
    register_alice(s);
    for (int i = 0; i < 5; ++i)
        BOOST_TEST(s.post_json("/api/login", credentials("alice", "wrong horse battery")).result_int() == 401);
    // Even the right password waits now, under any spelling of the name.
    auto limited = s.post_json("/api/login", credentials("ALICE", good_password));
    BOOST_TEST(limited.result_int() == 429);
    BOOST_TEST(limited[http::field::retry_after] == "900");
    BOOST_TEST(error_of(limited) == "Too many attempts; try again in 15 minutes.");
    s.time().advance(14min);
    auto still = s.post_json("/api/login", credentials("alice", good_password));
    BOOST_TEST(still.result_int() == 429);
    BOOST_TEST(still[http::field::retry_after] == "60");
    BOOST_TEST(error_of(still) == "Too many attempts; try again in 1 minute.");
    s.time().advance(1min);
    BOOST_TEST(s.post_json("/api/login", credentials("alice", good_password)).result_int() == 200);
}

BOOST_AUTO_TEST_CASE(a_successful_login_clears_the_failures)
{
    web_server s;
    register_alice(s);
    for (int round = 0; round < 2; ++round) {
        for (int i = 0; i < 4; ++i)
            BOOST_TEST(s.post_json("/api/login", credentials("alice", "wrong horse battery")).result_int() == 401);
        BOOST_TEST(s.post_json("/api/login", credentials("alice", good_password)).result_int() == 200);
    }
}

// The lockout is per (name, address): someone guessing alice's password
// from one address locks out that address only, and alice logs in from
// hers (issue 13). Behind a trusted proxy, as corio-game runs on a server.
BOOST_AUTO_TEST_CASE(failures_from_one_address_do_not_lock_out_the_owner_elsewhere)
{
    web_server s({}, {.trusted_proxies = {"127.0.0.1"}});
    register_alice(s);
    const std::string guesser = "203.0.113.7", owner = "198.51.100.20";
    for (int i = 0; i < 5; ++i)
        BOOST_TEST(s.post_json_for(guesser, "/api/login", credentials("alice", "wrong horse battery")).result_int() ==
                   401);
    // The guesser is stopped, even with the right password...
    auto limited = s.post_json_for(guesser, "/api/login", credentials("Alice", good_password));
    BOOST_TEST(limited.result_int() == 429);
    BOOST_TEST(limited[http::field::retry_after] == "900");
    // ...while the owner, elsewhere, gets in at once, and again later.
    BOOST_TEST(s.post_json_for(owner, "/api/login", credentials("alice", good_password)).result_int() == 200);
    BOOST_TEST(s.post_json_for(owner, "/api/login", credentials("alice", good_password)).result_int() == 200);
    BOOST_TEST(s.post_json_for(guesser, "/api/login", credentials("alice", good_password)).result_int() == 429);
    // The guesser's other names are not locked by alice's pair (only by the
    // per-address limit, further on).
    BOOST_TEST(s.post_json_for(guesser, "/api/login", credentials("nobody", good_password)).result_int() == 401);
    s.time().advance(15min);
    BOOST_TEST(s.post_json_for(guesser, "/api/login", credentials("alice", good_password)).result_int() == 200);
}

// Guessing spread over many addresses stops at the per-name ceiling. The
// owner then still gets in from an address she logged in from before, but
// not from a new one: the price of bounding distributed guessing.
BOOST_AUTO_TEST_CASE(guessing_from_many_addresses_stops_at_the_per_name_ceiling)
{
    web_server s({.login_failures_per_name = {12, 15min}}, {.trusted_proxies = {"127.0.0.1"}});
    register_alice(s);
    const std::string home = "198.51.100.20";
    BOOST_TEST(s.post_json_for(home, "/api/login", credentials("alice", good_password)).result_int() == 200);
    int refused = 0, tried = 0;
    for (int a = 1; a <= 5; ++a) {
        auto guesser = "203.0.113." + std::to_string(a);
        for (int i = 0; i < 5; ++i) {
            auto code = s.post_json_for(guesser, "/api/login", credentials("alice", "wrong horse battery")).result_int();
            BOOST_TEST((code == 401 || code == 429));
            (code == 401 ? tried : refused) += 1;
        }
    }
    // 5 addresses x 5 pair failures would be 25 guesses; the ceiling allows 12.
    BOOST_TEST(tried == 12);
    BOOST_TEST(refused == 13);
    BOOST_TEST(s.post_json_for("203.0.113.99", "/api/login", credentials("alice", good_password)).result_int() == 429);
    BOOST_TEST(s.post_json_for("192.0.2.50", "/api/login", credentials("alice", good_password)).result_int() == 429);
    // The known address is exempt, and its own typos do not count there.
    BOOST_TEST(s.post_json_for(home, "/api/login", credentials("alice", "wrong horse battery")).result_int() == 401);
    BOOST_TEST(s.post_json_for(home, "/api/login", credentials("alice", good_password)).result_int() == 200);
    // Other names are not affected.
    BOOST_TEST(s.post_json_for("203.0.113.99", "/api/login", credentials("nobody", good_password)).result_int() == 401);
    s.time().advance(15min);
    BOOST_TEST(s.post_json_for("192.0.2.50", "/api/login", credentials("alice", good_password)).result_int() == 200);
}

// A success takes back only its own advance count from the per-name
// ceiling: the owner logging in does not wipe the guessers' failures.
BOOST_AUTO_TEST_CASE(a_success_does_not_clear_the_per_name_ceiling)
{
    web_server s({.login_failures_per_name = {6, 15min}}, {.trusted_proxies = {"127.0.0.1"}});
    register_alice(s);
    for (int a = 1; a <= 5; ++a)
        BOOST_TEST(s.post_json_for("203.0.113." + std::to_string(a), "/api/login",
                                   credentials("alice", "wrong horse battery"))
                       .result_int() == 401);
    BOOST_TEST(s.post_json_for("198.51.100.20", "/api/login", credentials("alice", good_password)).result_int() == 200);
    BOOST_TEST(s.post_json_for("203.0.113.6", "/api/login", credentials("alice", "wrong horse battery")).result_int() ==
               401);
    BOOST_TEST(s.post_json_for("203.0.113.7", "/api/login", credentials("alice", "wrong horse battery")).result_int() ==
               429);
}

BOOST_AUTO_TEST_CASE(logins_per_address)
{
    web_server s({.logins_per_address = {3, 60s}});
    for (auto name : {"nobody1", "nobody2", "nobody3"})
        BOOST_TEST(s.post_json("/api/login", credentials(name, good_password)).result_int() == 401);
    auto limited = s.post_json("/api/login", credentials("nobody4", good_password));
    BOOST_TEST(limited.result_int() == 429);
    BOOST_TEST(limited[http::field::retry_after] == "60");
    s.time().advance(60s);
    BOOST_TEST(s.post_json("/api/login", credentials("nobody4", good_password)).result_int() == 401);
}

// corio-game --trusted-proxy 127.0.0.1: behind that proxy each client has
// its own count, and a client that the proxy names differently is not
// limited by another's attempts.
BOOST_AUTO_TEST_CASE(logins_per_forwarded_address_behind_a_trusted_proxy)
{
    web_server s({.logins_per_address = {2, 60s}}, {.trusted_proxies = {"127.0.0.1"}});
    for (auto name : {"nobody1", "nobody2"})
        BOOST_TEST(s.post_json_for("203.0.113.7", "/api/login", credentials(name, good_password)).result_int() == 401);
    BOOST_TEST(s.post_json_for("203.0.113.7", "/api/login", credentials("nobody3", good_password)).result_int() == 429);
    BOOST_TEST(s.post_json_for("203.0.113.8", "/api/login", credentials("nobody3", good_password)).result_int() == 401);
}

// Without --trusted-proxy nobody's X-Forwarded-For is believed: a client
// cannot escape its limit by claiming to be forwarded for someone else.
BOOST_AUTO_TEST_CASE(forwarded_addresses_from_an_untrusted_peer_count_as_the_peer)
{
    web_server s({.logins_per_address = {2, 60s}});
    BOOST_TEST(s.post_json_for("203.0.113.7", "/api/login", credentials("nobody1", good_password)).result_int() == 401);
    BOOST_TEST(s.post_json_for("203.0.113.8", "/api/login", credentials("nobody2", good_password)).result_int() == 401);
    BOOST_TEST(s.post_json_for("203.0.113.9", "/api/login", credentials("nobody3", good_password)).result_int() == 429);
}

BOOST_AUTO_TEST_CASE(registrations_per_address)
{
    web_server s({.registrations_per_address = {2, 1h}});
    BOOST_TEST(s.post_json("/api/register", credentials("user1", good_password)).result_int() == 201);
    BOOST_TEST(s.post_json("/api/register", credentials("user2", good_password)).result_int() == 201);
    auto limited = s.post_json("/api/register", credentials("user3", good_password));
    BOOST_TEST(limited.result_int() == 429);
    BOOST_TEST(limited[http::field::retry_after] == "3600");
    BOOST_TEST(error_of(limited) == "Too many attempts; try again in 60 minutes.");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(web_bad_requests)

BOOST_AUTO_TEST_CASE(bodies_must_be_json_objects_of_strings)
{
    web_server s;
    for (std::string body :
         {"{not json", "[1,2]", R"({"username":1,"password":"correct horse battery"})", R"({"username":"alice"})",
          R"({"username":{"a":{"b":{"c":{"d":1}}}},"password":"x"})", ""}) {
        BOOST_TEST_CONTEXT(body)
        {
            auto res = s.post_json("/api/login", body);
            BOOST_TEST(res.result_int() == 400);
            BOOST_TEST(!error_of(res).empty());
        }
    }
}

BOOST_AUTO_TEST_CASE(posts_must_say_they_are_json)
{
    web_server s;
    auto body = credentials("alice", good_password);
    BOOST_TEST(s.request(http::verb::post, "/api/register", body).result_int() == 415);
    BOOST_TEST(s.request(http::verb::post, "/api/login", body, {{"Content-Type", "text/plain"}}).result_int() == 415);
    BOOST_TEST(s.request(http::verb::post, "/api/logout", "{}", {{"Content-Type", "application/x-www-form-urlencoded"}})
                   .result_int() == 415);
    auto with_charset =
        s.request(http::verb::post, "/api/register", body, {{"Content-Type", "Application/JSON; charset=utf-8"}});
    BOOST_TEST(with_charset.result_int() == 201);
}

// The JSON API's CSRF posture: POSTs must be JSON (a form cannot send that
// cross-site without a preflight, which gets no CORS answer), the cookie is
// SameSite=Strict, and a POST whose Origin is not the page's is refused.
BOOST_AUTO_TEST_CASE(posts_from_another_origin_are_refused)
{
    web_server s;
    auto body = credentials("alice", good_password);
    auto from = [&](std::string origin, std::string target) {
        return s.request(http::verb::post, target, body,
                         {{"Content-Type", "application/json"}, {"Origin", origin}, {"Host", "game.example"}});
    };
    for (std::string target : {"/api/register", "/api/login", "/api/logout"}) {
        for (std::string origin : {"https://evil.example", "null", "https://sub.game.example", "game.example"}) {
            BOOST_TEST_CONTEXT(target << " from " << origin)
            {
                auto res = from(origin, target);
                BOOST_TEST(res.result_int() == 403);
                BOOST_TEST((res.find(http::field::set_cookie) == res.end()));
                BOOST_TEST((res.find(http::field::access_control_allow_origin) == res.end()));
            }
        }
    }
    BOOST_TEST(from("https://game.example", "/api/register").result_int() == 201);
    BOOST_TEST(from("http://game.example", "/api/login").result_int() == 200);
    // A preflight gets no CORS permission either.
    auto preflight = s.request(http::verb::options, "/api/login", {},
                               {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "POST"}});
    BOOST_TEST(preflight.result_int() >= 400);
    BOOST_TEST((preflight.find(http::field::access_control_allow_origin) == preflight.end()));
}

BOOST_AUTO_TEST_CASE(large_bodies_get_413)
{
    web_server s;
    auto res = s.post_json("/api/login", credentials("alice", std::string(5000, 'x')));
    BOOST_TEST(res.result_int() == 413);
    BOOST_TEST(!error_of(res).empty());
}

BOOST_AUTO_TEST_CASE(wrong_methods_and_unknown_apis)
{
    web_server s;
    auto get_login = s.get("/api/login");
    BOOST_TEST(get_login.result_int() == 405);
    BOOST_TEST(get_login[http::field::allow] == "POST");
    auto post_me = s.post_json("/api/me", "{}");
    BOOST_TEST(post_me.result_int() == 405);
    BOOST_TEST(post_me[http::field::allow] == "GET");
    auto unknown = s.get("/api/nothing");
    BOOST_TEST(unknown.result_int() == 404);
    BOOST_TEST(!error_of(unknown).empty());
    auto post_page = s.request(http::verb::post, "/", "x");
    BOOST_TEST(post_page.result_int() == 405);
    BOOST_TEST(post_page[http::field::allow] == "GET, HEAD");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(web_static_files)

BOOST_AUTO_TEST_CASE(the_page_is_html_with_a_strict_policy)
{
    web_server s;
    auto page = s.get("/");
    BOOST_TEST(page.result_int() == 200);
    BOOST_TEST(page[http::field::content_type] == "text/html; charset=utf-8");
    BOOST_TEST(page["Content-Security-Policy"] == expected_csp);
    BOOST_TEST(page[http::field::cache_control] == "no-store");
    BOOST_TEST(page["X-Content-Type-Options"] == "nosniff");
    BOOST_TEST(page.body() == *corio_game::find_embedded_file("index.html"));
    auto query = s.get("/?from=mail");
    BOOST_TEST(query.body() == page.body());

    auto head = s.request(http::verb::head, "/", {}, {}, true);
    BOOST_TEST(head.result_int() == 200);
    BOOST_TEST(head[http::field::content_length] == std::to_string(page.body().size()));
    BOOST_TEST(head.body().empty());
}

BOOST_AUTO_TEST_CASE(the_client_bundle_is_javascript)
{
    web_server s;
    auto js = s.get("/vendor/socket.io.min.js");
    BOOST_TEST(js.result_int() == 200);
    BOOST_TEST(js[http::field::content_type] == "text/javascript; charset=utf-8");
    BOOST_TEST(js["X-Content-Type-Options"] == "nosniff");
    BOOST_TEST((js.find("Content-Security-Policy") == js.end()));
    BOOST_TEST(js.body().size() > 1000u);
}

BOOST_AUTO_TEST_CASE(nothing_outside_the_front_end)
{
    web_server s;
    for (std::string target : hostile_paths) {
        BOOST_TEST_CONTEXT(target)
        {
            auto res = s.get(target);
            BOOST_TEST(res.result_int() == 404);
            BOOST_TEST(res[http::field::content_type] == "text/plain; charset=utf-8");
        }
    }
}

BOOST_AUTO_TEST_CASE(web_root_serves_from_disk)
{
    temp_dir root;
    root.write("index.html", "<p>from disk</p>");
    root.write("vendor/socket.io.min.js", "bundle");
    temp_dir outside;
    outside.write("secret.txt", "secret");
    fs::create_symlink(outside.path() / "secret.txt", root.path() / "leak.txt");
    web_server s({.web_root = root.path().string()});
    BOOST_TEST(s.get("/").body() == "<p>from disk</p>");
    BOOST_TEST(s.get("/vendor/socket.io.min.js").body() == "bundle");
    BOOST_TEST(s.get("/leak.txt").result_int() == 404);
    BOOST_TEST(s.get("/../" + outside.path().filename().string() + "/secret.txt").result_int() == 404);
    auto up = "/%2e%2e/" + outside.path().filename().string() + "/secret.txt";
    for (const auto& target : hostile_paths)
        BOOST_TEST_CONTEXT(target) { BOOST_TEST(s.get(target).result_int() == 404); }
    for (const auto& target : {up, "/..%2f" + outside.path().filename().string() + "%2fsecret.txt",
                               "/..\\" + outside.path().filename().string() + "\\secret.txt"})
        BOOST_TEST_CONTEXT(target) { BOOST_TEST(s.get(target).result_int() == 404); }
}

BOOST_AUTO_TEST_CASE(web_root_falls_back_to_the_built_in_files_it_lacks)
{
    temp_dir root;
    root.write("index.html", "<p>from disk</p>");
    web_server s({.web_root = root.path().string()});
    BOOST_TEST(s.get("/").body() == "<p>from disk</p>");
    auto bundle = s.get("/vendor/socket.io.min.js");
    BOOST_TEST(bundle.result_int() == 200);
    BOOST_TEST(bundle.body() == std::string(*corio_game::find_embedded_file("vendor/socket.io.min.js")));
    BOOST_TEST(s.get("/nope.js").result_int() == 404);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(web_assets)

BOOST_AUTO_TEST_CASE(embedded_files_by_name)
{
    BOOST_TEST(corio_game::find_embedded_file("index.html").has_value());
    BOOST_TEST(corio_game::find_embedded_file("vendor/socket.io.min.js").has_value());
    BOOST_TEST(!corio_game::find_embedded_file("/index.html").has_value());
    BOOST_TEST(!corio_game::find_embedded_file("nope").has_value());
}

BOOST_AUTO_TEST_CASE(content_types_by_extension)
{
    using corio_game::content_type_for;
    BOOST_TEST(content_type_for("index.html") == "text/html; charset=utf-8");
    BOOST_TEST(content_type_for("STYLE.CSS") == "text/css; charset=utf-8");
    BOOST_TEST(content_type_for("vendor/socket.io.min.js") == "text/javascript; charset=utf-8");
    BOOST_TEST(content_type_for("vendor/socket.io.min.js.map") == "application/json");
    BOOST_TEST(content_type_for("icon.png") == "image/png");
    BOOST_TEST(content_type_for("logo.svg") == "image/svg+xml");
    BOOST_TEST(content_type_for("favicon.ico") == "image/x-icon");
    BOOST_TEST(content_type_for("data.json") == "application/json");
    BOOST_TEST(content_type_for("README") == "application/octet-stream");
    BOOST_TEST(content_type_for("dir.html/file") == "application/octet-stream");
}

BOOST_AUTO_TEST_CASE(read_web_file_stays_below_the_root)
{
    temp_dir root;
    root.write("a.txt", "A");
    root.write("sub/b.txt", "B");
    auto r = root.path().string();
    BOOST_TEST(corio_game::read_web_file(r, "a.txt").value_or("") == "A");
    BOOST_TEST(corio_game::read_web_file(r, "sub/b.txt").value_or("") == "B");
    for (std::string_view name :
         {"", "../a.txt", "sub/../a.txt", "./a.txt", "/etc/passwd", "sub//b.txt", "sub", "sub\\b.txt", "missing.txt"})
        BOOST_TEST_CONTEXT(name)
        {
            BOOST_TEST(!corio_game::read_web_file(r, name).has_value());
        }
    BOOST_TEST(!corio_game::read_web_file(r, std::string_view("a.txt\0.png", 10)).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(web_rate_limiter)

BOOST_AUTO_TEST_CASE(a_sliding_window)
{
    manual_time time;
    rate_limiter limiter([&] { return time.now(); });
    const rate_limit three_per_minute{3, 60s};
    BOOST_TEST(!limiter.check("k", three_per_minute).has_value());
    limiter.hit("k", three_per_minute);
    time.advance(20s);
    limiter.hit("k", three_per_minute);
    limiter.hit("k", three_per_minute);
    auto wait = limiter.check("k", three_per_minute);
    BOOST_REQUIRE(wait.has_value());
    BOOST_TEST(wait->count() == 40);
    BOOST_TEST(!limiter.check("other", three_per_minute).has_value());
    time.advance(40s);
    // The first hit left the window; the other two are still in it.
    BOOST_TEST(!limiter.check("k", three_per_minute).has_value());
    limiter.hit("k", three_per_minute);
    BOOST_TEST(limiter.check("k", three_per_minute).value_or(0s).count() == 20);
}

BOOST_AUTO_TEST_CASE(waits_round_up_to_whole_seconds)
{
    manual_time time;
    rate_limiter limiter([&] { return time.now(); });
    const rate_limit one_per_second{1, 1s};
    limiter.hit("k", one_per_second);
    time.advance(999ms);
    BOOST_TEST(limiter.check("k", one_per_second).value_or(0s).count() == 1);
    time.advance(1ms);
    BOOST_TEST(!limiter.check("k", one_per_second).has_value());
}

BOOST_AUTO_TEST_CASE(reset_forgets_a_key)
{
    manual_time time;
    rate_limiter limiter([&] { return time.now(); });
    const rate_limit once{1, 1h};
    limiter.hit("k", once);
    BOOST_TEST(limiter.check("k", once).has_value());
    limiter.reset("k");
    BOOST_TEST(!limiter.check("k", once).has_value());
    BOOST_TEST(limiter.size() == 0u);
}

BOOST_AUTO_TEST_CASE(forgive_takes_back_the_newest_hit)
{
    manual_time time;
    rate_limiter limiter([&] { return time.now(); });
    const rate_limit two{2, 60s};
    limiter.hit("k", two);
    limiter.hit("k", two);
    BOOST_TEST(limiter.check("k", two).has_value());
    limiter.forgive("k");
    BOOST_TEST(!limiter.check("k", two).has_value());
    limiter.forgive("k");
    limiter.forgive("k");
    limiter.forgive("missing");
    BOOST_TEST(limiter.size() == 0u);
}

BOOST_AUTO_TEST_CASE(memory_stays_bounded)
{
    manual_time time;
    rate_limiter limiter([&] { return time.now(); }, 100);
    const rate_limit limit{5, 60s};
    for (int i = 0; i < 1000; ++i)
        limiter.hit("key" + std::to_string(i), limit);
    BOOST_TEST(limiter.size() <= 100u);
    // The most recent keys are the ones kept.
    BOOST_TEST(limiter.check("key999", rate_limit{1, 60s}).has_value());
    time.advance(61s);
    for (int i = 0; i < 1024; ++i)
        limiter.hit("same", limit);
    BOOST_TEST(limiter.size() == 1u);
    BOOST_TEST(!limiter.check("same", rate_limit{6, 60s}).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(web_messages)

BOOST_AUTO_TEST_CASE(cookies_from_every_cookie_header)
{
    corio::engine::http_request req{http::verb::get, "/", 11};
    req.insert(http::field::cookie, "a=1; corio_sessionx=no");
    req.insert(http::field::cookie, " theme=dark ;corio_session=\"tok\"; b=2");
    BOOST_TEST(corio_game::detail::cookie_value(req, "corio_session").value_or("") == "tok");
    BOOST_TEST(corio_game::detail::cookie_value(req, "a").value_or("") == "1");
    BOOST_TEST(!corio_game::detail::cookie_value(req, "missing").has_value());
}

BOOST_AUTO_TEST_CASE(ipv6_clients_are_limited_by_their_64_network)
{
    using corio_game::detail::address_key;
    BOOST_TEST(address_key("192.0.2.7") == "192.0.2.7");
    BOOST_TEST(address_key("::ffff:192.0.2.7") == "192.0.2.7");
    BOOST_TEST(address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:bbbb::2"));
    BOOST_TEST(address_key("2001:db8:1:2::1") != address_key("2001:db8:1:3::1"));
    BOOST_TEST(address_key("not an address") == "not an address");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(web_guests)

std::string guest_body(std::string_view name)
{
    return json::serialize(json::object{{"name", name}});
}

BOOST_AUTO_TEST_CASE(a_guest_gets_a_session_cookie_and_me_says_guest)
{
    web_server s;
    auto res = s.post_json("/api/guest", guest_body("Wanderer"));
    BOOST_TEST(res.result_int() == 201);
    BOOST_TEST(json::parse(res.body()) == json::parse(R"({"name":"Wanderer","guest":true})"));
    BOOST_TEST(has_attribute(res, "HttpOnly"));
    BOOST_TEST(has_attribute(res, "SameSite=Strict"));
    auto me = s.get("/api/me", session_cookie_of(res));
    BOOST_TEST(me.result_int() == 200);
    BOOST_TEST(json::parse(me.body()) == json::parse(R"({"name":"Wanderer","guest":true})"));
    // A guest has no password to log in with.
    BOOST_TEST(s.post_json("/api/login", credentials("Wanderer", "")).result_int() == 401);
}

BOOST_AUTO_TEST_CASE(guest_refusals)
{
    web_server s;
    register_alice(s);
    auto taken = s.post_json("/api/guest", guest_body("Alice"));
    BOOST_TEST(taken.result_int() == 409);
    BOOST_TEST(error_of(taken) == corio_game::describe(corio_game::account_error::name_taken));
    BOOST_TEST((taken.find(http::field::set_cookie) == taken.end()));
    auto bad = s.post_json("/api/guest", guest_body("<script>"));
    BOOST_TEST(bad.result_int() == 400);
    BOOST_TEST(error_of(bad) == corio_game::describe(corio_game::account_error::invalid_name));
    auto not_a_string = s.post_json("/api/guest", R"({"name":42})");
    BOOST_TEST(not_a_string.result_int() == 400);
    BOOST_TEST(error_of(not_a_string) == "Send a JSON object with a \"name\" string.");
    BOOST_TEST(s.post_json("/api/guest", "[1,2").result_int() == 400);
    BOOST_TEST(s.request(http::verb::post, "/api/guest", guest_body("ok_name"), {{"Content-Type", "text/plain"}})
                   .result_int() == 415);
    BOOST_TEST(s.get("/api/guest").result_int() == 405);
    auto foreign = s.request(http::verb::post, "/api/guest", guest_body("ok_name"),
                             {{"Content-Type", "application/json"}, {"Origin", "http://evil.example"}});
    BOOST_TEST(foreign.result_int() == 403);
}

BOOST_AUTO_TEST_CASE(guests_per_address)
{
    web_server s({.guests_per_address = {2, 1h}});
    // Typos are free.
    BOOST_TEST(s.post_json("/api/guest", guest_body("g")).result_int() == 400);
    BOOST_TEST(s.post_json("/api/guest", guest_body("guest1")).result_int() == 201);
    // A taken name counts too: trying names costs as much as taking them.
    BOOST_TEST(s.post_json("/api/guest", guest_body("GUEST1")).result_int() == 409);
    auto limited = s.post_json("/api/guest", guest_body("guest3"));
    BOOST_TEST(limited.result_int() == 429);
    BOOST_TEST(limited[http::field::retry_after] == "3600");
    s.time().advance(1h);
    BOOST_TEST(s.post_json("/api/guest", guest_body("guest3")).result_int() == 201);
}

BOOST_AUTO_TEST_CASE(a_guest_upgrades_by_setting_a_password)
{
    web_server s;
    auto cookie = session_cookie_of(s.post_json("/api/guest", guest_body("rover")));
    auto id = std::get<corio_game::user>(s.users().register_user("opponent", good_password)).id;
    auto rover_id = s.users().user_for_session(cookie.substr(cookie.find('=') + 1))->id;
    s.games().record({rover_id, id, rover_id, "connect", 7});
    BOOST_TEST(json::parse(s.get("/api/leaderboard/guests").body()) ==
               json::parse(R"([{"name":"rover","wins":1,"losses":0,"draws":0}])"));

    auto weak = s.post_json("/api/upgrade", R"({"password":"password"})", cookie);
    BOOST_TEST(weak.result_int() == 400);
    auto up = s.post_json("/api/upgrade", json::serialize(json::object{{"password", good_password}}), cookie);
    BOOST_TEST(up.result_int() == 200);
    BOOST_TEST(json::parse(up.body()) == json::parse(R"({"name":"rover","guest":false})"));
    // The same session goes on, now as a full account; the result moved over.
    BOOST_TEST(json::parse(s.get("/api/me", cookie).body()) == json::parse(R"({"name":"rover","guest":false})"));
    BOOST_TEST(json::parse(s.get("/api/leaderboard/guests").body()) == json::parse("[]"));
    BOOST_TEST(json::parse(s.get("/api/leaderboard").body()).as_array().front().at("name") == "rover");
    auto login = s.post_json("/api/login", credentials("rover", good_password));
    BOOST_TEST(login.result_int() == 200);
    BOOST_TEST(json::parse(login.body()) == json::parse(R"({"name":"rover","guest":false})"));
    auto again = s.post_json("/api/upgrade", json::serialize(json::object{{"password", good_password}}), cookie);
    BOOST_TEST(again.result_int() == 409);
    BOOST_TEST(error_of(again) == corio_game::describe(corio_game::account_error::not_a_guest));
}

BOOST_AUTO_TEST_CASE(upgrade_refusals)
{
    web_server s({.registrations_per_address = {1, 1h}});
    auto body = json::serialize(json::object{{"password", good_password}});
    BOOST_TEST(s.post_json("/api/upgrade", body).result_int() == 401);
    BOOST_TEST(s.post_json("/api/upgrade", R"({"pass":"x"})").result_int() == 400);
    BOOST_TEST(s.get("/api/upgrade").result_int() == 405);
    auto first = session_cookie_of(s.post_json("/api/guest", guest_body("first")));
    auto second = session_cookie_of(s.post_json("/api/guest", guest_body("second")));
    BOOST_TEST(s.post_json("/api/upgrade", body, first).result_int() == 200);
    // An upgrade costs a hash, and counts against the registrations of the address.
    auto limited = s.post_json("/api/upgrade", body, second);
    BOOST_TEST(limited.result_int() == 429);
    BOOST_TEST(json::parse(s.get("/api/me", second).body()).at("guest") == true);
}

BOOST_AUTO_TEST_SUITE_END()
