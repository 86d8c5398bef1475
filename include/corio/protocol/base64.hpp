#pragma once
// Standard base64 (RFC 4648 section 4, with padding), as Engine.IO v4 uses for
// binary packets inside polling payloads.

#include <corio/protocol/error.hpp>

#include <string>
#include <string_view>

namespace corio::protocol {

/// Appends the base64 form of `bytes` to `out`.
void base64_encode(std::string_view bytes, std::string& out);

std::string base64_encode(std::string_view bytes);

/// Decodes padded or unpadded base64. Any other character, or a length that
/// cannot come from an encoder, gives error::invalid_base64.
result<std::string> base64_decode(std::string_view text);

} // namespace corio::protocol
