#pragma once
// JSON text to boost::json::value, reading numbers as JavaScript's JSON.parse
// does: a number with a fraction or an exponent becomes the double nearest to
// its text. Boost.JSON 1.81's own parser can miss that double by a unit in
// the last place (`-2.5e-300` came back as `-2.5000000000000003e-300`), so a
// value a client sent would not come back unchanged.

#include <corio/protocol/error.hpp>

#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <string_view>

namespace corio::protocol {

/// Parses `text`: one JSON value, with optional whitespace around it.
///
/// - An integer that fits std::int64_t (or else std::uint64_t) stays that
///   integer, exact, as Boost.JSON keeps it (JSON.parse would round one above
///   2^53 to a double). Every other number is the correctly rounded double
///   of its text; one beyond the double range is +-infinity (written back as
///   `null`, as JSON.stringify writes Infinity) or +-0.
/// - Object members keep their order; of a repeated key the last value wins,
///   in the first one's place (as JSON.parse).
/// - Strings must be valid UTF-8; no comments or trailing commas.
///
/// Errors: error::json_too_deep when arrays and objects nest deeper than
/// `max_depth` (the parse stops there, without recursing further);
/// error::invalid_json for anything else that is not JSON (including an
/// exponent beyond 32 bits). Never throws on wire input; std::bad_alloc
/// propagates.
///
/// The parse itself, and Boost.JSON's copy, comparison and destruction of the
/// result, recurse once per nesting level: keep `max_depth` at the documented
/// bound (decode_limits::max_json_depth).
result<boost::json::value> parse_json(std::string_view text, std::size_t max_depth,
                                      boost::json::storage_ptr sp = {});

} // namespace corio::protocol
