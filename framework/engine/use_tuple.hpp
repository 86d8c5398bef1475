#pragma once
// The completion token of the engine's coroutines: an operation's error comes
// back in its result, for the caller to look at, rather than as an exception.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace corio::engine::detail {

inline constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);

} // namespace corio::engine::detail
