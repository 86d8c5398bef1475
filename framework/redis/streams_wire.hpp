#pragma once
// What the Redis Streams adapter (Node's @socket.io/redis-streams-adapter
// 0.3) puts in Redis, as values: a stream entry's fields, a kept session,
// and the rules of restoring one. No I/O. The messages themselves are
// socket.io-adapter's ClusterAdapter messages, as sharded_wire's.

#include "sharded_wire.hpp"

#include <corio/protocol/msgpack.hpp>
#include <corio/state_recovery.hpp>

#include <boost/system/result.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace corio::redis::streams_wire {

/// The field-value pairs of one stream entry (XADD's arguments after the
/// entry id): uid, nsp, type as decimal text, and data as JSON text, or
/// base64 of its msgpack encoding when `attachments` is not empty.
std::vector<std::string> entry_fields(std::string_view uid, std::string_view nsp, sharded_wire::message_type type,
                                      const boost::json::object& data,
                                      const std::vector<std::string>& attachments = {});

/// One stream entry, as read back.
struct entry {
    std::string id;
    std::string uid;
    std::string nsp;
    /// The message type; nullopt when the field is missing or not a number.
    std::optional<int> type;
    /// The data field as it is in Redis (JSON text or base64).
    std::string data;
};

/// An entry's type field: decimal digits of an int; nullopt otherwise.
std::optional<int> to_type(std::string_view field) noexcept;

/// The data of an entry: JSON when it starts with `{`, base64 of msgpack
/// otherwise. `envelope_depth` as wire::decode_message's. Fails with
/// protocol::error::invalid_base64, invalid_msgpack or invalid_payload, or
/// when the data is not an object.
boost::system::result<protocol::msgpack::document> decode_data(std::string_view data, std::size_t envelope_depth);

/// Whether `offset` is a stream entry id (`<ms>-<seq>`), the only offsets
/// this adapter hands out; anything else cannot be restored.
bool is_entry_id(std::string_view offset) noexcept;

/// The smallest entry id after `id` (an is_entry_id), for an XRANGE that
/// starts just past it.
std::string next_entry_id(std::string_view id);

/// The Redis value of a kept session: base64 of the msgpack encoding of
/// `{sid, pid, rooms, data}`, as Node's persistSession writes it.
std::string encode_session(const persisted_session& s);
/// The reverse; nullopt when it is not such a value.
std::optional<persisted_session> decode_session(std::string_view value);

/// Whether a socket in `rooms` would have received a broadcast to `opts`:
/// opts' rooms empty or one of them among `rooms`, and none of its except
/// rooms among them (Node's shouldIncludePacket).
bool reaches(const std::vector<std::string>& rooms, const broadcast_options& opts);

} // namespace corio::redis::streams_wire
