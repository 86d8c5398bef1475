#pragma once
// CORS for Engine.IO endpoints.

#include <corio/engine/http_endpoint.hpp>
#include <corio/engine/options.hpp>

namespace corio::engine::detail {

/// Whether the request's Origin may use the endpoint. A request without an
/// Origin header (not from a browser, or same-origin) is always allowed; with
/// no allowed origins configured, every origin is.
bool origin_allowed(const cors_options& cors, const http_request& req);

/// Adds the CORS response headers when the request's origin is allowed.
void add_cors_headers(const cors_options& cors, const http_request& req, http_response& res);

/// The answer to an OPTIONS preflight: 204 with the CORS headers, or 403.
http_response preflight_response(const cors_options& cors, const http_request& req);

} // namespace corio::engine::detail
