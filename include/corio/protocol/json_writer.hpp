#pragma once
// Compact JSON output that matches JavaScript's JSON.stringify byte for byte
// for the values Socket.IO carries: object keys in insertion order, no
// whitespace, numbers formatted as JavaScript formats them (1.5, 1e+21, and
// not Boost.JSON's 1.5E0: the shortest text that reads back as the same
// double, laid out as Number.prototype.toString lays it out), -0 as 0, and
// non-finite numbers as null.

#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace corio::protocol {

/// Appends `v` to `out`. Walks `v` without recursion, so any nesting depth is
/// safe (a tree built in code has no decode limit bounding it).
void write_json(const boost::json::value& v, std::string& out);

/// Appends `s` as a JSON string literal, quoted and escaped as
/// JSON.stringify escapes it. The bytes go through as they are: text that
/// is not UTF-8 stays so.
void write_json_string(std::string_view s, std::string& out);

/// `v` as text; see write_json.
std::string to_json(const boost::json::value& v);

} // namespace corio::protocol
