#pragma once
// What a session needs from the endpoint that opened it, handed to it at
// construction. A session holds this, shared, and nothing of the endpoint
// itself: it may outlive its engine::server (it still reports its close).

#include <corio/engine/handler.hpp>
#include <corio/engine/options.hpp>
#include <corio/engine/transport.hpp>

#include "engine/drain_tracker.hpp"
#include "engine/endpoint_counters.hpp"

#include <functional>
#include <memory>
#include <string>

namespace corio::engine::detail {

/// Immutable once made; shared by the endpoint and its sessions.
struct session_host {
    /// The application's handler: it outlives every session (engine::server's
    /// contract).
    handler& app;
    /// The endpoint's options: timing, queue bounds, decode limits.
    engine::options options;
    /// The session is closed and owes its client no more long-polling
    /// answer: it leaves the endpoint's table (its id is no longer found).
    /// Called on the session's strand, at least once; does nothing once the
    /// endpoint is gone.
    std::function<void(const std::string& sid)> finished;
    /// Counts the sessions that may still write to their clients (see
    /// drain_tracker::hold).
    std::shared_ptr<drain_tracker> drain;
    /// The endpoint's counters (server::stats): a session counts its close.
    std::shared_ptr<endpoint_counters> counters = std::make_shared<endpoint_counters>();

    /// The open packet's JSON for session `sid` on `transport`.
    std::string open_packet_data(const std::string& sid, transport_kind transport) const;
};

} // namespace corio::engine::detail
