#pragma once
// Compile-time checks of typed handlers and emits against their event's
// declaration (corio/contract.hpp). Each check is a constexpr function that
// returns false after one static_assert; the typed call tests it in
// `if constexpr` and instantiates nothing more, so a mistake gives one
// message, not a page of templates. A static_assert message cannot hold the
// event's name, so each failed condition is a variable template whose
// arguments g++ and clang print: `event_argument_is<create_room, 2, int>`
// evaluates to false, i.e. argument 2 of create_room is not an int.

#include <corio/arguments.hpp>
#include <corio/contract.hpp>
#include <corio/detail/invoke_traits.hpp>

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>

#include <cstddef>
#include <type_traits>
#include <utility>

namespace corio {
class context;
}

namespace corio::detail {

// The conditions the static_asserts below name. Positions count from 1, as
// the run-time argument errors do.
template <class E>
constexpr bool is_contract_event = contract_event<E>;
template <class E>
constexpr bool is_client_to_server_event = E::direction == event_direction::client_to_server;
template <class E>
constexpr bool is_server_to_client_event = E::direction == event_direction::server_to_client;
template <class E>
constexpr bool event_has_no_ack = !E::has_ack;
template <class E>
constexpr bool event_has_an_ack = E::has_ack;
template <class E, std::size_t Count>
constexpr bool event_has_arity = E::arity == Count;
template <class E, std::size_t Position, class T>
constexpr bool event_argument_is =
    std::is_same_v<boost::mp11::mp_at_c<typename E::argument_types, Position - 1>, std::remove_cvref_t<T>>;
template <class E, std::size_t Position, class T>
constexpr bool event_argument_accepts =
    std::is_convertible_v<T, boost::mp11::mp_at_c<typename E::argument_types, Position - 1>>;
template <class E, class T>
constexpr bool event_ack_is = std::is_same_v<typename E::ack_type, std::remove_cvref_t<T>>;
template <class E, class P>
constexpr bool handler_first_parameter_is_context =
    std::is_lvalue_reference_v<P> && std::is_same_v<std::remove_cvref_t<P>, context>;
template <class Contract, class E>
constexpr bool contract_has_event = Contract::template contains<E>;

// The first position (from 0) where `ok` is false, or its size.
template <std::size_t N>
constexpr std::size_t first_false(const bool (&ok)[N])
{
    std::size_t i = 0;
    while (i + 1 < N && ok[i])
        ++i;
    return i;
}

template <class E, class... Params, std::size_t... I>
constexpr bool check_handler_parameters(std::index_sequence<I...>)
{
    if constexpr (sizeof...(Params) == 0) {
        return true;
    } else {
        constexpr bool ok[] = {event_argument_is<E, I + 1, Params>..., true};
        constexpr std::size_t bad = first_false(ok);
        if constexpr (bad == sizeof...(Params)) {
            return true;
        } else {
            static_assert(event_argument_is<E, bad + 1, boost::mp11::mp_at_c<boost::mp11::mp_list<Params...>, bad>>,
                          "corio: on<Event>: a handler parameter is not of the event's argument type (the failed "
                          "condition names the event, the argument's position from 1 and the parameter's type)");
            return false;
        }
    }
}

template <class E, class R>
constexpr bool check_handler_signature(function_signature<R>*)
{
    static_assert(handler_first_parameter_is_context<E, void>,
                  "corio: on<Event>: an event handler's first parameter is corio::context&");
    return false;
}

template <class E, class R, class Ctx, class... Params>
constexpr bool check_handler_signature(function_signature<R, Ctx, Params...>*)
{
    using result = std::remove_cvref_t<handler_value_t<R>>;
    if constexpr (!handler_first_parameter_is_context<E, Ctx>) {
        static_assert(handler_first_parameter_is_context<E, Ctx>,
                      "corio: on<Event>: an event handler's first parameter is corio::context&");
        return false;
    } else if constexpr (!event_has_arity<E, sizeof...(Params)>) {
        static_assert(event_has_arity<E, sizeof...(Params)>,
                      "corio: on<Event>: the handler takes another number of arguments than the event declares "
                      "(the failed condition names the event and the handler's count, the context left out)");
        return false;
    } else if constexpr (!check_handler_parameters<E, Params...>(std::index_sequence_for<Params...>())) {
        return false;
    } else if constexpr (!event_ack_is<E, result>) {
        static_assert(event_ack_is<E, result>,
                      "corio: on<Event>: the handler's result is not the event's ack type: it returns T (or "
                      "awaitable<T>) for corio::ack<T>, void for an event without an ack (the failed condition "
                      "names the event and the result)");
        return false;
    } else {
        return true;
    }
}

/// A handler F fits client-to-server event E: `(context&, Args...)` with
/// E's argument types (by value, const& or &&), returning E's ack type or
/// void (or an awaitable of it). Otherwise one static_assert, and false.
template <class E, class F>
constexpr bool check_handler()
{
    if constexpr (!is_contract_event<E>) {
        static_assert(is_contract_event<E>, "corio: on<Event>: Event is not an event type (derive it from "
                                            "corio::client_to_server<\"name\", void(Args...)>)");
        return false;
    } else if constexpr (!is_client_to_server_event<E>) {
        static_assert(is_client_to_server_event<E>,
                      "corio: on<Event>: a server-to-client event has no handler on the server (emit it instead)");
        return false;
    } else if constexpr (!has_signature<F>) {
        static_assert(has_signature<F>,
                      "corio: on<Event>: a handler needs exactly one non-template call operator (a generic lambda "
                      "has none)");
        return false;
    } else {
        return check_handler_signature<E>(static_cast<signature_of<F>*>(nullptr));
    }
}

template <class E, class... Args, std::size_t... I>
constexpr bool check_emit_arguments(std::index_sequence<I...>)
{
    if constexpr (sizeof...(Args) == 0) {
        return true;
    } else {
        constexpr bool ok[] = {event_argument_accepts<E, I + 1, Args>..., true};
        constexpr std::size_t bad = first_false(ok);
        if constexpr (bad == sizeof...(Args)) {
            return true;
        } else {
            static_assert(event_argument_accepts<E, bad + 1, boost::mp11::mp_at_c<boost::mp11::mp_list<Args...>, bad>>,
                          "corio: emit<Event>: an argument does not convert to the event's argument type (the failed "
                          "condition names the event, the argument's position from 1 and its type)");
            return false;
        }
    }
}

/// `emit<E>(args...)` (WithAck false) or `emit_with_ack<E>(args...)` is
/// right: E is server-to-client, has an ack exactly when WithAck, and the
/// arguments are as many as E declares, each convertible to its type.
/// Otherwise one static_assert, and false.
template <class E, bool WithAck, class... Args>
constexpr bool check_emit()
{
    if constexpr (!is_contract_event<E>) {
        static_assert(is_contract_event<E>, "corio: emit<Event>: Event is not an event type (derive it from "
                                            "corio::server_to_client<\"name\", void(Args...)>)");
        return false;
    } else if constexpr (!is_server_to_client_event<E>) {
        static_assert(is_server_to_client_event<E>,
                      "corio: emit<Event>: a client-to-server event is not emitted by the server (handle it with "
                      "on<Event>)");
        return false;
    } else if constexpr (!WithAck && E::has_ack) {
        static_assert(event_has_no_ack<E>, "corio: emit<Event>: the event declares an ack: use emit_with_ack<Event>");
        return false;
    } else if constexpr (WithAck && !E::has_ack) {
        static_assert(event_has_an_ack<E>, "corio: emit_with_ack<Event>: the event declares no ack: use emit<Event>");
        return false;
    } else if constexpr (!event_has_arity<E, sizeof...(Args)>) {
        static_assert(event_has_arity<E, sizeof...(Args)>,
                      "corio: emit<Event>: the number of arguments is not the event's (the failed condition names "
                      "the event and the number given)");
        return false;
    } else {
        return check_emit_arguments<E, Args...>(std::index_sequence_for<Args...>());
    }
}

/// An argument as the event declares it: passed on as it is when it has the
/// declared type, else converted to it (so the JSON is the declared type's).
template <class Declared, class Arg>
decltype(auto) as_declared(Arg&& arg)
{
    if constexpr (std::is_same_v<std::remove_cvref_t<Arg>, Declared>)
        return std::forward<Arg>(arg);
    else
        return static_cast<Declared>(std::forward<Arg>(arg));
}

/// The arguments of an emit<E>, after check_emit.
template <class... Declared, class... Args>
arguments declared_arguments(boost::mp11::mp_list<Declared...>, Args&&... args)
{
    return arguments::of(as_declared<Declared>(std::forward<Args>(args))...);
}

} // namespace corio::detail
