#pragma once
// The signatures of handler callables, for corio/invoke.hpp: the result and
// parameter types of a lambda, function, function pointer, functor or member
// function pointer, and what an awaitable result yields.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <type_traits>

namespace corio::detail {

/// A callable's result type and parameter types, as declared (references and
/// cv-qualifiers kept).
template <class R, class... Params>
struct function_signature {
    using result = R;
};

/// `signature`: the function_signature of T, for a function type, a function
/// pointer, a member function pointer (also `class_type`), or a class with
/// exactly one non-template operator() (lambdas, mutable lambdas,
/// std::function, functors). Empty for anything else (generic lambdas,
/// overloaded call operators), which `has_signature` tests.
template <class T>
struct callable_traits {};

template <class R, class... A>
struct callable_traits<R(A...)> {
    using signature = function_signature<R, A...>;
};
template <class R, class... A>
struct callable_traits<R(A...) noexcept> : callable_traits<R(A...)> {};
template <class R, class... A>
struct callable_traits<R (*)(A...)> : callable_traits<R(A...)> {};
template <class R, class... A>
struct callable_traits<R (*)(A...) noexcept> : callable_traits<R(A...)> {};

template <class C, class Fn>
struct member_callable_traits : callable_traits<Fn> {
    using class_type = C;
};

// Every qualification a call operator or a handler member may carry.
template <class R, class C, class... A>
struct callable_traits<R (C::*)(A...)> : member_callable_traits<C, R(A...)> {};
template <class R, class C, class... A>
struct callable_traits<R (C::*)(A...) const> : member_callable_traits<C, R(A...)> {};
template <class R, class C, class... A>
struct callable_traits<R (C::*)(A...) &> : member_callable_traits<C, R(A...)> {};
template <class R, class C, class... A>
struct callable_traits<R (C::*)(A...) const&> : member_callable_traits<C, R(A...)> {};
template <class R, class C, class... A>
struct callable_traits<R (C::*)(A...) noexcept> : member_callable_traits<C, R(A...)> {};
template <class R, class C, class... A>
struct callable_traits<R (C::*)(A...) const noexcept> : member_callable_traits<C, R(A...)> {};
template <class R, class C, class... A>
struct callable_traits<R (C::*)(A...) & noexcept> : member_callable_traits<C, R(A...)> {};
template <class R, class C, class... A>
struct callable_traits<R (C::*)(A...) const & noexcept> : member_callable_traits<C, R(A...)> {};

template <class T>
    requires std::is_class_v<T> && requires { &T::operator(); }
struct callable_traits<T> {
    using signature = typename callable_traits<decltype(&T::operator())>::signature;
};

template <class T>
concept has_signature = requires { typename callable_traits<T>::signature; };

template <class T>
using signature_of = typename callable_traits<T>::signature;

/// `boost::asio::awaitable<T>` (with the default executor): `value` is true
/// and `type` is T. Anything else is a plain (synchronous) result.
template <class R>
struct awaitable_result {
    static constexpr bool value = false;
    using type = R;
};
template <class T, class Executor>
struct awaitable_result<boost::asio::awaitable<T, Executor>> {
    static_assert(std::is_same_v<Executor, boost::asio::any_io_executor>,
                  "corio handlers return boost::asio::awaitable<T> with the default executor");
    static constexpr bool value = true;
    using type = T;
};

/// The type a handler's result finally yields: T for R = awaitable<T>, else R.
template <class R>
using handler_value_t = typename awaitable_result<R>::type;

} // namespace corio::detail
