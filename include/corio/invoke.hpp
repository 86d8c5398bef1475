#pragma once
// Typed handlers: converting event arguments to a handler's parameters and
// its return value to the acknowledgement.
//
// Parameter types of an event handler `(context&, Params...)`:
//   - std::string, bool, arithmetic types, boost::json::value/object/array/string,
//     and any T with boost::json::value_to support (Boost.Describe structs, or
//     a tag_invoke value_to) -- converted with boost::json::try_value_to;
//     integral types take integers in their range only (2.0 counts, 2.5 and
//     -1 for unsigned do not), float only numbers in its range;
//     a described struct converts from an object with exactly its members,
//     where a std::optional member may be left out (std::nullopt), at any
//     depth (detail/json_read.hpp; Boost 1.81 alone wants every member);
//   - corio::binary -- the argument must be a binary attachment (its bytes
//     are copied);
//   - std::optional<T> -- trailing arguments the client may omit (missing or
//     null gives std::nullopt);
//   - corio::arguments, last -- receives every remaining argument unconverted,
//     with binary values as attachments: a fresh arguments holding only the
//     attachments its placeholders reference, renumbered from 0 (so it can be
//     emitted on as it is). A handler taking only `(context&, arguments)`
//     receives the event's arguments unchanged.
// A boost::json::value (object, array) parameter receives the raw JSON: a
// binary value inside it is a placeholder `{"_placeholder":true,"num":i}`
// whose bytes it cannot reach; take corio::binary or corio::arguments for
// those. Binary values nested in a value_to type are not supported.
// Views (std::string_view, pointers) are refused at compile time: the
// arguments do not outlive the conversion. So is a parameter or result type
// (or a member or element of one) that Boost.JSON cannot convert: one
// static_assert names it and says how to describe it
// (detail/json_checks.hpp), at the registration.
// Parameters may be taken by value, by const& or by && (a reference stays
// valid for the whole handler, across co_await).
// Extra arguments the handler does not take are ignored, as in socket.io.
// The return type R (or awaitable<R>): void -- no automatic ack; corio::arguments
// -- the ack's arguments; anything else -- the single ack argument
// (value_from, corio::binary allowed). The automatic ack is sent only when the
// client asked for one and the handler did not call ctx.ack itself.
// Results, acks and emitted arguments are written as value_from writes them,
// except that a described struct leaves out an empty std::optional member, at
// any depth, rather than write it as null (detail/json_write.hpp): what a
// handler reads back as std::nullopt, and what the generated TypeScript
// declares as `name?: T`. An empty std::optional elsewhere (the result
// itself, an element, a map value) is null.
// A conversion failure calls detail::report_argument_error with a message
// naming the event, the argument position and the expected type, e.g.
// `argument 2 of "create_room": expected a string, got 42`; the handler does
// not run.
//
// Handlers are callables with exactly one non-template call operator
// (lambdas, mutable lambdas, functors, std::function), functions and function
// pointers; R may be `boost::asio::awaitable<T>` (a coroutine) or a plain T
// (runs synchronously on the socket's strand).
//
// @par Lifetime and thread safety
// The adapter moves the callable into a shared_ptr; every copy of the
// returned handler, and every invocation in flight, shares that one object,
// which lives until the last of them ends. With several sockets, or with
// concurrent_handlers, invocations overlap, possibly on several threads: a
// mutable lambda's state is shared by them and needs the user's own
// synchronisation. Exceptions from the callable propagate to the caller (the
// namespace's error handler).

#include <corio/arguments.hpp>
#include <corio/context.hpp>
#include <corio/detail/invoke_convert.hpp>
#include <corio/detail/invoke_traits.hpp>
#include <corio/detail/json_checks.hpp>
#include <corio/detail/report.hpp>
#include <corio/disconnect_reason.hpp>
#include <corio/handlers.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_to.hpp>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

namespace corio {

namespace detail {

template <class T>
constexpr bool always_false = false;

template <class P>
constexpr bool is_context_parameter = std::is_lvalue_reference_v<P> && std::is_same_v<std::remove_cvref_t<P>, context>;

// Sends a handler's result as the ack when the client asked for one and the
// handler did not ack itself.
template <class T>
void ack_with_result(context& ctx, T&& result)
{
    if (ctx.wants_ack())
        ctx.ack_arguments(to_ack_arguments(std::forward<T>(result)));
}

template <class F, class Signature = signature_of<F>>
struct event_adapter {
    static_assert(always_false<F>, "an event handler is (corio::context&, Params...)");
};

/// Runs a typed event handler. A static coroutine: everything it uses is a
/// parameter, copied into its frame, so it outlives the std::function that
/// started it (see make_event_handler).
template <class F, class R, class Ctx, class... Params>
struct event_adapter<F, function_signature<R, Ctx, Params...>> {
    static_assert(is_context_parameter<Ctx>, "an event handler's first parameter is corio::context&");

    using values = std::tuple<std::remove_cvref_t<Params>...>;

    template <std::size_t... I>
    static R call(F& f, context& ctx, values& v, std::index_sequence<I...>)
    {
        return f(ctx, std::forward<Params>(std::get<I>(v))...);
    }

    static boost::asio::awaitable<void> run(std::shared_ptr<F> f, context& ctx, arguments args)
    {
        auto converted = convert_arguments<std::remove_cvref_t<Params>...>(std::move(args), ctx.event());
        if (!converted) {
            report_argument_error(ctx, converted.error().message);
            co_return;
        }
        // The values stay in this frame while the handler runs: reference
        // parameters of a coroutine handler point here.
        values& v = *converted;
        if constexpr (awaitable_result<R>::value) {
            using T = handler_value_t<R>;
            R op = call(*f, ctx, v, std::index_sequence_for<Params...>());
            if constexpr (std::is_void_v<T>) {
                co_await std::move(op);
            } else {
                T result = co_await std::move(op);
                ack_with_result(ctx, std::move(result));
            }
        } else if constexpr (std::is_void_v<R>) {
            call(*f, ctx, v, std::index_sequence_for<Params...>());
        } else {
            std::remove_cvref_t<R> result = call(*f, ctx, v, std::index_sequence_for<Params...>());
            ack_with_result(ctx, std::move(result));
        }
    }

    /// The handler returns a plain value: run_now() can run it.
    static constexpr bool synchronous = !awaitable_result<R>::value;

    /// run() for a synchronous handler, without a coroutine: converts,
    /// calls and acks before it returns.
    static void run_now(F& f, context& ctx, arguments&& args)
        requires synchronous
    {
        auto converted = convert_arguments<std::remove_cvref_t<Params>...>(std::move(args), ctx.event());
        if (!converted) {
            report_argument_error(ctx, converted.error().message);
            return;
        }
        values& v = *converted;
        if constexpr (std::is_void_v<R>) {
            call(f, ctx, v, std::index_sequence_for<Params...>());
        } else {
            std::remove_cvref_t<R> result = call(f, ctx, v, std::index_sequence_for<Params...>());
            ack_with_result(ctx, std::move(result));
        }
    }
};

/// The auth payload of a connect handler `(context&, Auth)`: a
/// std::optional<T> is empty when the client sent none (an empty object).
template <class Auth>
boost::system::result<Auth> convert_auth(const boost::json::object& auth)
{
    if constexpr (is_optional<Auth>::value) {
        if (auth.empty())
            return {boost::system::in_place_value, Auth()};
        auto r = convert_auth<typename Auth::value_type>(auth);
        if (!r)
            return {boost::system::in_place_error, r.error()};
        return {boost::system::in_place_value, std::move(*r)};
    } else if constexpr (std::is_same_v<Auth, boost::json::object>) {
        return {boost::system::in_place_value, auth};
    } else {
        return try_convert<Auth>(boost::json::value(auth));
    }
}

/// A connect handler's result as a verdict: void accepts, false refuses
/// with "unauthorized".
template <class T>
connect_verdict to_verdict(T&& result)
{
    using U = std::remove_cvref_t<T>;
    static_assert(std::is_same_v<U, connect_verdict> || std::is_same_v<U, bool>,
                  "a connect handler returns corio::connect_verdict, bool or void (or an awaitable of one)");
    if constexpr (std::is_same_v<U, bool>)
        return result ? accept() : refuse("unauthorized");
    else
        return std::forward<T>(result);
}

template <class F, class Signature = signature_of<F>>
struct connect_adapter {
    static_assert(always_false<F>, "a connect handler is (corio::context&) or (corio::context&, Auth)");
};

template <class F, class R, class Ctx, class... Auth>
struct connect_adapter<F, function_signature<R, Ctx, Auth...>> {
    static_assert(is_context_parameter<Ctx>, "a connect handler's first parameter is corio::context&");
    static_assert(sizeof...(Auth) <= 1, "a connect handler is (context&) or (context&, Auth)");
    static_assert(((!std::is_same_v<std::remove_cvref_t<Auth>, binary> &&
                    !std::is_same_v<std::remove_cvref_t<Auth>, arguments>) && ...),
                  "a connect handler's auth parameter is a JSON type (the CONNECT packet's data)");

    using values = std::tuple<std::remove_cvref_t<Auth>...>;

    template <std::size_t... I>
    static R call(F& f, context& ctx, values& v, std::index_sequence<I...>)
    {
        return f(ctx, std::forward<Auth>(std::get<I>(v))...);
    }

    static boost::asio::awaitable<connect_verdict> run(std::shared_ptr<F> f, context& ctx)
    {
        std::optional<values> v;
        if constexpr (sizeof...(Auth) == 1) {
            auto auth = convert_auth<std::remove_cvref_t<Auth>...>(ctx.handshake().auth);
            if (!auth)
                co_return refuse("invalid auth");
            v.emplace(std::move(*auth));
        } else {
            v.emplace();
        }
        if constexpr (awaitable_result<R>::value) {
            using T = handler_value_t<R>;
            R op = call(*f, ctx, *v, std::index_sequence_for<Auth...>());
            if constexpr (std::is_void_v<T>) {
                co_await std::move(op);
                co_return accept();
            } else {
                T result = co_await std::move(op);
                co_return to_verdict(std::move(result));
            }
        } else if constexpr (std::is_void_v<R>) {
            call(*f, ctx, *v, std::index_sequence_for<Auth...>());
            co_return accept();
        } else {
            std::remove_cvref_t<R> result = call(*f, ctx, *v, std::index_sequence_for<Auth...>());
            co_return to_verdict(std::move(result));
        }
    }
};

template <class F, class Signature = signature_of<F>>
struct disconnect_adapter {
    static_assert(always_false<F>, "a disconnect handler is (corio::context&) or (corio::context&, corio::disconnect_reason)");
};

template <class F, class R, class Ctx, class... Reason>
struct disconnect_adapter<F, function_signature<R, Ctx, Reason...>> {
    static_assert(is_context_parameter<Ctx>, "a disconnect handler's first parameter is corio::context&");
    static_assert(sizeof...(Reason) <= 1 && (std::is_same_v<std::remove_cvref_t<Reason>, disconnect_reason> && ...),
                  "a disconnect handler is (context&) or (context&, corio::disconnect_reason)");
    static_assert(std::is_void_v<handler_value_t<R>>, "a disconnect handler returns void or awaitable<void>");

    static R call(F& f, context& ctx, disconnect_reason reason)
    {
        if constexpr (sizeof...(Reason) == 0)
            return f(ctx);
        else
            return f(ctx, reason);
    }

    static boost::asio::awaitable<void> run(std::shared_ptr<F> f, context& ctx, disconnect_reason reason)
    {
        if constexpr (awaitable_result<R>::value) {
            R op = call(*f, ctx, reason);
            co_await std::move(op);
        } else {
            call(*f, ctx, reason);
        }
    }
};

/// The user's callable, moved into the one object every copy of its adapted
/// handler shares.
template <class F>
std::shared_ptr<std::decay_t<F>> share_handler(F&& f)
{
    using fn_type = std::decay_t<F>;
    // A function (not a pointer) cannot be null.
    if constexpr (std::is_pointer_v<std::remove_reference_t<F>>) {
        if (f == nullptr)
            throw std::invalid_argument("corio: null handler function");
    }
    return std::make_shared<fn_type>(std::forward<F>(f));
}

template <class F>
constexpr bool has_handler_signature()
{
    static_assert(has_signature<F>,
                  "a corio handler needs exactly one non-template call operator (a generic lambda has none)");
    return has_signature<F>;
}

/// The parameter and result types of an event handler convert (else one
/// static_assert per type that does not, and false). A signature without
/// parameters is left to event_adapter's own message.
template <class R>
constexpr bool check_event_types(function_signature<R>*)
{
    return true;
}
template <class R, class Ctx, class... Params>
constexpr bool check_event_types(function_signature<R, Ctx, Params...>*)
{
    return (check_parameter_type<std::remove_cvref_t<Params>>() && ...) &&
           check_result_type<std::remove_cvref_t<handler_value_t<R>>>();
}

/// The auth type of a connect handler converts (a boost::json::object is
/// taken as it is).
template <class R, class... Params>
constexpr bool check_connect_types(function_signature<R, Params...>*)
{
    if constexpr (sizeof...(Params) == 2) {
        using auth = std::remove_cvref_t<std::tuple_element_t<1, std::tuple<Params...>>>;
        if constexpr (!std::is_same_v<auth, boost::json::object> && !std::is_same_v<auth, binary> &&
                      !std::is_same_v<auth, arguments>)
            return check_parameter_type<auth>();
    }
    return true;
}

/// A member function bound to its object, as a callable with the member's
/// parameters. The object lives as long as the handler.
template <class MemberFn, class Signature = signature_of<MemberFn>>
struct bound_member;

template <class MemberFn, class R, class... A>
struct bound_member<MemberFn, function_signature<R, A...>> {
    std::shared_ptr<typename callable_traits<MemberFn>::class_type> object;
    MemberFn fn;

    R operator()(A... a) const { return ((*object).*fn)(std::forward<A>(a)...); }
};

} // namespace detail

/// Adapts a typed event handler `(context&, Params...)` returning R or
/// awaitable<R> (see the rules above) to both forms a namespace stores,
/// which share the one copy of `f`: `async` always, and `sync` when R is not
/// an awaitable. An event_handler is taken as the `async` form alone.
/// Throws std::invalid_argument for a null function pointer.
template <class F>
event_handler_forms make_event_handler_forms(F&& f)
{
    using fn_type = std::decay_t<F>;
    if constexpr (std::is_same_v<fn_type, event_handler>) {
        return {std::forward<F>(f), {}};
    } else if constexpr (detail::has_handler_signature<fn_type>()) {
        // Checked first, so that a type without a JSON conversion stops at
        // its static_assert instead of failing deep inside Boost.JSON.
        if constexpr (detail::check_event_types(static_cast<detail::signature_of<fn_type>*>(nullptr))) {
            using adapter = detail::event_adapter<fn_type>;
            auto fn = detail::share_handler(std::forward<F>(f));
            // Not a coroutine: run() copies `fn` into its own frame, so the
            // invocation does not depend on this std::function living on.
            event_handler_forms forms{[fn](context& ctx, arguments&& args) { return adapter::run(fn, ctx, std::move(args)); },
                                      {}};
            if constexpr (adapter::synchronous)
                forms.sync = [fn](context& ctx, arguments&& args) { adapter::run_now(*fn, ctx, std::move(args)); };
            return forms;
        } else {
            return {};
        }
    } else {
        return {};
    }
}

/// The `async` form of make_event_handler_forms: the handler as a coroutine.
template <class F>
event_handler make_event_handler(F&& f)
{
    return make_event_handler_forms(std::forward<F>(f)).async;
}

/// Adapts a connect handler or middleware: `(context&)` or `(context&, Auth)`,
/// returning connect_verdict, bool or void, or an awaitable of one. Auth
/// converts from ctx.handshake().auth by boost::json::try_value_to (a
/// boost::json::object takes it as it is; std::optional<T> is empty when the
/// client sent no auth); when it does not convert, the connection is refused
/// with `{"message":"invalid auth"}` and the handler does not run. `false`
/// refuses with `{"message":"unauthorized"}`; void accepts.
template <class F>
connect_handler make_connect_handler(F&& f)
{
    using fn_type = std::decay_t<F>;
    if constexpr (std::is_same_v<fn_type, connect_handler>) {
        return std::forward<F>(f);
    } else if constexpr (detail::has_handler_signature<fn_type>()) {
        if constexpr (detail::check_connect_types(static_cast<detail::signature_of<fn_type>*>(nullptr))) {
            return [fn = detail::share_handler(std::forward<F>(f))](context& ctx) {
                return detail::connect_adapter<fn_type>::run(fn, ctx);
            };
        } else {
            return {};
        }
    } else {
        return {};
    }
}

/// Adapts a disconnect handler: `(context&)` or `(context&,
/// disconnect_reason)`, returning void or awaitable<void>.
template <class F>
disconnect_handler make_disconnect_handler(F&& f)
{
    using fn_type = std::decay_t<F>;
    if constexpr (std::is_same_v<fn_type, disconnect_handler>) {
        return std::forward<F>(f);
    } else if constexpr (detail::has_handler_signature<fn_type>()) {
        return [fn = detail::share_handler(std::forward<F>(f))](context& ctx, disconnect_reason reason) {
            return detail::disconnect_adapter<fn_type>::run(fn, ctx, reason);
        };
    } else {
        return {};
    }
}

/// One handler of a class-based namespace: `corio::member("event", &C::fn)`,
/// where `fn` is a (const) member function `R (C::*)(context&, Params...)`
/// with the same parameter and result rules as make_event_handler. A class
/// lists its handlers for nsp::mount as
/// `static inline const auto handlers = std::tuple{corio::member("create_room", &lobby::create_room), ...};`
template <class MemberFn>
struct member_handler {
    static_assert(std::is_member_function_pointer_v<MemberFn>, "corio::member takes &C::function");
    using class_type = typename detail::callable_traits<MemberFn>::class_type;

    std::string event;
    MemberFn fn;

    /// The handler calling `fn` on `object`; the handler shares ownership of
    /// `object`, so a member coroutine's `this` stays valid while it runs.
    event_handler bind(std::shared_ptr<class_type> object) const { return bind_forms(std::move(object)).async; }
    /// bind(), in both forms (see make_event_handler_forms).
    event_handler_forms bind_forms(std::shared_ptr<class_type> object) const
    {
        if (!object)
            throw std::invalid_argument("corio: member handler bound to no object");
        return make_event_handler_forms(detail::bound_member<MemberFn>{std::move(object), fn});
    }
};

template <class MemberFn>
member_handler<MemberFn> member(std::string_view event, MemberFn fn)
{
    return {std::string(event), fn};
}

} // namespace corio
