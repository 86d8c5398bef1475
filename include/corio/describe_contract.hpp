#pragma once
// A contract (corio/contract.hpp) as run-time data (corio/contract_description.hpp),
// for the generators of TypeScript declarations and AsyncAPI documents:
//
//   corio::contract_description d = corio::describe_contract<lobby>("/");
//
// Each event's arguments and ack are described as they travel: bool,
// arithmetic types (integer or number), std::string and boost::json::string,
// boost::json::value (any JSON), object and array, std::optional<T>,
// sequences (std::vector<T>, ...), maps with string keys, Boost.Describe
// structs (public members, no bases; each listed once in `structures`, at
// any depth, recursive ones too) and Boost.Describe enums (the enumerators'
// names: Boost 1.81's value_from writes an enum as its name, value_to reads
// only that), and corio::binary as a whole argument or ack (an attachment;
// Corio does not carry it nested in JSON). Any other type (std::variant, a
// tuple, a type with its own tag_invoke, ...) fails to compile with one
// static_assert whose condition names the event and the type.
//
// Structs and enums are named by the last component of their C++ name
// (`demo::room_info` -> `room_info`); two different types of one contract
// with one name throw std::invalid_argument naming both. Parameters are named
// by the event's parameter_names (corio/contract.hpp), else arg1, arg2, ...

#include <corio/binary.hpp>
#include <corio/contract.hpp>
#include <corio/contract_description.hpp>
#include <corio/detail/describe_types.hpp>

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace corio {

namespace detail {

template <class T>
using argument_gap_t =
    std::conditional_t<std::is_void_v<T> || std::is_same_v<T, binary> || std::is_same_v<T, std::optional<binary>>,
                       void, typename decltype(find_description_gap<std::remove_cv_t<T>>())::type>;

template <class T>
using has_argument_gap = std::bool_constant<!std::is_void_v<argument_gap_t<T>>>;

/// The first type of E's arguments, then its ack, that describe_contract
/// cannot describe (void: none).
template <class E>
using event_gap_t = argument_gap_t<boost::mp11::mp_at<
    boost::mp11::mp_push_back<typename E::argument_types, typename E::ack_type, void>,
    boost::mp11::mp_find_if<boost::mp11::mp_push_back<typename E::argument_types, typename E::ack_type>,
                            has_argument_gap>>>;

template <class E>
using has_event_gap = std::bool_constant<!std::is_void_v<event_gap_t<E>>>;

/// In a failed static_assert, names the event and the type (an argument,
/// its ack, or a part of one) that cannot be described.
template <class Event, class Type>
constexpr bool event_type_is_describable = false;

/// Every event of Contract can be described. Otherwise one static_assert
/// about the first one that cannot, and false.
template <class Contract>
constexpr bool check_describable()
{
    using events = typename Contract::events;
    using bad_event = boost::mp11::mp_at<boost::mp11::mp_push_back<events, void>,
                                         boost::mp11::mp_find_if<events, has_event_gap>>;
    if constexpr (std::is_void_v<bad_event>) {
        return true;
    } else {
        static_assert(event_type_is_describable<bad_event, event_gap_t<bad_event>>,
                      "corio: describe_contract cannot describe a type of an event (the failed condition names the "
                      "event and the type): use bool, arithmetic types, std::string, std::optional, std::vector, "
                      "maps with string keys, boost::json::value/object/array/string, Boost.Describe structs (public "
                      "members, no bases) and enums, and corio::binary as a whole argument or ack");
        return false;
    }
}

template <class E>
event_description describe_event(structure_collector& collector)
{
    event_description d;
    d.name = std::string(E::name);
    d.direction = E::direction;
    boost::mp11::mp_for_each<boost::mp11::mp_iota_c<E::arity>>([&](auto index) {
        using type = boost::mp11::mp_at_c<typename E::argument_types, decltype(index)::value>;
        std::string name;
        if constexpr (names_its_parameters<E>)
            name = std::string_view(E::parameter_names[decltype(index)::value]);
        else
            name = "arg" + std::to_string(decltype(index)::value + 1);
        d.parameters.push_back({std::move(name), describe_argument<type>(collector)});
    });
    d.has_ack = E::has_ack;
    if constexpr (E::has_ack)
        d.ack = describe_argument<typename E::ack_type>(collector);
    return d;
}

template <class... Events>
contract_description describe_events(std::string nsp, boost::mp11::mp_list<Events...>)
{
    structure_collector collector;
    contract_description d;
    d.nsp = std::move(nsp);
    (d.events.push_back(describe_event<Events>(collector)), ...);
    d.structures = std::move(collector.structures);
    return d;
}

} // namespace detail

/// Contract (a corio::contract<...>) as the namespace `nsp` ("/", "/admin")
/// carries it: its events in the order listed, and the described structs
/// they use. Throws std::invalid_argument when two of its types have one name.
template <class Contract>
contract_description describe_contract(std::string nsp)
{
    if constexpr (detail::check_describable<Contract>())
        return detail::describe_events(std::move(nsp), typename Contract::events());
    else
        return {};
}

} // namespace corio
