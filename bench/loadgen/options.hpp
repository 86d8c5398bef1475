// The load generator's command line: one documented struct holding every
// count, rate and time limit, and its parser.
#pragma once

#include "wire.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loadgen {

enum class scenario_kind { connect, echo, binary_echo, fanout, cluster_fanout, churn };

std::string_view to_string(scenario_kind kind);

/// How a client reaches the server (--transport): Engine.IO's WebSocket
/// transport from the first request, or HTTP long-polling only (no upgrade).
enum class transport_kind { websocket, polling };

/// Everything the command line sets. Every scenario is bounded both in time
/// and in count and stops at whichever bound it reaches first; every network
/// wait is bounded by one of the timeouts below.
struct options {
    /// ws://HOST:PORT/PATH/ (the Socket.IO path, e.g. /socket.io/), or
    /// wss:// over TLS, one per --url: exactly one, except cluster-fanout
    /// (two or more servers).
    std::vector<std::string> urls;
    /// For wss://: the CA to verify the server's certificate against; empty,
    /// the certificate is not verified (the handshake's cost is the same).
    std::string tls_ca;
    scenario_kind scenario = scenario_kind::connect;
    /// The servers' Socket.IO parser (--parser json|msgpack).
    wire::format parser = wire::format::json;
    /// WebSocket, or long-polling with two keep-alive HTTP connections per
    /// client (one waiting GET, one for POSTs).
    transport_kind transport = transport_kind::websocket;

    unsigned threads = 1; ///< threads running the one io_context
    unsigned sources = 8; ///< loopback source addresses 127.0.0.1 … 127.0.0.K
    /// The servers' process ids (--server-pid, in --url order): whose VmRSS
    /// and CPU time to report, if given.
    std::vector<int> server_pids;

    /// TCP connect (+ TLS handshake) + WebSocket upgrade + Engine.IO open +
    /// Socket.IO connect.
    std::chrono::milliseconds handshake_timeout{10'000};
    /// How long the end of a run waits for late answers and for closes.
    std::chrono::milliseconds drain{2'000};
    /// No new connection attempt starts later than this after a ramp began.
    std::chrono::milliseconds ramp_timeout{60'000};

    // connect
    std::uint64_t connections = 1000;
    double rate = 0; ///< new connections per second; 0 = as fast as concurrency allows
    std::optional<unsigned> concurrency; ///< handshakes in flight; default per scenario
    std::chrono::milliseconds hold{5'000};

    // echo and fanout
    std::uint64_t clients = 50;
    std::size_t payload = 32; ///< bytes of the string argument
    /// fanout: pad the broadcast with JSON-like text instead of 'x'
    /// (--payload-text json), which compresses as real data does.
    bool json_payload = false;
    /// Offer WebSocket permessage-deflate (--compression on): Beast then
    /// compresses what it sends from 1024 bytes and inflates what it gets.
    bool compression = false;
    std::chrono::milliseconds duration{10'000};
    std::uint64_t max_acks = UINT64_MAX;
    std::uint64_t max_broadcasts = 1'000'000; ///< also sizes the per-sequence counters
    std::optional<std::chrono::milliseconds> interval; ///< fanout: emit on a clock instead of on ack
    /// binary-echo: emits each client keeps awaiting their ack.
    unsigned in_flight = 1;

    // churn
    std::uint64_t max_cycles = UINT64_MAX;
    std::chrono::milliseconds settle{2'000}; ///< wait before the final server RSS reading
    /// A first burst of churn before the measured one (0: none). Its end,
    /// after a settle, is the RSS baseline: a cold server's first burst
    /// grows it by what any server grows once (its code paged in, its
    /// allocator's arena and tables sized for the concurrency), which says
    /// nothing of whether churn keeps growing it.
    std::chrono::milliseconds warmup{0};

    /// Handshakes in flight for this scenario (--concurrency or its default).
    unsigned effective_concurrency() const;
    /// The first --server-pid: the one server of the single-server scenarios.
    std::optional<int> server_pid() const;
    /// Sockets one client holds at most: 1 over WebSocket, 2 when polling.
    unsigned sockets_per_client() const { return transport == transport_kind::polling ? 2 : 1; }
};

/// Parses the command line. On a usage error (or --help) prints the usage to
/// stderr and exits with status 2 (0 for --help).
options parse_command_line(int argc, char** argv);

/// Prints `problem` and the usage to stderr, then exits with status 2.
[[noreturn]] void usage_error(std::string_view problem);

} // namespace loadgen
