#pragma once
// What the Admin UI is told, in the shapes of @socket.io/admin-ui 0.5's
// server: sockets (SerializedSocket), timestamps and aggregated events.

#include <corio/disconnect_reason.hpp>
#include <corio/engine/stats.hpp>
#include <corio/engine/transport.hpp>
#include <corio/remote_socket.hpp>
#include <corio/socket_ref.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace corio::detail {

/// A JavaScript Date as JSON ("2024-01-01T00:00:00.000Z"): how the UI reads
/// every timestamp.
std::string admin_timestamp(std::chrono::system_clock::time_point t);

std::string_view transport_name(engine::transport_kind t) noexcept;

/// The reason as socket.io's server names it ("server namespace disconnect"
/// where clients see "io server disconnect"): what Node's UI shows.
std::string_view server_side_name(disconnect_reason r) noexcept;

/// `{clientId, transport}`: what the UI keeps under `_admin` in socket data.
boost::json::object admin_data(const socket_ref& s);

/// SerializedSocket of one of this server's sockets.
boost::json::object serialize_socket(const socket_ref& s);
/// SerializedSocket of a socket fetch_sockets found on any server: its
/// client and transport come from the `_admin` its server put in its data.
boost::json::object serialize_socket(const remote_socket& s, std::string_view nsp);

/// The engine counters the UI charts, between two samples.
/// `aggregatedEvents` entries `{timestamp, type, subType?, count}` for each
/// counter that moved: rawConnection, rawDisconnection (subType: the close
/// reason), packetsIn/Out, bytesIn/Out.
boost::json::array aggregated_events(const engine::endpoint_stats& before, const engine::endpoint_stats& now,
                                     std::chrono::system_clock::time_point at);

} // namespace corio::detail
