#pragma once
// Compile-time checks that the types a handler takes, returns or emits
// convert to and from JSON. A type Boost.JSON cannot convert then fails with
// one static_assert, at the call that brought it in, whose failed condition
// names the type (`converts_from_json<move_request>`) and whose message says
// how to fix it; the rest of the call is not instantiated, so no page of
// overload candidates from inside Boost.JSON follows.
//
// The walk mirrors Boost 1.81's choice of conversion (boost/json/impl/
// conversion.hpp) and goes inside: a std::vector<T>, a std::optional<T> or a
// described struct converts only if what it holds converts, and the type
// named is the innermost one that does not.

#include <corio/binary.hpp>

#include <boost/describe/members.hpp>
#include <boost/describe/modifiers.hpp>
#include <boost/json/array.hpp>
#include <boost/json/conversion.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>
#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>

#include <cstddef>
#include <iterator>
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

namespace corio {
class arguments;
}

namespace corio::detail {

/// The direction of a conversion: boost::json::value_to (handler parameters,
/// connect auth) or boost::json::value_from (emitted arguments, acks,
/// handler results).
struct from_json {};
struct to_json {};

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
struct is_variant : std::false_type {};
template <class... Ts>
struct is_variant<std::variant<Ts...>> : std::true_type {};

// A tag_invoke Boost.JSON finds by argument-dependent lookup, as its own
// detail::has_user_conversion does.
template <class T>
concept has_tag_invoke_from = requires(boost::json::value& v) {
    tag_invoke(boost::json::value_from_tag(), v, std::declval<T&&>());
};
template <class T>
concept has_tag_invoke_to = requires(const boost::json::value& v) {
    tag_invoke(boost::json::value_to_tag<T>(), v);
} || requires(const boost::json::value& v) { tag_invoke(boost::json::try_value_to_tag<T>(), v); };

template <class Dir, class T>
constexpr bool has_user_conversion = std::is_same_v<Dir, to_json> ? has_tag_invoke_from<T> : has_tag_invoke_to<T>;

/// Types Boost.JSON converts by themselves, holding nothing to look into.
template <class T>
constexpr bool is_json_leaf = std::is_same_v<T, boost::json::value> || std::is_same_v<T, boost::json::array> ||
                              std::is_same_v<T, boost::json::object> || std::is_same_v<T, boost::json::string> ||
                              std::is_arithmetic_v<T> || boost::json::is_null_like<T>::value ||
                              boost::json::is_string_like<T>::value || boost::json::is_described_enum<T>::value;

template <class T>
using range_value_t = typename std::iterator_traits<decltype(std::begin(std::declval<T&>()))>::value_type;

template <class T>
using mapped_value_t = std::remove_cvref_t<std::tuple_element_t<1, range_value_t<T>>>;

template <class T, class I = std::make_index_sequence<std::tuple_size_v<T>>>
struct tuple_elements;
template <class T, std::size_t... I>
struct tuple_elements<T, std::index_sequence<I...>> {
    using type = boost::mp11::mp_list<std::tuple_element_t<I, T>...>;
};

/// The public members of a described struct, as Boost.JSON converts them.
template <class T>
using described_members =
    boost::describe::describe_members<T, boost::describe::mod_public | boost::describe::mod_inherited>;

template <class T>
struct member_types {
    template <class D>
    using type_of = std::remove_cvref_t<decltype(std::declval<T&>().*D::pointer)>;
    using type = boost::mp11::mp_transform<type_of, described_members<T>>;
};

template <class Dir, class T, class... Seen>
constexpr auto find_json_gap();

// The first type of `List` with a gap (see find_json_gap).
template <class Dir, class List, class... Seen>
constexpr auto first_json_gap()
{
    if constexpr (boost::mp11::mp_empty<List>::value) {
        return std::type_identity<void>();
    } else {
        using gap = typename decltype(find_json_gap<Dir, boost::mp11::mp_front<List>, Seen...>())::type;
        if constexpr (!std::is_void_v<gap>)
            return std::type_identity<gap>();
        else
            return first_json_gap<Dir, boost::mp11::mp_pop_front<List>, Seen...>();
    }
}

/// std::type_identity of the part of T (T itself, an element, a member, at
/// any depth) that Boost.JSON cannot convert in direction Dir; of void when
/// all of T converts. `Seen` are the described structs being looked into,
/// so that a recursive type (a tree node holding a vector of nodes) ends.
template <class Dir, class T, class... Seen>
constexpr auto find_json_gap()
{
    namespace json = boost::json;
    using U = std::remove_cvref_t<T>;
    if constexpr ((std::is_same_v<U, Seen> || ...))
        return std::type_identity<void>();
    else if constexpr (is_optional<U>::value)
        return find_json_gap<Dir, typename U::value_type, Seen...>();
    else if constexpr (is_variant<U>::value)
        return first_json_gap<Dir, boost::mp11::mp_rename<U, boost::mp11::mp_list>, Seen...>();
    else if constexpr (has_user_conversion<Dir, U> || is_json_leaf<U>)
        return std::type_identity<void>();
    else if constexpr (json::is_map_like<U>::value)
        return find_json_gap<Dir, mapped_value_t<U>, Seen...>();
    else if constexpr (json::is_sequence_like<U>::value) {
        // A range of itself (std::filesystem::path) has no conversion here.
        if constexpr (std::is_same_v<std::remove_cvref_t<range_value_t<U>>, U>)
            return std::type_identity<U>();
        else
            return find_json_gap<Dir, range_value_t<U>, Seen...>();
    } else if constexpr (json::is_tuple_like<U>::value)
        return first_json_gap<Dir, typename tuple_elements<U>::type, Seen...>();
    else if constexpr (json::is_described_class<U>::value)
        return first_json_gap<Dir, typename member_types<U>::type, Seen..., U>();
    else
        return std::type_identity<U>();
}

template <class Dir, class T>
using json_gap_t = typename decltype(find_json_gap<Dir, T>())::type;

/// T, and everything in it, converts with boost::json::value_to. In a failed
/// static_assert this names the type to fix.
template <class T>
constexpr bool converts_from_json = std::is_void_v<json_gap_t<from_json, T>>;
/// T, and everything in it, converts with boost::json::value_from.
template <class T>
constexpr bool converts_to_json = std::is_void_v<json_gap_t<to_json, T>>;

/// A handler parameter (or connect auth) type the conversion rules of
/// corio/invoke.hpp accept. Otherwise one static_assert says why, and the
/// result is false: the caller then instantiates nothing more.
template <class T>
constexpr bool check_parameter_type()
{
    static_assert(std::is_same_v<T, std::remove_cvref_t<T>>);
    if constexpr (std::is_same_v<T, std::string_view> || std::is_same_v<T, boost::json::string_view> ||
                  std::is_pointer_v<T>) {
        static_assert(!std::is_same_v<T, T>,
                      "corio: a handler parameter must own its value: take std::string, not a view or a pointer");
        return false;
    } else if constexpr (is_optional<T>::value) {
        if constexpr (std::is_same_v<typename T::value_type, arguments>) {
            static_assert(!std::is_same_v<T, T>,
                          "corio: std::optional<corio::arguments> is not a parameter type: corio::arguments may be empty");
            return false;
        } else {
            return check_parameter_type<typename T::value_type>();
        }
    } else if constexpr (std::is_same_v<T, binary> || std::is_same_v<T, arguments>) {
        return true;
    } else {
        using gap = json_gap_t<from_json, T>;
        if constexpr (std::is_void_v<gap>) {
            return true;
        } else {
            static_assert(converts_from_json<gap>,
                          "corio: a handler parameter type does not convert from JSON (the failed condition names "
                          "it). Describe it with BOOST_DESCRIBE_STRUCT (public members, no bases) or "
                          "BOOST_DESCRIBE_ENUM, or give it tag_invoke(boost::json::value_to_tag<T>, const "
                          "boost::json::value&)");
            return false;
        }
    }
}

/// A handler's result type (R of R or awaitable<R>) that can be its ack:
/// void, corio::arguments, corio::binary, or what value_from converts.
/// Otherwise one static_assert, and false.
template <class T>
constexpr bool check_result_type()
{
    if constexpr (std::is_void_v<T> || std::is_same_v<T, binary> || std::is_same_v<T, arguments>) {
        return true;
    } else {
        using gap = json_gap_t<to_json, T>;
        if constexpr (std::is_void_v<gap>) {
            return true;
        } else {
            static_assert(converts_to_json<gap>,
                          "corio: a handler's result type does not convert to JSON (the failed condition names it). "
                          "Describe it with BOOST_DESCRIBE_STRUCT (public members, no bases) or BOOST_DESCRIBE_ENUM, "
                          "or give it tag_invoke(boost::json::value_from_tag, boost::json::value&, const T&)");
            return false;
        }
    }
}

/// An argument of emit, emit_with_ack, ack or arguments::of:
/// corio::binary, corio::arguments, or what value_from converts. Otherwise
/// one static_assert, and false.
template <class T>
constexpr bool check_emitted_type()
{
    if constexpr (std::is_same_v<T, binary> || std::is_same_v<T, arguments>) {
        return true;
    } else {
        using gap = json_gap_t<to_json, T>;
        if constexpr (std::is_void_v<gap>) {
            return true;
        } else {
            static_assert(converts_to_json<gap>,
                          "corio: an emitted argument type does not convert to JSON (the failed condition names it). "
                          "Describe it with BOOST_DESCRIBE_STRUCT (public members, no bases) or BOOST_DESCRIBE_ENUM, "
                          "or give it tag_invoke(boost::json::value_from_tag, boost::json::value&, const T&)");
            return false;
        }
    }
}

template <class... Ts>
constexpr bool check_emitted_types(boost::mp11::mp_list<Ts...>)
{
    return (check_emitted_type<Ts>() && ...);
}

/// Every argument type of an emit converts (each type is reported once).
/// Emitting functions test this in `if constexpr` before building their
/// arguments, so a failure stops at the static_assert.
template <class... Args>
constexpr bool check_emitted()
{
    return check_emitted_types(boost::mp11::mp_unique<boost::mp11::mp_list<std::remove_cvref_t<Args>...>>());
}

} // namespace corio::detail
