#pragma once

#include <corio/engine/request_info.hpp>

#include <boost/json/object.hpp>

namespace corio {

/// What a socket presented when it connected: the HTTP request that opened
/// its Engine.IO session and the `auth` payload of its CONNECT packet.
struct handshake {
    engine::request_info request;
    /// The CONNECT packet's data; empty when the client sent none.
    boost::json::object auth;

    std::optional<std::string_view> header(std::string_view lower_name) const noexcept
    {
        return request.header(lower_name);
    }
    std::optional<std::string_view> query(std::string_view name) const noexcept
    {
        return request.query_param(name);
    }
    /// The value of a cookie sent with the handshake request.
    std::optional<std::string_view> cookie(std::string_view name) const noexcept;
    const std::string& address() const noexcept { return request.remote_address; }
};

} // namespace corio
