#pragma once
// Which peers may say who the client is: behind a reverse proxy every
// connection comes from the proxy, which names the client in
// X-Forwarded-For or Forwarded (RFC 7239). Those headers are believed only
// from the proxies listed here; anyone else could forge them.

#include <corio/engine/http_endpoint.hpp>

#include <boost/asio/ip/address.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace corio::engine {

/// A set of addresses and CIDR ranges of trusted proxies.
///
/// @par Thread safety
/// Immutable after construction: any thread.
class trusted_proxies {
public:
    /// Trusts nobody: every client is its peer.
    trusted_proxies() = default;
    /// From entries such as "127.0.0.1", "10.0.0.0/8", "::1" or
    /// "fd00::/8". IPv4 entries also match IPv4-mapped IPv6 peers.
    /// @throws std::invalid_argument naming the first entry that is neither
    /// an address nor a range.
    explicit trusted_proxies(const std::vector<std::string>& entries);

    bool empty() const noexcept { return ranges_.empty(); }
    bool contains(const boost::asio::ip::address& a) const noexcept;

    /// The client's address for `req`, received from `peer`:
    /// - `peer` itself, unless it is trusted;
    /// - otherwise the hops its `Forwarded` header lists (or, without one,
    ///   `X-Forwarded-For`), walked from the nearest: the first that is not
    ///   trusted, or the farthest when all are;
    /// - a hop that is not an IP address ("unknown", an obfuscated name)
    ///   ends the walk at the trusted hop that reported it.
    /// IPv4-mapped IPv6 addresses come back as IPv4 text.
    std::string client_address(const http_request& req, std::string_view peer) const;

private:
    struct range {
        /// IPv6 bytes; IPv4 as IPv4-mapped.
        std::array<std::uint8_t, 16> bytes;
        unsigned prefix;
    };
    std::vector<range> ranges_;
};

} // namespace corio::engine
