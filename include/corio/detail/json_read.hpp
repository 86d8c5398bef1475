#pragma once
// JSON to C++ for handler parameters and connect auth (corio/invoke.hpp):
// boost::json::try_value_to, except for described structs, which Corio
// converts itself so that a missing std::optional member is std::nullopt.
// Boost 1.81 refuses an object that lacks any member, and JavaScript clients
// leave out fields all the time (JSON.stringify drops `undefined`).

#include <corio/detail/json_checks.hpp>

#include <boost/describe/members.hpp>
#include <boost/json/array.hpp>
#include <boost/json/error.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_to.hpp>
#include <boost/mp11/algorithm.hpp>
#include <boost/system/result.hpp>

#include <cstddef>
#include <iterator>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

namespace corio::detail {

template <class T>
constexpr bool needs_own_reader();

template <class List>
struct any_needs_own_reader;
template <class... Ts>
struct any_needs_own_reader<boost::mp11::mp_list<Ts...>> {
    static constexpr bool value = (needs_own_reader<Ts>() || ...);
};

/// T holds a described struct somewhere (T itself, an element, an
/// alternative) where Boost.JSON would convert it: read_json then walks T
/// itself. Everything else is boost::json::try_value_to's, unchanged. (No
/// recursion guard is needed: the walk stops at the first described struct.)
template <class T>
constexpr bool needs_own_reader()
{
    namespace json = boost::json;
    using U = std::remove_cvref_t<T>;
    if constexpr (is_optional<U>::value)
        return needs_own_reader<typename U::value_type>();
    else if constexpr (is_variant<U>::value)
        return any_needs_own_reader<boost::mp11::mp_rename<U, boost::mp11::mp_list>>::value;
    else if constexpr (has_user_conversion<from_json, U> || is_json_leaf<U> || std::is_array_v<U>)
        return false;
    else if constexpr (json::is_map_like<U>::value)
        return needs_own_reader<mapped_value_t<U>>();
    else if constexpr (json::is_sequence_like<U>::value) {
        if constexpr (std::is_same_v<std::remove_cvref_t<range_value_t<U>>, U>)
            return false;
        else
            return needs_own_reader<range_value_t<U>>();
    } else if constexpr (json::is_tuple_like<U>::value)
        return any_needs_own_reader<typename tuple_elements<U>::type>::value;
    else
        return json::is_described_class<U>::value;
}

template <class T>
boost::system::result<T> read_json(const boost::json::value& v);

template <class T>
boost::system::result<T> json_failure(boost::json::error e)
{
    return {boost::system::in_place_error, boost::json::make_error_code(e)};
}

/// A described struct from an object: every member from the key of its
/// name, a missing std::optional member as std::nullopt. A missing member
/// of another type, or a key that names no member, fails (as Boost.JSON).
template <class T>
boost::system::result<T> read_described(const boost::json::value& v)
{
    const auto* obj = v.if_object();
    if (!obj)
        return json_failure<T>(boost::json::error::not_object);
    T out{};
    boost::system::error_code ec;
    std::size_t found = 0;
    boost::mp11::mp_for_each<described_members<T>>([&](auto d) {
        if (ec)
            return;
        using member_type = std::remove_cvref_t<decltype(out.*d.pointer)>;
        auto it = obj->find(d.name);
        if (it == obj->end()) {
            if constexpr (is_optional<member_type>::value)
                out.*d.pointer = std::nullopt;
            else
                ec = boost::json::make_error_code(boost::json::error::unknown_name);
            return;
        }
        ++found;
        auto r = read_json<member_type>(it->value());
        if (r)
            out.*d.pointer = std::move(*r);
        else
            ec = r.error();
    });
    if (ec)
        return {boost::system::in_place_error, ec};
    if (found != obj->size())
        return json_failure<T>(boost::json::error::size_mismatch);
    return {boost::system::in_place_value, std::move(out)};
}

// One alternative after another, the first that converts (as Boost.JSON).
template <class T, std::size_t I = 0>
boost::system::result<T> read_variant(const boost::json::value& v)
{
    if constexpr (I == std::variant_size_v<T>) {
        return json_failure<T>(boost::json::error::exhausted_variants);
    } else {
        auto r = read_json<std::variant_alternative_t<I, T>>(v);
        if (r)
            return {boost::system::in_place_value, std::in_place_index<I>, std::move(*r)};
        return read_variant<T, I + 1>(v);
    }
}

template <class T, std::size_t... I>
boost::system::result<T> read_tuple(const boost::json::array& arr, std::index_sequence<I...>)
{
    std::tuple<boost::system::result<std::tuple_element_t<I, T>>...> parts{
        read_json<std::tuple_element_t<I, T>>(arr[I])...};
    boost::system::error_code ec;
    auto first_error = [&ec](const auto& part) {
        if (!ec && !part)
            ec = part.error();
    };
    (first_error(std::get<I>(parts)), ...);
    if (ec)
        return {boost::system::in_place_error, ec};
    return {boost::system::in_place_value, T(std::move(*std::get<I>(parts))...)};
}

template <class T>
boost::system::result<T> read_map(const boost::json::value& v)
{
    const auto* obj = v.if_object();
    if (!obj)
        return json_failure<T>(boost::json::error::not_object);
    using entry = range_value_t<T>;
    using key_type = std::remove_cv_t<std::tuple_element_t<0, entry>>;
    T out;
    for (const auto& kv : *obj) {
        auto r = read_json<mapped_value_t<T>>(kv.value());
        if (!r)
            return {boost::system::in_place_error, r.error()};
        out.insert(out.end(), entry(key_type(kv.key()), std::move(*r)));
    }
    return {boost::system::in_place_value, std::move(out)};
}

template <class T>
boost::system::result<T> read_sequence(const boost::json::value& v)
{
    const auto* arr = v.if_array();
    if (!arr)
        return json_failure<T>(boost::json::error::not_array);
    using element = std::remove_cvref_t<range_value_t<T>>;
    T out{};
    if constexpr (boost::json::is_tuple_like<T>::value) {
        // A fixed size (std::array): exactly that many elements.
        if (arr->size() != std::tuple_size_v<T>)
            return json_failure<T>(boost::json::error::size_mismatch);
        auto it = std::begin(out);
        for (const auto& e : *arr) {
            auto r = read_json<element>(e);
            if (!r)
                return {boost::system::in_place_error, r.error()};
            *it++ = std::move(*r);
        }
    } else {
        if constexpr (requires { out.reserve(arr->size()); })
            out.reserve(arr->size());
        for (const auto& e : *arr) {
            auto r = read_json<element>(e);
            if (!r)
                return {boost::system::in_place_error, r.error()};
            if constexpr (requires { out.push_back(std::move(*r)); })
                out.push_back(std::move(*r));
            else
                out.insert(std::end(out), std::move(*r));
        }
    }
    return {boost::system::in_place_value, std::move(out)};
}

/// `v` as a T: boost::json::try_value_to, with described structs (at any
/// depth: in a vector, an optional, a map, another struct) read by
/// read_described. T converts (converts_from_json<T>).
template <class T>
boost::system::result<T> read_json(const boost::json::value& v)
{
    namespace json = boost::json;
    if constexpr (!needs_own_reader<T>()) {
        return json::try_value_to<T>(v);
    } else if constexpr (is_optional<T>::value) {
        if (v.is_null())
            return {boost::system::in_place_value, T()};
        auto r = read_json<typename T::value_type>(v);
        if (!r)
            return {boost::system::in_place_error, r.error()};
        return {boost::system::in_place_value, std::move(*r)};
    } else if constexpr (is_variant<T>::value) {
        return read_variant<T>(v);
    } else if constexpr (json::is_map_like<T>::value) {
        return read_map<T>(v);
    } else if constexpr (json::is_sequence_like<T>::value) {
        return read_sequence<T>(v);
    } else if constexpr (json::is_tuple_like<T>::value) {
        const auto* arr = v.if_array();
        if (!arr)
            return json_failure<T>(json::error::not_array);
        if (arr->size() != std::tuple_size_v<T>)
            return json_failure<T>(json::error::size_mismatch);
        return read_tuple<T>(*arr, std::make_index_sequence<std::tuple_size_v<T>>());
    } else {
        return read_described<T>(v);
    }
}

} // namespace corio::detail
