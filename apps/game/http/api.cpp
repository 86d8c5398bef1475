#include "http/api.hpp"

#include "http/assets.hpp"
#include "http/messages.hpp"
#include "http/same_origin.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <optional>
#include <utility>
#include <variant>

namespace corio_game {

namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using corio::engine::http_request;
using corio::engine::http_response;
using detail::error_response;
using detail::json_response;
using detail::make_response;

// {"username": "...", "password": "..."} is two levels deep.
constexpr std::size_t max_json_depth = 4;

struct api_state {
    accounts& users;
    results& games;
    rate_limiter& limiter;
    net::any_io_executor hashing_executor;
    http_api_options opts;
};

struct credentials {
    std::string username;
    std::string password;
};

// What register or login computed off the strand: the user and a new
// session token, or why not.
struct sign_in {
    std::variant<user, account_error> result;
    std::string token;
};

std::string lower(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c);
    });
    return out;
}

void report(const api_state& s, std::string_view remote, std::string_view what)
{
    s.opts.log({.level = corio::log_level::error, .message = "request failed", .remote = remote, .error = what});
}

// These two run on the hashing executor: free coroutines taking everything
// by value, since g++ 12 miscompiles capturing lambda coroutines.
net::awaitable<sign_in> register_off_strand(accounts* users, std::string name, std::string password)
{
    sign_in out{users->register_user(name, password), {}};
    if (auto* u = std::get_if<user>(&out.result))
        out.token = users->create_session(u->id);
    co_return out;
}

net::awaitable<std::variant<user, account_error>> upgrade_off_strand(accounts* users, std::int64_t user_id,
                                                                     std::string password)
{
    co_return users->upgrade_guest(user_id, password);
}

net::awaitable<sign_in> login_off_strand(accounts* users, std::string name, std::string password)
{
    sign_in out{users->login(name, password), {}};
    if (auto* u = std::get_if<user>(&out.result))
        out.token = users->create_session(u->id);
    co_return out;
}

std::optional<std::string_view> optional_field(const http_request& req, http::field f)
{
    auto it = req.find(f);
    if (it == req.end())
        return std::nullopt;
    return std::string_view(it->value());
}

http_response method_not_allowed(const http_request& req, std::string_view allow)
{
    auto res = error_response(req, http::status::method_not_allowed, "That method is not allowed here.");
    res.set(http::field::allow, allow);
    return res;
}

// A POST's JSON body as an object, or the answer refusing it.
std::variant<json::object, http_response> read_object(const api_state& s, const http_request& req)
{
    if (!detail::has_json_content_type(req))
        return error_response(req, http::status::unsupported_media_type,
                              "Send the request as JSON (Content-Type: application/json).");
    if (req.body().size() > s.opts.max_body_size)
        return error_response(req, http::status::payload_too_large, "The request is too large.");
    json::parse_options po;
    po.max_depth = max_json_depth;
    boost::system::error_code ec;
    auto v = json::parse(req.body(), ec, json::storage_ptr(), po);
    if (ec)
        return error_response(req, http::status::bad_request, "The request body is not valid JSON.");
    if (auto* object = v.if_object())
        return std::move(*object);
    return json::object();
}

// The string member `key` of `object`, if it is one.
const json::string* string_member(const json::object& object, std::string_view key)
{
    const auto* v = object.if_contains(key);
    return v ? v->if_string() : nullptr;
}

// The credentials in a POST's JSON body, or the answer refusing it.
std::variant<credentials, http_response> read_credentials(const api_state& s, const http_request& req)
{
    auto read = read_object(s, req);
    if (auto* refused = std::get_if<http_response>(&read))
        return std::move(*refused);
    const auto& object = std::get<json::object>(read);
    const auto* name = string_member(object, "username");
    const auto* password = string_member(object, "password");
    if (!name || !password)
        return error_response(req, http::status::bad_request,
                              "Send a JSON object with \"username\" and \"password\" strings.");
    return credentials{std::string(*name), std::string(*password)};
}

// The one string member `key` of a POST's JSON body, or the answer refusing it.
std::variant<std::string, http_response> read_string(const api_state& s, const http_request& req,
                                                     std::string_view key)
{
    auto read = read_object(s, req);
    if (auto* refused = std::get_if<http_response>(&read))
        return std::move(*refused);
    const auto* value = string_member(std::get<json::object>(read), key);
    if (!value)
        return error_response(req, http::status::bad_request,
                              "Send a JSON object with a \"" + std::string(key) + "\" string.");
    return std::string(*value);
}

// Secure when told so, or when the page was served over HTTPS by a proxy
// in front. X-Forwarded-Proto is believed from anyone here: Secure only
// restricts the cookie, so a client that claims HTTPS over plain HTTP only
// loses its own cookie.
bool secure_cookie(const api_state& s, const http_request& req)
{
    return s.opts.secure_cookies || detail::forwarded_https(req);
}

// What register, login, me and upgrade answer: who is signed in.
json::object who(const user& u) { return json::object{{"name", u.name}, {"guest", u.guest}}; }

http_response signed_in(const api_state& s, const http_request& req, http::status status, const sign_in& outcome)
{
    const auto& u = std::get<user>(outcome.result);
    auto res = json_response(req, status, who(u));
    res.set(http::field::set_cookie,
            detail::session_cookie(outcome.token, s.users.session_lifetime(), secure_cookie(s, req)));
    return res;
}

std::optional<user> current_user(const api_state& s, const http_request& req)
{
    auto token = detail::cookie_value(req, session_cookie_name);
    if (!token)
        return std::nullopt;
    return s.users.user_for_session(*token);
}

net::awaitable<http_response> register_route(const api_state& s, const http_request& req, const std::string& remote)
{
    auto read = read_credentials(s, req);
    if (auto* refused = std::get_if<http_response>(&read))
        co_return std::move(*refused);
    auto& c = std::get<credentials>(read);
    auto address = "register-addr:" + detail::address_key(remote);
    if (auto wait = s.limiter.check(address, s.opts.registrations_per_address))
        co_return detail::too_many_attempts(req, *wait);
    if (!accounts::is_valid_name(c.username))
        co_return error_response(req, http::status::bad_request, describe(account_error::invalid_name));
    if (auto problem = accounts::password_problem(c.username, c.password))
        co_return error_response(req, http::status::bad_request, *problem);
    // Counted once the attempt will cost a hash: typos in the form are free.
    s.limiter.hit(address, s.opts.registrations_per_address);
    auto outcome = co_await net::co_spawn(s.hashing_executor,
                                          register_off_strand(&s.users, std::move(c.username), std::move(c.password)),
                                          net::use_awaitable);
    if (auto* e = std::get_if<account_error>(&outcome.result)) {
        auto status = *e == account_error::name_taken ? http::status::conflict : http::status::bad_request;
        co_return error_response(req, status, describe(*e));
    }
    co_return signed_in(s, req, http::status::created, outcome);
}

http_response guest_route(const api_state& s, const http_request& req, const std::string& remote)
{
    auto read = read_string(s, req, "name");
    if (auto* refused = std::get_if<http_response>(&read))
        return std::move(*refused);
    auto name = std::move(std::get<std::string>(read));
    auto address = "guest-addr:" + detail::address_key(remote);
    if (auto wait = s.limiter.check(address, s.opts.guests_per_address))
        return detail::too_many_attempts(req, *wait);
    if (!accounts::is_valid_name(name))
        return error_response(req, http::status::bad_request, describe(account_error::invalid_name));
    // Counted whether or not the name is free, so that trying names costs
    // the same as taking them.
    s.limiter.hit(address, s.opts.guests_per_address);
    sign_in outcome{s.users.create_guest(name), {}};
    if (auto* e = std::get_if<account_error>(&outcome.result)) {
        auto status = *e == account_error::name_taken ? http::status::conflict : http::status::bad_request;
        return error_response(req, status, describe(*e));
    }
    outcome.token = s.users.create_session(std::get<user>(outcome.result).id);
    return signed_in(s, req, http::status::created, outcome);
}

net::awaitable<http_response> upgrade_route(const api_state& s, const http_request& req, const std::string& remote)
{
    auto read = read_string(s, req, "password");
    if (auto* refused = std::get_if<http_response>(&read))
        co_return std::move(*refused);
    auto password = std::move(std::get<std::string>(read));
    auto u = current_user(s, req);
    if (!u)
        co_return error_response(req, http::status::unauthorized, "You are not logged in.");
    if (!u->guest)
        co_return error_response(req, http::status::conflict, describe(account_error::not_a_guest));
    // An upgrade costs a hash like a registration, and counts as one.
    auto address = "register-addr:" + detail::address_key(remote);
    if (auto wait = s.limiter.check(address, s.opts.registrations_per_address))
        co_return detail::too_many_attempts(req, *wait);
    if (auto problem = accounts::password_problem(u->name, password))
        co_return error_response(req, http::status::bad_request, *problem);
    s.limiter.hit(address, s.opts.registrations_per_address);
    auto outcome = co_await net::co_spawn(s.hashing_executor, upgrade_off_strand(&s.users, u->id, std::move(password)),
                                          net::use_awaitable);
    if (auto* e = std::get_if<account_error>(&outcome)) {
        auto status = *e == account_error::not_a_guest ? http::status::conflict : http::status::bad_request;
        co_return error_response(req, status, describe(*e));
    }
    const auto& done = std::get<user>(outcome);
    co_return json_response(req, http::status::ok, who(done));
}

// The rate-limiter keys of one login attempt (see http_api_options).
struct login_keys {
    std::string address; // every attempt from the address
    std::string pair;    // failures for the name from the address
    std::string name;    // failures for the name from unknown addresses
    std::string known;   // the address logged in to the name recently
};

login_keys keys_for_login(std::string_view username, const std::string& remote)
{
    auto address = detail::address_key(remote);
    auto name = lower(username);
    return {"login-addr:" + address, "login-pair:" + name + "@" + address, "login-name:" + name,
            "login-known:" + name + "@" + address};
}

net::awaitable<http_response> login_route(const api_state& s, const http_request& req, const std::string& remote)
{
    auto read = read_credentials(s, req);
    if (auto* refused = std::get_if<http_response>(&read))
        co_return std::move(*refused);
    auto& c = std::get<credentials>(read);
    // Only names that can exist get counters, so keys stay short.
    bool counts_name = accounts::is_valid_name(c.username);
    auto keys = keys_for_login(counts_name ? std::string_view(c.username) : std::string_view(), remote);
    const rate_limit known_limit{1, s.opts.known_address_memory};
    bool known = counts_name && s.limiter.check(keys.known, known_limit).has_value();
    auto wait = s.limiter.check(keys.address, s.opts.logins_per_address);
    auto longest = [&wait](std::optional<std::chrono::seconds> w) {
        if (w)
            wait = std::max(wait.value_or(std::chrono::seconds(0)), *w);
    };
    if (counts_name) {
        longest(s.limiter.check(keys.pair, s.opts.login_failures_per_name_and_address));
        if (!known)
            longest(s.limiter.check(keys.name, s.opts.login_failures_per_name));
    }
    if (wait)
        co_return detail::too_many_attempts(req, *wait);
    s.limiter.hit(keys.address, s.opts.logins_per_address);
    // Counted as failures before the check, so that guesses sent in
    // parallel count too; success takes them back below.
    if (counts_name) {
        s.limiter.hit(keys.pair, s.opts.login_failures_per_name_and_address);
        if (!known)
            s.limiter.hit(keys.name, s.opts.login_failures_per_name);
    }
    auto outcome = co_await net::co_spawn(s.hashing_executor,
                                          login_off_strand(&s.users, std::move(c.username), std::move(c.password)),
                                          net::use_awaitable);
    if (auto* e = std::get_if<account_error>(&outcome.result))
        co_return error_response(req, http::status::unauthorized, describe(*e));
    if (counts_name) {
        s.limiter.reset(keys.pair);
        // Only this attempt: the others' failures still count against the name.
        if (!known)
            s.limiter.forgive(keys.name);
        s.limiter.hit(keys.known, known_limit);
    }
    co_return signed_in(s, req, http::status::ok, outcome);
}

http_response logout_route(const api_state& s, const http_request& req)
{
    if (!detail::has_json_content_type(req))
        return error_response(req, http::status::unsupported_media_type,
                              "Send the request as JSON (Content-Type: application/json).");
    if (auto token = detail::cookie_value(req, session_cookie_name)) {
        auto u = s.users.user_for_session(*token);
        s.users.revoke_session(*token);
        if (u && s.opts.on_logout)
            s.opts.on_logout(*u);
    }
    auto res = make_response(req, http::status::no_content);
    res.set(http::field::cache_control, "no-store");
    // No prepare_payload: it would add Content-Length, which a 204 must not carry.
    res.set(http::field::set_cookie, detail::session_cookie("", std::chrono::seconds(0), secure_cookie(s, req)));
    return res;
}

http_response me_route(const api_state& s, const http_request& req)
{
    auto u = current_user(s, req);
    if (!u)
        return error_response(req, http::status::unauthorized, "You are not logged in.");
    return json_response(req, http::status::ok, who(*u));
}

http_response leaderboard_route(const api_state& s, const http_request& req, bool guests)
{
    json::array rows;
    for (const auto& r : guests ? s.games.guest_leaderboard() : s.games.leaderboard())
        rows.push_back(json::object{{"name", r.name}, {"wins", r.wins}, {"losses", r.losses}, {"draws", r.draws}});
    return json_response(req, http::status::ok, rows);
}

net::awaitable<http_response> api_route(const api_state& s, const http_request& req, const std::string& remote,
                                        std::string_view path)
{
    auto method = req.method();
    // Defence in depth beside SameSite=Strict and the JSON content type: a
    // page of another origin cannot register, log in or out.
    if (method == http::verb::post && !same_origin(optional_field(req, http::field::origin),
                                                   optional_field(req, http::field::host)))
        co_return error_response(req, http::status::forbidden, "Requests from other sites are not allowed.");
    if (path == "/api/register") {
        if (method != http::verb::post)
            co_return method_not_allowed(req, "POST");
        co_return co_await register_route(s, req, remote);
    }
    if (path == "/api/login") {
        if (method != http::verb::post)
            co_return method_not_allowed(req, "POST");
        co_return co_await login_route(s, req, remote);
    }
    if (path == "/api/guest") {
        if (method != http::verb::post)
            co_return method_not_allowed(req, "POST");
        co_return guest_route(s, req, remote);
    }
    if (path == "/api/upgrade") {
        if (method != http::verb::post)
            co_return method_not_allowed(req, "POST");
        co_return co_await upgrade_route(s, req, remote);
    }
    if (path == "/api/logout") {
        if (method != http::verb::post)
            co_return method_not_allowed(req, "POST");
        co_return logout_route(s, req);
    }
    if (path == "/api/me") {
        if (method != http::verb::get)
            co_return method_not_allowed(req, "GET");
        co_return me_route(s, req);
    }
    if (path == "/api/leaderboard" || path == "/api/leaderboard/guests") {
        if (method != http::verb::get)
            co_return method_not_allowed(req, "GET");
        co_return leaderboard_route(s, req, path.ends_with("/guests"));
    }
    co_return error_response(req, http::status::not_found, "There is no such API.");
}

http_response static_route(const api_state& s, const http_request& req, std::string_view path)
{
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
        auto res = make_response(req, http::status::method_not_allowed);
        res.set(http::field::allow, "GET, HEAD");
        res.set(http::field::content_type, "text/plain; charset=utf-8");
        res.body() = "Method not allowed";
        res.prepare_payload();
        return res;
    }
    auto name = path == "/" ? std::string_view("index.html") : path.substr(1);
    // A web root overrides the built-in files it has; the rest (the client
    // bundle from npm) still come from the binary.
    std::optional<std::string> body;
    if (!s.opts.web_root.empty())
        body = read_web_file(s.opts.web_root, name);
    if (!body)
        if (auto file = find_embedded_file(name))
            body.emplace(*file);
    if (!body) {
        auto res = make_response(req, http::status::not_found);
        res.set(http::field::content_type, "text/plain; charset=utf-8");
        res.body() = "Not found";
        res.prepare_payload();
        return res;
    }
    auto res = make_response(req, http::status::ok);
    auto type = content_type_for(name);
    res.set(http::field::content_type, type);
    if (type.starts_with("text/html")) {
        res.set("Content-Security-Policy", detail::html_content_security_policy);
        res.set(http::field::cache_control, "no-store");
    } else {
        // No validators to revalidate with yet, but never a stale script
        // after an upgrade.
        res.set(http::field::cache_control, "no-cache");
    }
    if (req.method() == http::verb::head) {
        res.content_length(body->size());
    } else {
        res.body() = std::move(*body);
        res.prepare_payload();
    }
    return res;
}

net::awaitable<http_response> route(const api_state& s, const http_request& req, const std::string& remote)
{
    std::string_view target = req.target();
    auto path = target.substr(0, target.find('?'));
    if (path == "/api" || path.starts_with("/api/"))
        co_return co_await api_route(s, req, remote, path);
    co_return static_route(s, req, path);
}

// Owns the request and the state for as long as the answer takes; the
// routes borrow them.
net::awaitable<http_response> handle_request(std::shared_ptr<const api_state> s, http_request req, std::string remote)
{
    try {
        co_return co_await route(*s, req, remote);
    } catch (const std::exception& e) {
        report(*s, remote, e.what());
    }
    co_return error_response(req, http::status::internal_server_error,
                             "Something went wrong on the server. Please try again.");
}

} // namespace

struct http_api::state : api_state {};

http_api::http_api(accounts& accounts, results& results, rate_limiter& limiter,
                   boost::asio::any_io_executor hashing_executor, http_api_options opts)
    : state_(std::make_shared<state>(state{{accounts, results, limiter, std::move(hashing_executor), std::move(opts)}}))
{
}

boost::asio::awaitable<http_response> http_api::handle(http_request req, std::string remote_address)
{
    return handle_request(state_, std::move(req), std::move(remote_address));
}

} // namespace corio_game
