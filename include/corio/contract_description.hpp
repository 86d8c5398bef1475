#pragma once
// A contract (corio/contract.hpp) as run-time data: what the generators of
// TypeScript declarations and AsyncAPI documents read. Built from the
// contract's types by corio::describe_contract (corio/describe_contract.hpp);
// plain values, no templates, so that each generator is an ordinary function
// over them.

#include <corio/contract.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace corio {

/// The shape of a value on the wire (its JSON, or a binary attachment).
enum class value_kind {
    boolean,
    integer,  ///< a C++ integral type other than bool
    number,   ///< a C++ floating-point type
    string,
    binary,   ///< corio::binary: ArrayBuffer | Uint8Array on the client
    any,      ///< boost::json::value: any JSON
    object,   ///< boost::json::object: any JSON object
    array,    ///< a sequence (std::vector<T>, boost::json::array: elements are `any`)
    map,      ///< std::map / std::unordered_map with string keys: an object of `elements`
    optional, ///< std::optional<T>: T, or null, or (as a member or trailing argument) absent
    structure, ///< a described struct: type_description::name in contract_description::structures
    enumeration, ///< a described enum: one of the strings type_description::enumerators
};

/// One value's type. `elements` holds the one element type of an array, a
/// map or an optional (empty for boost::json::array, whose elements are any).
struct type_description {
    value_kind kind = value_kind::any;
    /// The C++ type, as the compiler names it (for messages and comments).
    std::string cpp_name;
    /// structure and enumeration: the name generators give the type (the
    /// C++ name's last component, e.g. `room_info`); unique in a contract.
    std::string name;
    std::vector<type_description> elements;
    /// enumeration: the names, as on the wire.
    std::vector<std::string> enumerators;
};

/// A described struct's member, in declaration order.
struct member_description {
    std::string name;
    type_description type;
};

struct structure_description {
    /// As type_description::name.
    std::string name;
    std::string cpp_name;
    std::vector<member_description> members;
};

/// An event argument. `name` comes from the event's optional
/// `parameter_names` (corio/contract.hpp), else it is `arg1`, `arg2`, ...
struct parameter_description {
    std::string name;
    type_description type;
};

struct event_description {
    std::string name;
    event_direction direction = event_direction::client_to_server;
    std::vector<parameter_description> parameters;
    /// has_ack: the receiver acknowledges with one `ack`.
    bool has_ack = false;
    type_description ack;
};

/// One namespace's contract, with every described struct its events use, at
/// any depth, each once, in first-use order.
struct contract_description {
    /// The namespace's path, e.g. "/" or "/admin".
    std::string nsp;
    std::vector<event_description> events;
    std::vector<structure_description> structures;
};

} // namespace corio
