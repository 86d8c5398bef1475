#include "engine/cors.hpp"

#include <boost/beast/http/field.hpp>

#include <algorithm>
#include <string>

namespace corio::engine::detail {

namespace http = boost::beast::http;

namespace {

bool listed_exactly(const cors_options& cors, std::string_view origin)
{
    return std::find(cors.allowed_origins.begin(), cors.allowed_origins.end(), origin) != cors.allowed_origins.end();
}

bool listed(const cors_options& cors, std::string_view origin)
{
    return listed_exactly(cors, origin) ||
           std::find(cors.allowed_origins.begin(), cors.allowed_origins.end(), "*") != cors.allowed_origins.end();
}

} // namespace

bool origin_allowed(const cors_options& cors, const http_request& req)
{
    // No lookup when every origin is allowed (the default).
    if (cors.allowed_origins.empty())
        return true;
    auto origin = req.find(http::field::origin);
    return origin == req.end() || listed(cors, origin->value());
}

void add_cors_headers(const cors_options& cors, const http_request& req, http_response& res)
{
    auto origin = req.find(http::field::origin);
    if (cors.allowed_origins.empty() || origin == req.end() || !listed(cors, origin->value()))
        return;
    // The origin is echoed rather than "*" because browsers refuse "*" with
    // credentials.
    res.set(http::field::access_control_allow_origin, origin->value());
    res.set(http::field::vary, "Origin");
    // Never for an origin that only "*" admits: echoing any origin with
    // credentials would let every site act with the user's cookies and read
    // the answers (the browsers' rule that "*" excludes credentials).
    if (cors.credentials && listed_exactly(cors, origin->value()))
        res.set(http::field::access_control_allow_credentials, "true");
}

http_response preflight_response(const cors_options& cors, const http_request& req)
{
    http_response res{origin_allowed(cors, req) ? http::status::no_content : http::status::forbidden,
                      req.version()};
    res.keep_alive(req.keep_alive());
    add_cors_headers(cors, req, res);
    if (res.result() == http::status::no_content) {
        res.set(http::field::access_control_allow_methods, "GET, POST, OPTIONS");
        if (auto h = req.find(http::field::access_control_request_headers); h != req.end())
            res.set(http::field::access_control_allow_headers, h->value());
        res.set(http::field::access_control_max_age, std::to_string(cors.preflight_max_age.count()));
    }
    res.prepare_payload();
    return res;
}

} // namespace corio::engine::detail
