#pragma once
// JavaScript's Date as JSON: what `JSON.stringify(new Date(ms))` writes, for
// decoders that meet a date on the wire (MessagePack timestamps) and must
// hand on the value a Node peer would see.

#include <optional>
#include <string>

namespace corio::protocol {

/// The text of `new Date(ms).toJSON()` without quotes, such as
/// "2024-01-02T03:04:05.678Z": `ms` is cut toward zero to whole
/// milliseconds, as the Date constructor does; years outside 0 to 9999 take
/// JavaScript's six-digit signed form ("+275760-09-13T00:00:00.000Z").
/// std::nullopt where JavaScript gives null: `ms` is not finite or lies
/// beyond 8.64e15 either side of the epoch (an invalid Date).
std::optional<std::string> js_date_json(double ms);

} // namespace corio::protocol
