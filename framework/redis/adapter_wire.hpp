#pragma once
// The messages of Node's @socket.io/redis-adapter 8.x (classic Pub/Sub), as
// values: channel names, and the encoding and decoding of broadcasts,
// requests and responses. No I/O. See shared reference §1 for the format.

#include <corio/adapter.hpp>
#include <corio/protocol/msgpack.hpp>
#include <corio/protocol/socket_packet.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace corio::redis::wire {

/// The request types of the adapter (Node's RequestType).
enum class request_type : int {
    sockets = 0,
    all_rooms = 1,
    remote_join = 2,
    remote_leave = 3,
    remote_disconnect = 4,
    remote_fetch = 5,
    server_side_emit = 6,
    broadcast = 7,
    broadcast_client_count = 8,
    broadcast_ack = 9,
};

/// The channels of one namespace.
struct channels {
    channels(const std::string& key, const std::string& nsp, const std::string& uid);

    /// `key#nsp#`: broadcasts to the namespace or to several rooms.
    std::string broadcast;
    /// `key#nsp#*`, glob characters of the namespace escaped: every broadcast.
    std::string broadcast_pattern;
    /// `key-request#nsp#`
    std::string request;
    /// `key-response#nsp#`: responses, unless sent to the requester's own.
    std::string response;
    /// `key-response#nsp#uid#`: this server's own response channel.
    std::string own_response;

    /// Where a broadcast goes: the room's channel `key#nsp#room#` when it
    /// targets exactly one room, the namespace's otherwise.
    std::string broadcast_channel(const broadcast_options& opts) const;
    /// The response channel of the server `requester`.
    std::string response_channel_of(std::string_view requester) const;
};

/// `{type: 2, data, nsp}`: an EVENT packet as the adapters carry it (binary
/// as placeholders, the attachments beside it).
boost::json::object encode_packet(const protocol::socket_packet& packet);

/// `[uid, {type, data, nsp}, {rooms, except, flags}]` in msgpack.
std::string encode_broadcast(std::string_view uid, const protocol::socket_packet& packet,
                             const broadcast_options& opts);

struct broadcast_message {
    std::string uid;
    protocol::socket_packet packet;
    broadcast_options opts;
};

/// Decodes a broadcast (msgpack, or JSON when the publisher used a JSON
/// parser). The packet must be an EVENT of `nsp` (a missing nsp means "/"):
/// a non-empty array whose first element is a string event name. Fails with
/// protocol::error::invalid_msgpack or invalid_payload.
boost::system::result<broadcast_message> decode_broadcast(std::string_view payload, std::string_view nsp);

/// A request or response: JSON when it starts with `{` or `[`, msgpack
/// otherwise. `envelope_depth`: how deep the message holds an argument of
/// an event, which may itself be max_json_depth deep.
boost::system::result<protocol::msgpack::document> decode_message(std::string_view payload,
                                                                   std::size_t envelope_depth = 3);

/// `names` as a JSON array of strings.
boost::json::array to_array(const std::vector<std::string>& names);

/// `{rooms: [...], except: [...]}`, as requests carry selectors.
boost::json::object encode_selector(const broadcast_options& opts);
/// The selector with its flags (`volatile` when set; `{}` otherwise), as
/// broadcasts carry it.
boost::json::object encode_selector_with_flags(const broadcast_options& opts);
/// The selector with the ack timeout in its flags, as broadcasts with
/// acks carry it.
boost::json::object encode_selector_with_timeout(const broadcast_options& opts, std::chrono::milliseconds timeout);
/// The ack timeout a broadcast with acks carries in `opts.flags.timeout`;
/// 5 s, socket.io's default, when absent.
std::chrono::milliseconds decode_ack_timeout(const boost::json::value* opts);
/// The reverse; rooms given as numbers (JavaScript allows them) become
/// their decimal text. `flags.volatile` and `flags.local` are read when
/// present.
broadcast_options decode_selector(const boost::json::value* opts);

/// The JSON of `info` in a REMOTE_FETCH response.
boost::json::object encode_socket(const socket_info& info);
/// A socket of a REMOTE_FETCH (or SOCKETS) response; ids only for SOCKETS.
boost::system::result<socket_info> decode_socket(const boost::json::value& v);
/// The sockets of a fetch response (`message.sockets`), skipping any that
/// do not decode; protocol::error::invalid_payload without the array.
boost::system::result<std::vector<socket_info>> decode_sockets(const boost::json::object& message);

/// The one argument an answer carries in `message[key]` (none when absent),
/// with the answer's binary.
arguments answer_argument(const boost::json::object& message, std::string_view key,
                          std::vector<std::string> attachments = {});

/// The names in `message`'s `rooms` array (numbers become their decimal
/// text; anything else is skipped).
std::vector<std::string> rooms_field(const boost::json::object& message);

/// Whether `v` is an event's data `[event, ...args]`: a non-empty array
/// whose first element is a string.
bool is_event(const boost::json::value* v);

/// A request or response type, when `message` has a numeric `type`.
std::optional<int> type_of(const boost::json::object& message);

/// The string `key` of `message`, or empty.
std::string_view string_field(const boost::json::object& message, std::string_view key);

} // namespace corio::redis::wire
