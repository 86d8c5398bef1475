#pragma once
// The C++ types of a contract's arguments and acks as type_descriptions
// (corio/contract_description.hpp), for corio::describe_contract. Each type
// is described as Boost 1.81's value_from and Corio's readers put it on the
// wire (detail/json_checks.hpp mirrors the same choice of conversion), and
// only types whose JSON is known from the type alone are accepted: anything
// else (a variant, a tuple, a user's tag_invoke, a view, ...) is a `gap`
// that describe_contract refuses with one static_assert naming it.

#include <corio/binary.hpp>
#include <corio/contract_description.hpp>
#include <corio/detail/json_checks.hpp>

#include <boost/core/type_name.hpp>
#include <boost/describe/enumerators.hpp>
#include <boost/json/array.hpp>
#include <boost/json/conversion.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>
#include <boost/mp11/algorithm.hpp>

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace corio::detail {

template <class T>
constexpr bool is_json_value_type = std::is_same_v<T, boost::json::value> || std::is_same_v<T, boost::json::object> ||
                                    std::is_same_v<T, boost::json::array> || std::is_same_v<T, boost::json::string>;

template <class T>
constexpr bool is_string_type = std::is_same_v<T, std::string> || std::is_same_v<T, boost::json::string>;

template <class T, class... Seen>
constexpr auto find_description_gap();

template <class List, class... Seen>
constexpr auto first_description_gap()
{
    if constexpr (boost::mp11::mp_empty<List>::value) {
        return std::type_identity<void>();
    } else {
        using gap = typename decltype(find_description_gap<boost::mp11::mp_front<List>, Seen...>())::type;
        if constexpr (!std::is_void_v<gap>)
            return std::type_identity<gap>();
        else
            return first_description_gap<boost::mp11::mp_pop_front<List>, Seen...>();
    }
}

/// std::type_identity of the part of T (T itself, an element, a member, at
/// any depth) that describe_type cannot describe; of void when it describes
/// all of T. `Seen` are the described structs being looked into, so that a
/// recursive type ends. corio::binary is not accepted here: it is an
/// attachment only as a whole argument or ack (describe_contract lets it
/// through there), never nested in JSON.
template <class T, class... Seen>
constexpr auto find_description_gap()
{
    namespace json = boost::json;
    if constexpr ((std::is_same_v<T, Seen> || ...))
        return std::type_identity<void>();
    else if constexpr (is_optional<T>::value)
        return find_description_gap<typename T::value_type, Seen...>();
    else if constexpr (is_json_value_type<T> || is_string_type<T> || std::is_arithmetic_v<T>)
        return std::type_identity<void>();
    else if constexpr (has_user_conversion<to_json, T> || has_user_conversion<from_json, T>)
        return std::type_identity<T>();
    else if constexpr (json::is_described_enum<T>::value)
        return std::type_identity<void>();
    else if constexpr (json::is_map_like<T>::value)
        return find_description_gap<mapped_value_t<T>, Seen...>();
    else if constexpr (json::is_sequence_like<T>::value && !json::is_string_like<T>::value) {
        if constexpr (std::is_same_v<std::remove_cvref_t<range_value_t<T>>, T>)
            return std::type_identity<T>();
        else
            return find_description_gap<std::remove_cvref_t<range_value_t<T>>, Seen...>();
    } else if constexpr (json::is_described_class<T>::value && !json::is_tuple_like<T>::value)
        return first_description_gap<typename member_types<T>::type, Seen..., T>();
    else
        return std::type_identity<T>();
}

template <class T>
using description_gap_t = typename decltype(find_description_gap<T>())::type;

/// T, and everything in it, is a type describe_contract describes. In a
/// failed static_assert this names the type.
template <class T>
constexpr bool describable_type = std::is_void_v<description_gap_t<T>>;

/// The name generators give a struct or enum: the C++ name's last
/// component, without template arguments ("demo::room_info" -> "room_info").
inline std::string short_type_name(std::string_view cpp_name)
{
    cpp_name = cpp_name.substr(0, cpp_name.find('<'));
    if (auto colons = cpp_name.rfind("::"); colons != std::string_view::npos)
        cpp_name.remove_prefix(colons + 2);
    return std::string(cpp_name);
}

/// Collects the described structs of one contract, each once, in first-use
/// order, and checks that no two types (structs or enums) share a name.
class structure_collector {
public:
    /// Registers `name` for `cpp_name`; false when it was already there.
    /// Throws std::invalid_argument when another type has that name.
    bool add_name(const std::string& name, const std::string& cpp_name)
    {
        for (const auto& [known_name, known_cpp_name] : names_) {
            if (known_name != name)
                continue;
            if (known_cpp_name == cpp_name)
                return false;
            throw std::invalid_argument("corio: two types of one contract have the name \"" + name +
                                        "\": " + known_cpp_name + " and " + cpp_name +
                                        " (rename one: generated declarations name types without their namespace)");
        }
        names_.emplace_back(name, cpp_name);
        return true;
    }

    std::vector<structure_description> structures;

private:
    std::vector<std::pair<std::string, std::string>> names_;
};

template <class T>
type_description describe_type(structure_collector& collector)
{
    namespace json = boost::json;
    // describe_contract has checked describable_type<T>: what is left is a described struct.
    type_description d;
    d.cpp_name = boost::core::type_name<T>();
    if constexpr (is_optional<T>::value) {
        d.kind = value_kind::optional;
        d.elements.push_back(describe_type<typename T::value_type>(collector));
    } else if constexpr (std::is_same_v<T, bool>) {
        d.kind = value_kind::boolean;
    } else if constexpr (std::is_integral_v<T>) {
        d.kind = value_kind::integer;
    } else if constexpr (std::is_floating_point_v<T>) {
        d.kind = value_kind::number;
    } else if constexpr (is_string_type<T>) {
        d.kind = value_kind::string;
    } else if constexpr (std::is_same_v<T, json::value>) {
        d.kind = value_kind::any;
    } else if constexpr (std::is_same_v<T, json::object>) {
        d.kind = value_kind::object;
    } else if constexpr (std::is_same_v<T, json::array>) {
        d.kind = value_kind::array;
    } else if constexpr (json::is_described_enum<T>::value) {
        // Boost 1.81 writes a described enum as its enumerator's name and
        // reads it only from one (boost/json/detail/value_from.hpp, value_to.hpp).
        d.kind = value_kind::enumeration;
        d.name = short_type_name(d.cpp_name);
        collector.add_name(d.name, d.cpp_name);
        boost::mp11::mp_for_each<boost::describe::describe_enumerators<T>>(
            [&](auto e) { d.enumerators.emplace_back(e.name); });
    } else if constexpr (json::is_map_like<T>::value) {
        d.kind = value_kind::map;
        d.elements.push_back(describe_type<mapped_value_t<T>>(collector));
    } else if constexpr (json::is_sequence_like<T>::value) {
        d.kind = value_kind::array;
        d.elements.push_back(describe_type<std::remove_cvref_t<range_value_t<T>>>(collector));
    } else {
        d.kind = value_kind::structure;
        d.name = short_type_name(d.cpp_name);
        if (collector.add_name(d.name, d.cpp_name)) {
            // Listed before its members' structs; its members filled in after,
            // which ends a recursive type at its second use.
            std::size_t index = collector.structures.size();
            collector.structures.push_back({d.name, d.cpp_name, {}});
            std::vector<member_description> members;
            boost::mp11::mp_for_each<described_members<T>>([&](auto m) {
                using member_type = std::remove_cvref_t<decltype(std::declval<T&>().*m.pointer)>;
                members.push_back({m.name, describe_type<member_type>(collector)});
            });
            collector.structures[index].members = std::move(members);
        }
    }
    return d;
}

/// A whole argument or ack: corio::binary (or an optional one) is an
/// attachment there; anything else is describe_type's.
template <class T>
type_description describe_argument(structure_collector& collector)
{
    if constexpr (std::is_same_v<T, binary>) {
        return {value_kind::binary, "corio::binary", {}, {}, {}};
    } else if constexpr (std::is_same_v<T, std::optional<binary>>) {
        type_description d{value_kind::optional, boost::core::type_name<T>(), {}, {}, {}};
        d.elements.push_back(describe_argument<binary>(collector));
        return d;
    } else {
        return describe_type<T>(collector);
    }
}

template <class T>
constexpr bool describable_argument =
    std::is_same_v<T, binary> || std::is_same_v<T, std::optional<binary>> || describable_type<T>;

} // namespace corio::detail
