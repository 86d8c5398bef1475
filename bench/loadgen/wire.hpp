// The few Engine.IO v4 / Socket.IO v5 messages the load generator speaks,
// one WebSocket text message per Engine.IO packet, namespace "/" only.
// The hot path never parses JSON: it reads the ack id digits and the
// broadcast stamp, and builds frames around pre-serialised argument text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace loadgen::wire {

inline constexpr std::string_view ping = "2";
inline constexpr std::string_view pong = "3";
inline constexpr std::string_view connect_root = "40";

/// Engine.IO open packet: `0{"sid":...}`.
bool is_open(std::string_view message);
/// The server's answer to `40`: `40{"sid":...}` (accepted) or `44...` (refused).
bool is_connect_ok(std::string_view message);
bool is_connect_error(std::string_view message);
/// Engine.IO close packet `1`.
bool is_close(std::string_view message);

/// `42<id><arguments_json>`: an event with an ack request; `arguments_json`
/// is a serialised array whose first element is the event name.
std::string event_with_ack(std::uint64_t id, std::string_view arguments_json);

/// The id of an ack `43<id>[...]`, or nullopt for anything else (or more
/// than 18 digits).
std::optional<std::uint64_t> ack_id(std::string_view message);

/// What a fanout broadcast carries, so receivers can match and time it.
struct bcast_stamp {
    std::uint64_t sequence = 0;
    std::int64_t sent_ns = 0; ///< steady_clock, same host
};

/// `42<id>["bcast","<seq>:<sent_ns>:xxx…"]` with the string padded with 'x'
/// to `payload_bytes` (longer if the stamp alone needs more).
std::string bcast_event(std::uint64_t id, bcast_stamp stamp, std::size_t payload_bytes);

/// The stamp of a delivered broadcast `42["bcast","<seq>:<sent_ns>:…`, or
/// nullopt for any other message.
std::optional<bcast_stamp> parse_bcast(std::string_view message);

} // namespace loadgen::wire
