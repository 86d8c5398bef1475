#pragma once
// Event contracts: a namespace's events declared once, as types, so that the
// compiler checks handlers and emits against them (nsp::on<E>, emit<E>, see
// corio/typed_nsp.hpp) and a generator can walk them (every event's name,
// direction, argument types and ack type are compile-time values):
//
//   struct create_room : corio::client_to_server<"create_room", corio::ack<room_info>(std::string name, int seats)> {};
//   struct new_game : corio::server_to_client<"new_game", void(game_state)> {};
//   using lobby = corio::contract<create_room, new_game>;
//
// The signature is `void(Args...)` (no ack) or `corio::ack<T>(Args...)` (the
// receiver acknowledges with one T). Arguments are declared by value, with
// the types the handler takes (corio/invoke.hpp's rules: described structs,
// std::optional for trailing arguments the sender may omit, corio::binary,
// ...). Parameter names in the signature are documentation only: C++ keeps
// none of them. For the generated TypeScript and AsyncAPI
// (corio/describe_contract.hpp), an event may name its arguments in its body,
// one name per argument (checked by corio::contract), else they are arg1,
// arg2, ...:
//
//   struct create_room : corio::client_to_server<"create_room", corio::ack<room_info>(std::string name, int seats)> {
//       static constexpr std::array parameter_names{"name", "seats"};
//   };
//
// Nothing here has a run-time cost: these are empty types.

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <iterator>
#include <string_view>
#include <type_traits>

namespace corio {

/// A string literal as a template argument: `corio::client_to_server<"name", ...>`.
template <std::size_t N>
struct fixed_string {
    char chars[N] = {};

    constexpr fixed_string(const char (&text)[N]) { std::copy_n(text, N, chars); }
    constexpr std::string_view view() const { return {chars, N - 1}; }
};

/// Who sends an event.
enum class event_direction { client_to_server, server_to_client };

/// The ack of an event, in its signature: `corio::ack<T>(Args...)` means the
/// receiver answers with one T. Never constructed.
template <class T>
struct ack {
    static_assert(!std::is_void_v<T> && std::is_same_v<T, std::remove_cvref_t<T>>,
                  "corio: an ack type is a value type: corio::ack<T> with T neither void nor a reference");
    using type = T;
};

template <class Result>
struct ack_of {
    static_assert(std::is_void_v<Result>,
                  "corio: an event's signature returns void (no ack) or corio::ack<T> (the receiver answers a T)");
    using type = void;
};
template <class T>
struct ack_of<ack<T>> {
    using type = T;
};

/// One event: derive the event's own type from client_to_server or
/// server_to_client, which derive from this.
template <fixed_string Name, event_direction Direction, class Signature>
struct event {
    static_assert(std::is_function_v<Signature>,
                  "corio: an event's signature is void(Args...) or corio::ack<T>(Args...)");
};

template <fixed_string Name, event_direction Direction, class Result, class... Args>
struct event<Name, Direction, Result(Args...)> {
    static_assert(!Name.view().empty(), "corio: an event needs a name");
    static_assert((std::is_same_v<Args, std::remove_cvref_t<Args>> && ...),
                  "corio: declare an event's arguments by value (std::string, not const std::string&)");

    /// The name on the wire.
    static constexpr std::string_view name = Name.view();
    static constexpr event_direction direction = Direction;
    /// The argument types, in order, as a boost::mp11::mp_list.
    using argument_types = boost::mp11::mp_list<Args...>;
    static constexpr std::size_t arity = sizeof...(Args);
    /// What the receiver acknowledges with; void when the event has no ack.
    using ack_type = typename ack_of<Result>::type;
    static constexpr bool has_ack = !std::is_void_v<ack_type>;
};

/// An event the client sends and a server handler receives.
template <fixed_string Name, class Signature>
struct client_to_server : event<Name, event_direction::client_to_server, Signature> {};

/// An event the server emits and the client receives.
template <fixed_string Name, class Signature>
struct server_to_client : event<Name, event_direction::server_to_client, Signature> {};

/// A type declared as an event (derived from client_to_server or
/// server_to_client).
template <class E>
concept contract_event = requires {
    { E::name } -> std::convertible_to<std::string_view>;
    { E::direction } -> std::convertible_to<event_direction>;
    typename E::argument_types;
    typename E::ack_type;
};

/// E names its arguments (`static constexpr std::array parameter_names{...}`
/// in its body).
template <class E>
concept names_its_parameters = requires { std::size(E::parameter_names); };

/// E has no parameter_names, or one name per argument. In a failed
/// static_assert this names the event.
template <class E>
constexpr bool parameter_names_fit = [] {
    if constexpr (names_its_parameters<E>)
        return std::size(E::parameter_names) == E::arity;
    else
        return true;
}();

template <class E>
constexpr bool check_parameter_names()
{
    static_assert(parameter_names_fit<E>,
                  "corio: an event's parameter_names must hold one name per argument of its signature");
    return true;
}

/// The events of a namespace. Within one direction, names are unique (a name
/// may be used once each way, as socket.io allows).
template <class... Events>
struct contract {
    static_assert((contract_event<Events> && ...),
                  "corio: a contract lists event types (derived from corio::client_to_server or server_to_client)");
    static_assert((check_parameter_names<Events>() && ...));

    /// Every event, in the order listed, as a boost::mp11::mp_list.
    using events = boost::mp11::mp_list<Events...>;

    /// E is one of the events listed.
    template <class E>
    static constexpr bool contains = (std::is_same_v<E, Events> || ...);

    /// How many events named `name` go in `direction`.
    static constexpr std::size_t count(std::string_view name, event_direction direction)
    {
        return ((Events::name == name && Events::direction == direction ? 1 : 0) + ... + 0);
    }

    static_assert(((count(Events::name, Events::direction) == 1) && ...),
                  "corio: two events of a contract have the same name and direction");
};

/// `type`: the event named `Name` going in `Direction` in `Contract`, or
/// void when there is none.
template <class Contract, fixed_string Name, event_direction Direction>
struct find_event {};

template <class... Events, fixed_string Name, event_direction Direction>
struct find_event<contract<Events...>, Name, Direction> {
    template <class E>
    using matches = std::bool_constant<E::name == Name.view() && E::direction == Direction>;
    using type = boost::mp11::mp_at<boost::mp11::mp_list<Events..., void>,
                                    boost::mp11::mp_find_if<boost::mp11::mp_list<Events...>, matches>>;
};

} // namespace corio
