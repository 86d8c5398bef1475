#pragma once
// TypeScript declarations (a .d.ts) of contracts, for socket.io-client:
//
//   const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url);
//
// For the namespace "/", the interfaces ServerToClientEvents and
// ClientToServerEvents; for another, the same prefixed by its path in
// PascalCase ("/admin-chat" -> AdminChatServerToClientEvents). Each event is
// `name: (p1: T1, p2?: T2, callback: (ack: A) => void) => void` (a callback
// only with an ack). Described structs are interfaces, enums unions of string
// literals, both named by the PascalCase of their name (`room_info` ->
// RoomInfo). See docs/guide.md, "Generated TypeScript", for every type's
// mapping. cmake/corio_codegen.cmake's corio_generate_typescript writes it at
// build time.

#include <corio/contract_description.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace corio {

/// The .d.ts text of `contracts` (types shared by several namespaces are
/// declared once), deterministic: the same contracts give the same text.
/// `source` says in its header comment what it was generated from (e.g. a
/// CMake target's name). Throws std::invalid_argument when two different
/// types get one TypeScript name, or a parameter name is not an identifier.
std::string typescript_declarations(const std::vector<contract_description>& contracts, std::string_view source);

/// "room_info" -> "RoomInfo", "/admin-chat" -> "AdminChat": each run of
/// letters and digits, its first letter upper-cased, the rest kept.
std::string pascal_case(std::string_view name);

} // namespace corio
