#pragma once
// The adapter: what a namespace does across servers. The socket layer sends
// every broadcast and every server-side operation through its namespace's
// adapter; the adapter reaches this server's sockets through the local
// interfaces below, and other servers however it likes (in memory for one
// process, Redis Pub/Sub for a cluster). Models: python-socketio's Manager,
// socketioxide's CoreAdapter with its SocketEmitter, socket.io's Adapter.

#include <corio/arguments.hpp>
#include <corio/error.hpp>
#include <corio/protocol/socket_packet.hpp>
#include <corio/state_recovery.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace corio {

/// The sockets an operation targets: those in any of `rooms` (every socket
/// of the namespace when empty) and in none of `except`. A socket id names
/// the room that socket alone is in. As socket.io's BroadcastOptions.
struct broadcast_options {
    std::set<std::string> rooms;
    std::set<std::string> except;
    /// Dropped for a recipient whose transport is busy (socket.io's volatile).
    bool is_volatile = false;
    /// This server's sockets only (socket.io's `local`).
    bool local = false;
    /// May go out compressed (WebSocket permessage-deflate, when
    /// engine::options::compression is on); false: never (socket.io's
    /// `compress(false)`).
    bool compress = true;
};

/// A socket as a cluster describes it: what socket.io's fetchSockets gives
/// for a socket on any server.
struct socket_info {
    std::string id;
    /// socket.io's handshake: headers, time, address, xdomain, secure,
    /// issued, url, query, auth.
    boost::json::object handshake;
    std::vector<std::string> rooms;
    /// The socket's shareable data (socket_ref::set_shared_data), null when none.
    boost::json::value data;
};

/// Receives the replies of a request that other servers answer (fetch
/// sockets, server-side emit with ack). The operation that made it owns the
/// deadline and completes when `expect` replies arrived; after that, or after
/// the deadline, calls do nothing.
///
/// @par Thread safety
/// Any thread.
template <class Reply>
class reply_sink {
public:
    virtual ~reply_sink() = default;
    /// How many replies to wait for. Called once, before or after replies.
    virtual void expect(std::size_t replies) = 0;
    virtual void reply(Reply r) = 0;
    /// The request cannot be answered (e.g. the cluster is unreachable).
    virtual void fail(boost::system::error_code ec) = 0;
};

/// Receives the answers of a broadcast with acks: how many servers took it,
/// how many sockets each asked, then each socket's answer. The operation
/// completes when every server reported and every socket asked answered.
///
/// @par Thread safety
/// Any thread.
class broadcast_ack_sink {
public:
    virtual ~broadcast_ack_sink() = default;
    /// How many servers will report, this one included. Called once.
    virtual void expect_servers(std::size_t servers) = 0;
    /// A server sent the packet to `sockets` of its sockets.
    virtual void server_sent(std::size_t sockets) = 0;
    /// One socket's acknowledgement.
    virtual void answer(arguments args) = 0;
    virtual void fail(boost::system::error_code ec) = 0;
};

/// The answer to one socket's acknowledgement request.
using socket_ack_result = boost::system::result<arguments>;

/// One socket of this server, as an adapter sees it. Implemented by the
/// socket layer; adapters keep it while the socket is connected.
///
/// @par Thread safety
/// Every member may be called from any thread, also after the socket left
/// (sends are then dropped).
class local_socket {
public:
    virtual ~local_socket() = default;

    virtual const std::string& id() const noexcept = 0;
    /// False once the socket started leaving (its disconnect handler may
    /// still run, and its rooms stay until it ends).
    virtual bool connected() const noexcept = 0;
    /// Queues `encoded`, the bytes of `packet`, shared with the other
    /// recipients. `packet` is there for the namespace's outgoing hooks.
    virtual void deliver(const protocol::socket_packet& packet, const protocol::encoded_socket_packet& encoded,
                         bool is_volatile) = 0;
    /// As deliver, for an EVENT `packet` that carries an ack id: calls `done`
    /// once with the client's answer, or error::ack_timeout after `timeout`,
    /// or error::socket_disconnected. `done` runs on the socket's strand.
    virtual void deliver_with_ack(const protocol::socket_packet& packet, const protocol::encoded_socket_packet& encoded,
                                  std::chrono::milliseconds timeout, std::function<void(socket_ack_result)> done) = 0;
    /// Leaves the namespace as if the server called disconnect; with
    /// `close_connection`, the whole Engine.IO connection closes too.
    virtual void disconnect(bool close_connection) = 0;
    /// id, handshake and data; the adapter fills in the rooms.
    virtual socket_info describe() const = 0;
};

/// This server's side of one namespace, as an adapter sees it. Implemented
/// by the socket layer.
///
/// @par Thread safety
/// Any thread.
class local_namespace {
public:
    virtual ~local_namespace() = default;

    virtual const std::string& name() const noexcept = 0;
    /// Another server's server_side_emit reached this one: runs the
    /// namespace's server event handler; `reply` gets its answer when the
    /// emitter asked for one (`wants_reply`).
    virtual void on_server_event(arguments args, bool wants_reply, std::function<void(arguments)> reply) = 0;
    /// The bytes this server sends for `packet`, in its parser
    /// (server_options::parser): what an adapter hands local_socket::deliver.
    /// Encode once per broadcast; every recipient shares the result. With
    /// `compress` false (broadcast_options::compress), they are never
    /// WebSocket-compressed.
    virtual protocol::encoded_socket_packet encode(const protocol::socket_packet& packet, bool compress = true) const
    {
        return protocol::encode_shared(packet, protocol::socket_parser::json, compress);
    }

    /// This server's socket `sid` joined `room` (its own id room too, as it
    /// is added), or left it (every room, as it is removed): what
    /// corio::server_observer reports. An adapter calls them for every change
    /// of membership, without holding a lock it takes itself (memory_adapter
    /// does, for the adapters built on it).
    virtual void room_joined(const std::string& /*sid*/, const std::string& /*room*/) {}
    virtual void room_left(const std::string& /*sid*/, const std::string& /*room*/) {}

    /// The namespace's connection state recovery settings (off by default).
    /// Read-only once connections arrive.
    virtual const state_recovery_options& recovery() const noexcept;
    /// The adapter's session store let go of events or sessions: counted in
    /// server_stats. Any thread, no lock of the adapter's held.
    virtual void recovery_dropped(const recovery_drops& /*drops*/) {}
};

/// Completes a fire-and-forget cluster operation (join, leave, disconnect):
/// called once it has been applied here and sent on to the other servers.
using adapter_completion = std::function<void(boost::system::error_code)>;

/// What a namespace does across servers. One adapter per namespace.
///
/// The first group keeps this server's membership: the socket layer calls
/// it as its sockets connect, join, leave and disconnect. The second group
/// is the cluster operations: each acts on the selected sockets of every
/// server (of this one alone when `opts.local`).
///
/// @par Thread safety
/// Every member is called from any thread concurrently. No member may call
/// back into the socket layer while holding a lock that the calls above take
/// (local_socket members only queue work on the socket's strand).
class adapter {
public:
    virtual ~adapter() = default;

    // This server's sockets ------------------------------------------------------

    /// A socket connected: it joins the room named by its id.
    virtual void add_socket(std::shared_ptr<local_socket> s) = 0;
    /// A socket left: it leaves every room, and the adapter forgets it.
    virtual void remove_socket(const std::string& sid) = 0;
    virtual void join(const std::string& sid, const std::string& room) = 0;
    /// Joins `room` unless the socket is in `max_rooms` rooms already
    /// besides its id room and not in `room`: returns false then, joining
    /// nothing (socket_limits::max_rooms_per_socket). The default asks
    /// rooms_of, then joins; memory_adapter checks and joins at once.
    virtual bool try_join(const std::string& sid, const std::string& room, std::size_t max_rooms);
    virtual void leave(const std::string& sid, const std::string& room) = 0;
    /// The rooms of one of this server's sockets (its id room included).
    virtual std::vector<std::string> rooms_of(const std::string& sid) const = 0;
    /// The rooms with a member on this server (id rooms included).
    virtual std::vector<std::string> local_rooms() const = 0;

    // Cluster operations ---------------------------------------------------------

    /// Sends `packet` (an EVENT, nsp set) to the selected sockets.
    virtual void broadcast(const protocol::socket_packet& packet, const broadcast_options& opts) = 0;
    /// As broadcast, each socket asked for an ack; `sink` gets the counts
    /// and answers. `timeout` bounds each socket's answer.
    virtual void broadcast_with_ack(const protocol::socket_packet& packet, const broadcast_options& opts,
                                    std::chrono::milliseconds timeout, std::shared_ptr<broadcast_ack_sink> sink) = 0;
    /// Describes the selected sockets: one reply per server.
    virtual void fetch_sockets(const broadcast_options& opts,
                               std::shared_ptr<reply_sink<std::vector<socket_info>>> sink) = 0;
    /// The selected sockets join `rooms`.
    virtual void add_sockets(const broadcast_options& opts, std::vector<std::string> rooms,
                             adapter_completion done) = 0;
    /// The selected sockets leave `rooms`.
    virtual void del_sockets(const broadcast_options& opts, std::vector<std::string> rooms,
                             adapter_completion done) = 0;
    virtual void disconnect_sockets(const broadcast_options& opts, bool close_connection,
                                    adapter_completion done) = 0;
    /// Sends `args` (the event name first) to the other servers' namespace
    /// of the same name (local_namespace::on_server_event), never to this
    /// one. With a sink, one reply per other server.
    virtual void server_side_emit(const arguments& args,
                                  std::shared_ptr<reply_sink<arguments>> sink) = 0;

    // Connection state recovery (local_namespace::recovery) ----------------------
    //
    // With recovery on, broadcast also carries every socket's own emits (to
    // its id room), and an adapter that supports recovery appends an offset
    // (an opaque string, unique and ordered within the adapter) as the last
    // argument of each EVENT without ack id that is not volatile, and keeps
    // it for restore_session. The defaults keep nothing: every restore fails.
    // Models: socket.io's SessionAwareAdapter, the Redis Streams adapter.

    /// A socket left with a recoverable reason: keep `s` until it is restored
    /// or max_disconnection_duration passed.
    virtual void persist_session(persisted_session s);
    /// The session of `pid` and the events after `offset` that reached (or
    /// would have reached) its rooms; std::nullopt when the session is
    /// unknown or expired, or the event at `offset` is no longer kept.
    /// Calls `done` once, from any thread. A restored session is forgotten.
    virtual void restore_session(std::string pid, std::string offset,
                                 std::function<void(std::optional<restored_session>)> done);
};

/// Makes the adapter of one namespace; the local_namespace outlives it.
using adapter_factory = std::function<std::unique_ptr<adapter>(local_namespace&)>;

} // namespace corio
