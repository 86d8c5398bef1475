#pragma once
// Text from a peer that may not be valid UTF-8, made valid the way
// JavaScript makes it: Node's `buffer.toString("utf8")` (and the WHATWG
// Encoding Standard's decoder) replaces each maximal ill-formed subsequence
// with U+FFFD.

#include <string>
#include <string_view>

namespace corio::protocol {

/// `bytes` with every ill-formed UTF-8 subsequence replaced by U+FFFD
/// (EF BF BD), as the WHATWG UTF-8 decoder replaces it: a lead byte whose
/// sequence breaks off yields one U+FFFD, and the byte that broke it is read
/// again as the start of what follows. Valid input comes back unchanged.
std::string replace_invalid_utf8(std::string_view bytes);

} // namespace corio::protocol
