// The few Engine.IO v4 / Socket.IO v5 messages the load generator speaks, one
// WebSocket message per Engine.IO packet (or, over long-polling, packets
// joined by a record separator in one HTTP body), namespace "/" only, in
// either Socket.IO parser: the default one (text messages, binary
// attachments as binary messages) or socket.io-msgpack-parser's (one binary
// message per Socket.IO packet; Engine.IO's own packets, ping and pong, stay
// text).
// The hot path never parses JSON or builds a MessagePack tree: it reads the
// ack id and the broadcast stamp, and builds messages around pre-encoded
// arguments.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace loadgen::wire {

/// The server's Socket.IO parser (--parser).
enum class format { json, msgpack };

inline constexpr std::string_view ping = "2";
inline constexpr std::string_view pong = "3";
/// Engine.IO's close packet.
inline constexpr std::string_view close_packet = "1";
/// Engine.IO's noop, which a server may answer a waiting GET with.
inline constexpr std::string_view noop = "6";
/// Engine.IO v4 polling: what separates the packets of one HTTP body.
inline constexpr char record_separator = '\x1e';
/// Engine.IO v4 polling: a binary packet travels as `b` + base64.
inline constexpr char base64_prefix = 'b';

/// Engine.IO open packet: `0{"sid":...}`.
bool is_open(std::string_view message);
/// Engine.IO close packet `1`.
bool is_close(std::string_view message);
/// The session id of an open packet, or nullopt when `message` is none or
/// its sid is not plain base64url text (which goes into URLs unescaped).
std::optional<std::string> open_sid(std::string_view message);

/// The Socket.IO CONNECT to "/": `40`, or its MessagePack map.
std::string connect_root(format f);
/// The server's answer to it: CONNECT (accepted) or CONNECT_ERROR (refused).
bool is_connect_ok(format f, std::string_view message);
bool is_connect_error(format f, std::string_view message);

/// The arguments `[event, text]`, encoded once for event_with_ack. `text`
/// holds no character JSON must escape.
std::string string_arguments(format f, std::string_view event, std::string_view text);

/// An event with an ack request: `42<id><arguments>`, or its MessagePack
/// map; `arguments` comes from string_arguments.
std::string event_with_ack(format f, std::uint64_t id, std::string_view arguments);

/// The id of an ack (`43<id>[...]`), or nullopt for anything else (or more
/// than 18 digits).
std::optional<std::uint64_t> ack_id(format f, std::string_view message);

/// Whether `message` is an ack whose arguments are exactly `[true]`.
bool is_true_ack(format f, std::string_view message);

/// The JSON parser's binary event with one attachment and an ack request:
/// `451-<id>["<event>",{"_placeholder":true,"num":0}]`; the attachment goes
/// next, as a binary message (connection::send_binary).
std::string binary_event_with_ack(std::uint64_t id, std::string_view event);

/// The id of a binary ack whose one argument is attachment 0
/// (`461-<id>[{"_placeholder":true,"num":0}]`, keys in any order), or
/// nullopt for anything else.
std::optional<std::uint64_t> binary_ack_id(std::string_view message);

/// What a fanout broadcast carries, so receivers can match and time it.
struct bcast_stamp {
    std::uint64_t sequence = 0;
    std::int64_t sent_ns = 0; ///< steady_clock, same host
};

/// `42<id>["bcast","<seq>:<sent_ns>:xxx…"]` (or its MessagePack map) with the
/// string padded with 'x' to `payload_bytes` (longer if the stamp alone
/// needs more). With `json_like`, the padding is varied text shaped like
/// JSON records (no quotes, so the message needs no escapes), which
/// compresses as JSON does rather than as a run of one byte.
std::string bcast_event(format f, std::uint64_t id, bcast_stamp stamp, std::size_t payload_bytes,
                        bool json_like = false);

/// The stamp of a delivered broadcast `42["bcast","<seq>:<sent_ns>:…`, or
/// nullopt for any other message.
std::optional<bcast_stamp> parse_bcast(format f, std::string_view message);

} // namespace loadgen::wire
