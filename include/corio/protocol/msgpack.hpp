#pragma once
// MessagePack, in the dialect of notepack.io (what Node's Redis adapter and
// emitter put on Redis), to and from Corio's form of data: a JSON tree whose
// binary values are placeholders, plus the attachments they point to (see
// corio/protocol/attachments.hpp).

#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

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
/// - nil, and notepack's old `undefined` (fixext1 type 0), become null;
/// - integers keep their value (uint64 above INT64_MAX as uint64);
///   float32 and float64 become doubles;
/// - str becomes a string; bin (and notepack's old ArrayBuffer, ext type 0)
///   an attachment;
/// - a map becomes an object, in wire order; integer keys become their
///   decimal string (a JavaScript object's keys are strings);
/// - the timestamp extension (type -1) and notepack's old Date (ext type 0
///   of 8 bytes) become the ISO 8601 string JavaScript's JSON gives a Date.
/// Fails with error::invalid_msgpack on truncated or trailing bytes, an
/// unknown type, a non-string-or-integer map key, or nesting deeper than
/// max_json_depth.
boost::system::result<document> decode(std::string_view bytes);

/// Encodes `value` as notepack.io does: strings as str, integers in the
/// smallest form, doubles as float64, objects as maps in their order, and
/// each placeholder whose num is below `attachments.size()` as a bin of
/// that attachment.
std::string encode(const boost::json::value& value, const std::vector<std::string>& attachments = {});

} // namespace corio::protocol::msgpack
