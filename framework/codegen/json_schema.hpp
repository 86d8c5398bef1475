#pragma once
// JSON Schema of the values a contract describes (corio/contract_description.hpp),
// in draft 07, the dialect AsyncAPI 3.0's Schema Object extends. It states
// what Corio reads and writes (corio/invoke.hpp): a described struct is an
// object with exactly its members, its std::optional members may be absent;
// integers are JSON integers; corio::binary is a binary attachment.

#include <corio/contract_description.hpp>

#include <boost/json/object.hpp>

#include <string_view>
#include <vector>

namespace corio::detail {

/// The schema of one value of `type`. A structure or an enumeration is a
/// `$ref` to `schemas_pointer` followed by its name (e.g.
/// "#/components/schemas/"); a std::optional here (an array element, a map
/// value, an ack) may be null.
boost::json::object value_schema(const type_description& type, std::string_view schemas_pointer);

/// A described struct's schema: an object of its members, each required but
/// the std::optional ones (which, when present, hold a value), no others.
boost::json::object structure_schema(const structure_description& structure, std::string_view schemas_pointer);

/// A described enum's schema: one of its enumerators' names.
boost::json::object enumeration_schema(const type_description& enumeration);

/// The schema of an argument list (a Socket.IO event's arguments, or an
/// ack's): a JSON array holding the parameters in order, each titled by its
/// name. Trailing std::optional parameters may be left out (or be null).
boost::json::object arguments_schema(const std::vector<parameter_description>& parameters,
                                     std::string_view schemas_pointer);

} // namespace corio::detail
