#pragma once
// The game's one origin check, shared by the JSON API's POSTs and the
// Socket.IO handshake: a browser's request from a page of another origin
// (another site, or a sibling subdomain that SameSite does not stop) is
// refused.

#include <boost/beast/core/string.hpp>

#include <optional>
#include <string_view>

namespace corio_game {

/// Whether a request with these `Origin` and `Host` header values may act
/// for the user: no Origin (not a browser, or a same-origin GET), or an
/// http(s) Origin whose host and port are the Host header's (ignoring
/// case). The scheme is not compared: behind a TLS proxy the page is https
/// and the request reaches the game as http. "null" and any other Origin
/// are refused. Needs a proxy to pass the client's Host on (nginx:
/// `proxy_set_header Host $host`, as docs/deploy does).
inline bool same_origin(std::optional<std::string_view> origin, std::optional<std::string_view> host) noexcept
{
    if (!origin)
        return true;
    auto o = *origin;
    for (std::string_view scheme : {"https://", "http://"}) {
        if (o.size() > scheme.size() && boost::beast::iequals(o.substr(0, scheme.size()), scheme)) {
            auto authority = o.substr(scheme.size());
            return host && !host->empty() && boost::beast::iequals(authority, *host);
        }
    }
    return false;
}

} // namespace corio_game
