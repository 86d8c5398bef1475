#pragma once
// C++ to JSON for emitted arguments and acks (corio/arguments.hpp):
// boost::json::value_from, except for described structs, which Corio writes
// itself so that an empty std::optional member is left out instead of
// written as null. The mirror of detail/json_read.hpp, which reads a missing
// optional member as std::nullopt: a struct read back from what Corio wrote
// is the struct again, and the generated TypeScript (`name?: T`) is true.

#include <corio/detail/json_checks.hpp>

#include <boost/describe/members.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/mp11/algorithm.hpp>

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

namespace corio::detail {

template <class T>
constexpr bool needs_own_writer();

template <class List>
struct any_needs_own_writer;
template <class... Ts>
struct any_needs_own_writer<boost::mp11::mp_list<Ts...>> {
    static constexpr bool value = (needs_own_writer<Ts>() || ...);
};

/// T holds a described struct somewhere (T itself, an element, an
/// alternative) where Boost.JSON would convert it: write_json then walks T
/// itself. Everything else is boost::json::value_from's, unchanged. (No
/// recursion guard is needed: the walk stops at the first described struct.)
template <class T>
constexpr bool needs_own_writer()
{
    namespace json = boost::json;
    using U = std::remove_cvref_t<T>;
    if constexpr (is_optional<U>::value)
        return needs_own_writer<typename U::value_type>();
    else if constexpr (is_variant<U>::value)
        return any_needs_own_writer<boost::mp11::mp_rename<U, boost::mp11::mp_list>>::value;
    else if constexpr (has_user_conversion<to_json, U> || is_json_leaf<U> || std::is_array_v<U>)
        return false;
    else if constexpr (json::is_map_like<U>::value)
        return needs_own_writer<mapped_value_t<U>>();
    else if constexpr (json::is_sequence_like<U>::value) {
        if constexpr (std::is_same_v<std::remove_cvref_t<range_value_t<U>>, U>)
            return false;
        else
            return needs_own_writer<range_value_t<U>>();
    } else if constexpr (json::is_tuple_like<U>::value)
        return any_needs_own_writer<typename tuple_elements<U>::type>::value;
    else
        return json::is_described_class<U>::value;
}

/// `value` as JSON: boost::json::value_from, except that a described struct
/// (at any depth: in a vector, an optional, a map, another struct) leaves
/// out its empty std::optional members. Elsewhere an empty std::optional is
/// null, as with value_from: an array element, a map value, an argument.
/// T converts (converts_to_json<T>).
template <class T>
boost::json::value write_json(T&& value)
{
    namespace json = boost::json;
    using U = std::remove_cvref_t<T>;
    if constexpr (!needs_own_writer<U>()) {
        return json::value_from(std::forward<T>(value));
    } else if constexpr (is_optional<U>::value) {
        if (!value)
            return nullptr;
        return write_json(*std::forward<T>(value));
    } else if constexpr (is_variant<U>::value) {
        return std::visit([](auto&& alternative) { return write_json(std::forward<decltype(alternative)>(alternative)); },
                          std::forward<T>(value));
    } else if constexpr (json::is_map_like<U>::value) {
        json::object out;
        for (auto&& [key, mapped] : value)
            out.insert_or_assign(key, write_json(mapped));
        return out;
    } else if constexpr (json::is_sequence_like<U>::value) {
        json::array out;
        for (auto&& element : value)
            out.push_back(write_json(element));
        return out;
    } else if constexpr (json::is_tuple_like<U>::value) {
        json::array out;
        std::apply([&out](auto&&... element) { (out.push_back(write_json(element)), ...); }, value);
        return out;
    } else {
        json::object out;
        boost::mp11::mp_for_each<described_members<U>>([&](auto d) {
            const auto& member = value.*d.pointer;
            if constexpr (is_optional<std::remove_cvref_t<decltype(member)>>::value) {
                if (!member)
                    return;
            }
            out.insert_or_assign(d.name, write_json(member));
        });
        return out;
    }
}

} // namespace corio::detail
