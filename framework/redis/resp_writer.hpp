#pragma once
// Writing commands in RESP: an array of bulk strings, binary-safe.

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace corio::redis::detail {

/// Appends one RESP command to `out`: `*N`, then `$len` and the bytes of each
/// argument. Any bytes may appear in an argument.
void append_command(std::string& out, std::span<const std::string> args);
void append_command(std::string& out, std::span<const std::string_view> args);
void append_command(std::string& out, std::initializer_list<std::string_view> args);

} // namespace corio::redis::detail
