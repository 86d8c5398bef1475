#pragma once
// Compact JSON output that matches JavaScript's JSON.stringify byte for byte
// for the values Socket.IO carries: object keys in insertion order, no
// whitespace, numbers formatted as JavaScript formats them (1.5, 1e+21, and
// not Boost.JSON's 1.5E0), non-finite numbers as null.

#include <boost/json/value.hpp>

#include <string>

namespace corio::protocol {

void write_json(const boost::json::value& v, std::string& out);

std::string to_json(const boost::json::value& v);

} // namespace corio::protocol
