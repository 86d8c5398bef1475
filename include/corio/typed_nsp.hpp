#pragma once
// A namespace seen through its contract (corio/contract.hpp): handlers and
// emits of the contract's events only, named by type or by name.

#include <corio/contract.hpp>
#include <corio/detail/contract_checks.hpp>
#include <corio/nsp.hpp>

#include <type_traits>
#include <utility>

namespace corio {

namespace detail {

template <class Contract, fixed_string Name, event_direction Direction>
constexpr bool contract_has_event_named =
    !std::is_void_v<typename find_event<Contract, Name, Direction>::type>;

/// Event is one of Contract's; otherwise one static_assert, and false.
template <class Contract, class Event>
constexpr bool check_in_contract()
{
    static_assert(contract_has_event<Contract, Event>,
                  "corio: typed_nsp: the event is not in the namespace's contract (the failed condition names the "
                  "contract and the event)");
    return contract_has_event<Contract, Event>;
}

/// The event named Name going in Direction, which must exist; otherwise one
/// static_assert, and void.
template <class Contract, fixed_string Name, event_direction Direction>
constexpr auto event_by_name()
{
    static_assert(contract_has_event_named<Contract, Name, Direction>,
                  "corio: typed_nsp: no event of that name in the namespace's contract, in that direction (the "
                  "failed condition names the contract, the name and the direction)");
    return std::type_identity<typename find_event<Contract, Name, Direction>::type>();
}

} // namespace detail

/// The namespace `ns` restricted to the events of `Contract`: `on` takes its
/// client-to-server events, `emit` its server-to-client ones, each named by
/// its type (`on<create_room>`) or by its name (`on<"create_room">`), and
/// checked at compile time as nsp::on<Event> and socket_ref::emit<Event>
/// are. An event of another contract, or a name the contract does not have
/// in that direction, fails with one static_assert. Cheap to copy; the
/// untyped namespace stays reachable through untyped(), for what a contract
/// does not describe (rooms, hooks, connect handlers).
///
/// @par Thread safety
/// As corio::nsp.
template <class Contract>
class typed_nsp {
public:
    using contract_type = Contract;

    explicit typed_nsp(nsp ns) : ns_(std::move(ns)) {}

    template <class Event, class F>
    typed_nsp& on(F&& handler)
    {
        if constexpr (detail::check_in_contract<Contract, Event>())
            ns_.on<Event>(std::forward<F>(handler));
        return *this;
    }
    template <fixed_string Name, class F>
    typed_nsp& on(F&& handler)
    {
        using event =
            typename decltype(detail::event_by_name<Contract, Name, event_direction::client_to_server>())::type;
        if constexpr (!std::is_void_v<event>)
            ns_.on<event>(std::forward<F>(handler));
        return *this;
    }

    /// To every socket of the namespace.
    template <class Event, class... Args>
    void emit(Args&&... args) const
    {
        if constexpr (detail::check_in_contract<Contract, Event>())
            ns_.emit<Event>(std::forward<Args>(args)...);
    }
    template <fixed_string Name, class... Args>
    void emit(Args&&... args) const
    {
        using event =
            typename decltype(detail::event_by_name<Contract, Name, event_direction::server_to_client>())::type;
        if constexpr (!std::is_void_v<event>)
            ns_.emit<event>(std::forward<Args>(args)...);
    }

    /// The namespace itself, with its untyped API.
    const nsp& untyped() const noexcept { return ns_; }

private:
    nsp ns_;
};

} // namespace corio
