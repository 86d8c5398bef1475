// socket.io-msgpack-parser's packets, as far as the load generator needs
// them: written by hand, and read by walking the MessagePack map without
// building anything (its key order differs between servers: Node writes
// {type, data, nsp} or {id, type, data, nsp}, Corio {type, nsp, data, id}).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace loadgen::wire::msgpack {

/// Appends the shortest unsigned integer form of `v`.
void append_uint(std::string& out, std::uint64_t v);
/// Appends the header of a str of `size` bytes.
void append_str_header(std::string& out, std::size_t size);
/// Appends the str `s`.
void append_str(std::string& out, std::string_view s);

/// The start of a packet's map: its header for `entries` entries (at most
/// 15), then `type` and `nsp: "/"`; the caller appends the other entries.
std::string packet_head(std::uint8_t type, unsigned entries);
/// Appends the key `key`, then (append_entry) the unsigned `v` as its value.
void append_entry(std::string& out, std::string_view key, std::uint64_t v);

/// The parts of a packet that the load generator reads.
struct packet_view {
    std::optional<std::uint64_t> type;
    std::optional<std::uint64_t> id;
    std::string_view data; ///< the data value's bytes; empty when absent
};

/// Reads the top-level map of `bytes`; nullopt when it is not a well-formed
/// map of string keys (a text Engine.IO packet, say).
std::optional<packet_view> read_packet(std::string_view bytes);

/// The bytes of the str at the start of `bytes`, or nullopt.
std::optional<std::string_view> read_str(std::string_view bytes);

} // namespace loadgen::wire::msgpack
