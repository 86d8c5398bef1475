#pragma once
// Options of a corio::server: the Engine.IO endpoint's, plus the Socket.IO layer's.

#include <corio/adapter.hpp>
#include <corio/engine/options.hpp>
#include <corio/log.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace corio {

struct server_options {
    server_options() { engine.path = "/socket.io/"; }

    /// Transports, heartbeat, limits, CORS. Its path defaults to "/socket.io/".
    engine::options engine;
    /// A client that has not connected to any namespace this long after its
    /// Engine.IO handshake is closed.
    std::chrono::milliseconds connect_timeout{45'000};
    /// Default timeout of emit_with_ack when none is given.
    std::chrono::milliseconds ack_timeout{10'000};
    /// Event sent to a client whose event arguments did not convert to the
    /// handler's types, when the client asked for no ack (with an ack the
    /// error goes in the ack). Empty: send nothing.
    std::string argument_error_event = "error";
    /// Where the server's records go, and from which level (see logger).
    /// Default: warnings and errors to stderr. At info: connects,
    /// disconnects, refused connects; at debug also every event received.
    logger log;
    /// Makes each namespace's adapter (rooms, broadcasts, cluster
    /// operations). Default: make_memory_adapter (this server alone).
    adapter_factory make_adapter;
    /// How long a request to the cluster (fetch_sockets, server-side emit
    /// with ack) waits for every server's reply before it fails with
    /// error::cluster_timeout. socket.io's requestsTimeout.
    std::chrono::milliseconds cluster_timeout{5'000};
};

} // namespace corio
