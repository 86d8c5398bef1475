// Standard base64 (RFC 4648, with padding), for binary packets over
// Engine.IO v4 long-polling, which carry them as `b` + base64 text.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace loadgen::base64 {

/// Appends the base64 text of `bytes` to `out`.
void append_encoded(std::string& out, std::string_view bytes);

/// The bytes of base64 `text`, or nullopt when it is not well formed
/// (wrong length, a character outside the alphabet, misplaced padding).
std::optional<std::string> decode(std::string_view text);

} // namespace loadgen::base64
