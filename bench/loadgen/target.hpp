// Where the load goes: the server's endpoint and request line, parsed once
// from the --url, and the local addresses connections come from.
#pragma once

#include "options.hpp"
#include "wire.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace loadgen {

/// Read-only after make_target; shared by every connection without locking.
struct target {
    boost::asio::ip::tcp::endpoint endpoint;
    std::string host;     ///< Host header, e.g. "127.0.0.1:3000"
    std::string resource; ///< e.g. "/socket.io/?EIO=4&transport=websocket"
    /// The long-polling handshake's: "/socket.io/?EIO=4&transport=polling"
    /// (the session's requests append "&sid=...").
    std::string polling_resource;
    /// Which of the two a connection opens with (options::transport); a
    /// polling client never upgrades.
    transport_kind transport = transport_kind::websocket;
    std::string host_name; ///< the host alone: TLS's SNI and the name its certificate must carry
    /// Set for wss://: the client context every connection's TLS is made from
    /// (TLS 1.2 or 1.3, no session resumption, so every connection pays a
    /// full handshake).
    std::shared_ptr<boost::asio::ssl::context> tls;
    /// wss:// with --tls-ca: the server's certificate is verified against it.
    bool verify = false;
    /// The server's Socket.IO parser: with msgpack, Socket.IO packets go in
    /// binary messages.
    wire::format parser = wire::format::json;
    /// Loopback addresses to bind before connecting, round-robin, so that the
    /// ~28k ephemeral ports of one address never limit a run. Empty when the
    /// server is not on IPv4 loopback: the kernel then picks the source.
    std::vector<boost::asio::ip::address> sources;
    /// Offer permessage-deflate (options::compression).
    bool deflate = false;

    /// The source for the `index`-th connection, or nullopt (no bind).
    std::optional<boost::asio::ip::address> source_for(std::uint64_t index) const;
};

/// Parses a ws:// or wss:// URL (http:// and https:// are the same) whose
/// host is an IP literal or "localhost";
/// `sources` is the number of loopback source addresses to use (0 = let the
/// kernel choose). For wss://, `tls_ca` is the CA file the server's
/// certificate is verified against (empty: not verified). Returns the
/// target, or a message saying what is wrong.
std::variant<target, std::string> make_target(std::string_view url, unsigned sources, const std::string& tls_ca);

} // namespace loadgen
