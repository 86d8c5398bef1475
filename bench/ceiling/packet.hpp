// The Engine.IO / Socket.IO text messages of the bench app (../shared/specs/bench-app.md), read
// by slicing bytes: no JSON parser, no packet object. Only namespace "/" and the three events
// echo, join and bcast; anything else is ignored. Sans I/O.
#pragma once

#include <string_view>

namespace ceiling::packet {

enum class kind {
    ignore,     ///< anything the bench app does not act on
    pong,       ///< Engine.IO `3`
    close,      ///< Engine.IO `1`: the client is leaving
    connect,    ///< Socket.IO `40` (to "/", with or without auth data)
    disconnect, ///< Socket.IO `41` (from "/")
    echo,       ///< `42<id>["echo",...]`
    join,       ///< `42<id>["join",<room>]`
    bcast,      ///< `42<id>["bcast",...]`
};

/// A message, as slices of the bytes it was read from.
struct message {
    kind what = kind::ignore;
    /// The ack id's digits (empty: no ack wanted), echoed back byte for byte.
    std::string_view ack_id;
    /// echo: the arguments after the event name, closing ']' included (`"P"]`, or `]` for
    /// none), so that `[` + this is the ack's argument array. bcast: the whole argument array
    /// (`["bcast",P]`), which is the delivered event's as it is. join: the room's JSON string
    /// (`"bench"`).
    std::string_view arguments;
};

/// Reads a text message. An event's arguments are not validated beyond the event name and
/// the closing ']': the server hands them back as they came.
message read(std::string_view text);

} // namespace ceiling::packet
