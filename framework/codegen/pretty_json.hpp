#pragma once
// JSON as people read it: two-space indentation, one member or element a
// line, members in the object's own order (Boost.JSON keeps insertion order),
// as JavaScript's JSON.stringify(value, null, 2) writes it. Boost 1.81's
// serialize() has no indentation.

#include <boost/json/value.hpp>

#include <string>

namespace corio::detail {

/// `value` indented, ending with a newline.
std::string pretty_json(const boost::json::value& value);

} // namespace corio::detail
