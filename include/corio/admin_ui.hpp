#pragma once
// The server side of the official Socket.IO Admin UI (@socket.io/admin-ui
// 0.5): a namespace the UI connects to, where the server reports its sockets,
// rooms, events and statistics, and takes the UI's commands (join, leave,
// disconnect). In a cluster every report and command goes through the
// adapter, so one UI sees and drives every server.

#include <corio/server.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace corio {

enum class admin_ui_mode {
    /// Every socket, room and event is reported (the UI's Sockets, Rooms,
    /// Clients and Events views); each event costs a copy of its arguments
    /// and a broadcast to the UI.
    development,
    /// Statistics only (the Dashboard and Servers views).
    production,
};

/// Basic auth, as the UI's login form sends it.
struct admin_ui_credentials {
    std::string username;
    /// A bcrypt hash of the password ($2a$, $2b$ or $2y$).
    std::string password_hash;
};

struct admin_ui_options {
    /// Without credentials, anyone who reaches the namespace is let in
    /// (socket.io's `auth: false`).
    std::optional<admin_ui_credentials> auth;
    admin_ui_mode mode = admin_ui_mode::development;
    /// The UI may look but not act: no join, leave, disconnect or emit.
    bool read_only = false;
    /// The namespace the UI connects to (the UI's "namespace" field).
    std::string namespace_name = "/admin";
    /// Names this server in the UI's Servers view; by default its host name
    /// and process id ("host#1234"). In a cluster, give each node its own.
    std::string server_id;
    /// How often server_stats goes out.
    std::chrono::milliseconds stats_interval{2000};
    /// How long a login stays valid: the UI stores its session id and sends
    /// it again when its page reloads.
    std::chrono::seconds session_lifetime{24 * 3600};
};

/// Instruments `io` for the Admin UI. Call once, before the listener
/// accepts; `io` must outlive its shutdown. The statistics task runs until
/// server::shutdown.
///
/// What the UI may see: in development mode, every socket's handshake
/// (headers and query, never the CONNECT auth), rooms, socket data and
/// event arguments. Protect the namespace with credentials, or keep it off
/// any public listener.
///
/// Sockets get `_admin: {clientId, transport}` in their shared data
/// (socket_ref::set_shared_data) when they connect, as Node's
/// instrumentation does: it is how the UI learns a remote socket's client
/// and transport. A connect handler that sets shared data runs first and
/// keeps it; replacing the data later drops `_admin` until the next update.
///
/// @throws std::invalid_argument if `opts.auth` holds a hash that is not
/// bcrypt.
void instrument_admin_ui(server& io, admin_ui_options opts);

/// Parses the apps' `--admin-ui USER:BCRYPT_HASH`: the user name ends at the
/// first ':'. std::nullopt if either part is empty or the hash is not bcrypt.
std::optional<admin_ui_credentials> parse_admin_ui_credentials(std::string_view user_and_hash);

/// Whether `password` matches the bcrypt `hash` (crypt_rn from libcrypt).
/// Takes as long as the hash's cost says (about 50 ms at cost 10): call it
/// off the I/O threads.
bool bcrypt_matches(std::string_view password, std::string_view hash);

} // namespace corio
