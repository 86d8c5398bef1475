// Where the load goes: the server's endpoint and request line, parsed once
// from the --url, and the local addresses connections come from.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
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
    /// Loopback addresses to bind before connecting, round-robin, so that the
    /// ~28k ephemeral ports of one address never limit a run. Empty when the
    /// server is not on IPv4 loopback: the kernel then picks the source.
    std::vector<boost::asio::ip::address> sources;

    /// The source for the `index`-th connection, or nullopt (no bind).
    std::optional<boost::asio::ip::address> source_for(std::uint64_t index) const;
};

/// Parses a ws:// URL whose host is an IP literal or "localhost"; `sources`
/// is the number of loopback source addresses to use (0 = let the kernel
/// choose). Returns the target, or a message saying what is wrong.
std::variant<target, std::string> make_target(std::string_view url, unsigned sources);

} // namespace loadgen
