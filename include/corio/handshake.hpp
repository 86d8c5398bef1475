#pragma once

#include <corio/engine/request_info.hpp>

#include <boost/json/object.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace corio {

/// What a socket presented when it connected: the HTTP request that opened
/// its Engine.IO session and the `auth` payload of its CONNECT packet.
struct handshake {
    /// The HTTP request that opened the Engine.IO session: shared with the
    /// session and its other sockets, never copied per socket.
    std::shared_ptr<const engine::request_info> shared_request;
    /// The CONNECT packet's data; empty when the client sent none.
    boost::json::object auth;

    const engine::request_info& request() const noexcept { return *shared_request; }
    std::optional<std::string_view> header(std::string_view lower_name) const noexcept
    {
        return shared_request->header(lower_name);
    }
    std::optional<std::string_view> query(std::string_view name) const noexcept
    {
        return shared_request->query_param(name);
    }
    /// The value of a cookie sent with the handshake request.
    std::optional<std::string_view> cookie(std::string_view name) const noexcept;
    const std::string& address() const noexcept { return shared_request->remote_address; }

    /// The handshake as socket.io describes it to other servers (fetchSockets):
    /// `{headers, time, address, xdomain, secure, issued, url, query, auth}`.
    boost::json::object describe() const;
};

} // namespace corio
