#pragma once
// The messages of the sharded variant (Node's createShardedAdapter, which
// speaks socket.io-adapter's ClusterAdapter protocol) as values: channels,
// message types, and the choice of JSON or msgpack. No I/O. See shared
// reference §1.7 for the format.

#include <corio/adapter.hpp>
#include <corio/redis/adapter.hpp>

#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace corio::redis::sharded_wire {

/// socket.io-adapter's MessageType.
enum class message_type : int {
    initial_heartbeat = 1,
    heartbeat = 2,
    broadcast = 3,
    sockets_join = 4,
    sockets_leave = 5,
    disconnect_sockets = 6,
    fetch_sockets = 7,
    fetch_sockets_response = 8,
    server_side_emit = 9,
    server_side_emit_response = 10,
    broadcast_client_count = 11,
    broadcast_ack = 12,
    adapter_close = 13,
};

/// Whether messages of `type` are responses to a request, which go to the
/// requester's own channel.
bool is_response(int type) noexcept;

/// The channels of one namespace.
struct channels {
    channels(const std::string& prefix, const std::string& nsp, const std::string& uid);

    /// `prefix#nsp#`: every message that has no channel of its own; its
    /// subscribers are the servers of the namespace (SHARDNUMSUB).
    std::string main;
    /// `prefix#nsp#uid#`: responses to this server's requests.
    std::string own_response;

    /// `prefix#nsp#room#`: a room's channel (dynamic modes).
    std::string room(std::string_view name) const;
    /// `prefix#nsp#requester#`: the response channel of `requester`.
    std::string response_of(std::string_view requester) const;
};

/// Whether a server in `mode` subscribes to the channel of its room `room`
/// (`socket_room`: the room is one of its sockets' own).
bool subscribes_to_room(subscription_mode mode, bool socket_room) noexcept;

/// Where a broadcast without acks to `opts` goes in `mode`: the room's
/// channel when it targets exactly one room and the mode gives that room a
/// channel (in "dynamic", a room that looks like a socket id, 20
/// characters, has none), the namespace's otherwise.
std::string broadcast_channel(const channels& c, subscription_mode mode, const broadcast_options& opts);

/// `{uid, nsp, type, data}`: JSON, or msgpack when `attachments` is not
/// empty (binary), as Node encodes it. The uid comes first, so a server can
/// recognise its own messages without decoding (is_from).
std::string encode(std::string_view uid, std::string_view nsp, message_type type, boost::json::object data,
                   const std::vector<std::string>& attachments = {});

/// Whether `payload` is a message that encode() made with `uid`.
bool is_from(std::string_view payload, std::string_view uid) noexcept;

} // namespace corio::redis::sharded_wire
