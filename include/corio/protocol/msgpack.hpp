#pragma once
// MessagePack, in the dialect of notepack.io (what Node's Redis adapter and
// emitter put on Redis), to and from Corio's form of data: a JSON tree whose
// binary values are placeholders, plus the attachments they point to (see
// corio/protocol/attachments.hpp).

#include <corio/protocol/limits.hpp>

#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace corio::protocol::msgpack {

/// A decoded MessagePack value.
struct document {
    /// `bin` values appear as placeholders `{"_placeholder":true,"num":i}`.
    boost::json::value value;
    /// The bytes of the i-th `bin`, in document order.
    std::vector<std::string> attachments;
};

/// Decodes exactly one value filling `bytes`.
/// - nil, and notepack's old `undefined` (fixext 1 of type 0), become null
///   (also as a map value, where JavaScript would drop the key);
/// - integers keep their value (uint64 above INT64_MAX as uint64, others
///   as int64); float32 and float64 become doubles;
/// - str becomes a string, with ill-formed UTF-8 replaced by U+FFFD as
///   Node's decoder does; bin (and notepack's old ArrayBuffer: ext 8, 16 or
///   32 of type 0) an attachment; a bin counts as a leaf for `max_depth`;
/// - a map becomes an object, in wire order (JavaScript would put
///   array-index keys first); integer keys become their decimal string (a
///   JavaScript object's keys are strings); a repeated key keeps its first
///   place and takes its last value;
/// - the timestamp extension (type -1: fixext 4, fixext 8, and ext 8 of 12
///   bytes) and notepack's old Date (fixext 8 of type 0) become the
///   ISO 8601 string JavaScript's JSON gives the Date notepack builds
///   ("2024-01-02T03:04:05.678Z"), or null where that Date is invalid.
/// Fails with error::invalid_msgpack on truncated or trailing bytes, an
/// unknown type or extension, a map key that is neither string nor integer,
/// or nesting deeper than `max_depth` (`[]` is 1 deep). Lengths and counts
/// from the wire are checked against the bytes left before anything is
/// allocated for them, and decoding does not recurse.
///
/// `max_depth` bounds the whole document. The adapter's messages wrap an
/// event's argument in 3 levels (`[uid, {data: [event, arg]}, opts]`, and
/// a BROADCAST request's `{packet: {data: [...]}}`), so a caller that must
/// pass on any argument a socket may send (decode_limits::max_json_depth
/// deep) passes max_json_depth + 3.
///
/// A map that looks like a placeholder (`{"_placeholder":true,"num":0}`)
/// stays such a map, indistinguishable from a bin's placeholder, as in
/// Corio's JSON form generally.
///
/// Thread safety: a pure function. Throws only std::bad_alloc.
boost::system::result<document> decode(std::string_view bytes, std::size_t max_depth = decode_limits{}.max_json_depth);

/// Encodes `value` as notepack.io does:
/// - strings as str (fixstr, str 8/16/32), never bin;
/// - int64 and uint64 in the smallest form: positive fixint, uint 8..64
///   for values >= 0, negative fixint, int 8..64 below 0;
/// - a double that is an integer in [-2^63, 2^64) as that integer (notepack
///   sees a JavaScript number and writes integers so; -0 becomes 0); other
///   doubles (fractions, NaN, infinities, and integers beyond that range,
///   where notepack's output wraps around) as float64;
/// - null, booleans, arrays (fixarray, array 16/32) and objects as maps
///   (fixmap, map 16/32) in their order;
/// - each placeholder (see placeholder_index) whose num is below
///   `attachments.size()` as a bin (8/16/32) of that attachment; any other
///   object, placeholder-like or not, as a map.
/// The output is sized in a first walk and written in a second into one
/// allocation; neither recurses, so any depth is safe.
///
/// Thread safety: a pure function. Throws std::length_error if a string,
/// array, object or attachment has 2^32 or more bytes or elements
/// (MessagePack has no form for it), std::bad_alloc.
std::string encode(const boost::json::value& value, const std::vector<std::string>& attachments = {});

} // namespace corio::protocol::msgpack
