#pragma once
// The game's HTTP side: the JSON account API under /api/ and the front end's
// static files, as one asynchronous fallback of the engine::listener.
//
//   POST /api/register {"username","password"} -> 201 {"name","guest"} + session cookie
//   POST /api/login    {"username","password"} -> 200 {"name","guest"} + session cookie
//   POST /api/guest    {"name"}                -> 201 {"name","guest":true} + session cookie
//   POST /api/upgrade  {"password"}            -> 200 {"name","guest":false}: the signed-in
//                                                 guest becomes a full account (same id)
//   POST /api/logout                           -> 204, cookie cleared, session revoked
//   GET  /api/me                               -> 200 {"name","guest"} | 401
//   GET  /api/leaderboard                      -> 200 [{"name","wins","losses","draws"}]
//   GET  /api/leaderboard/guests               -> the same for guest accounts
// Errors are {"error": sentence} with 400, 401, 404, 405, 409, 413, 415 or
// 429 (with Retry-After). POSTs must be `Content-Type: application/json`
// (a cross-site form cannot send that without a CORS preflight). Everything
// else is a static file: GET or HEAD, "/" is index.html.

#include "http/rate_limiter.hpp"
#include "store/accounts.hpp"
#include "store/results.hpp"

#include <corio/engine/listener.hpp>
#include <corio/log.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace corio_game {

struct http_api_options {
    /// Serve the front end's files from this directory, falling back to the
    /// files built into the binary (for working on the front end without
    /// rebuilding).
    std::string web_root;
    /// Add `Secure` to the session cookie (when served over HTTPS). Without
    /// it the cookie is still Secure on requests that a proxy marks
    /// `X-Forwarded-Proto: https`.
    bool secure_cookies = false;
    /// Called after a logout revoked `u`'s session, e.g. to disconnect its
    /// sockets. Runs on the logging-out connection's strand.
    std::function<void(const user& u)> on_logout;

    // Login limits (docs/security.md, "Login rate limits", says why these
    // three). Client addresses are the ones after trusted-proxy resolution,
    // IPv6 ones by their /64 network; names ignore case.

    /// Failed logins per (account name, client address) pair; a successful
    /// login from that address clears them. Guessing from one address stops
    /// here, while the owner logging in from elsewhere is not affected.
    rate_limit login_failures_per_name_and_address{5, std::chrono::minutes(15)};
    /// Failed logins per account name from all addresses together, except
    /// the addresses that logged in to it successfully within
    /// `known_address_memory` (whose failures do not count here either):
    /// bounds guessing spread over many addresses. Generous, since reaching
    /// it locks out the owner's new addresses; success does not clear it.
    rate_limit login_failures_per_name{100, std::chrono::minutes(15)};
    /// How long an address that logged in to a name successfully stays
    /// exempt from `login_failures_per_name` for that name.
    std::chrono::hours known_address_memory{24 * 30};
    /// Login attempts per client address, whatever the names: one address
    /// cannot go through the pair limit name after name.
    rate_limit logins_per_address{20, std::chrono::minutes(15)};
    /// Registration attempts with a valid name and an acceptable password
    /// (the ones that may cost a hash), per client address (IPv6: per /64
    /// network). A guest's upgrade to a full account counts as one.
    rate_limit registrations_per_address{10, std::chrono::hours(1)};
    /// Guest accounts requested with a valid name (taken or not), per
    /// client address (IPv6: per /64 network): each takes a name for at
    /// least a session lifetime, for good once it has results.
    rate_limit guests_per_address{10, std::chrono::hours(1)};
    /// Larger API request bodies get 413.
    std::size_t max_body_size = 4096;
    /// Told what went wrong when a request fails unexpectedly (it is answered
    /// 500): an error record with the client's address and the exception's
    /// what(). Never the request: its body holds passwords, its headers the
    /// session cookie.
    corio::logger log;
};

/// @par Thread safety
/// `handle` may run on any number of connections' strands at once. Password
/// hashing (register, login) runs on `hashing_executor` (a thread pool),
/// never on the caller's; the other requests' short database queries run on
/// the caller's strand.
///
/// @par Lifetime
/// `accounts`, `results` and `limiter` must outlive every request in
/// progress; the http_api object itself may go before them.
class http_api {
public:
    http_api(accounts& accounts, results& results, rate_limiter& limiter,
             boost::asio::any_io_executor hashing_executor, http_api_options opts = {});

    /// Answers one request; an engine::http_async_fallback. Unexpected
    /// failures (e.g. of the database) are answered 500 and reported to
    /// `log`.
    boost::asio::awaitable<corio::engine::http_response> handle(corio::engine::http_request req,
                                                                std::string remote_address);

private:
    struct state;
    std::shared_ptr<state> state_;
};

} // namespace corio_game
