#pragma once
// The executor of a plain WebSocket's socket: the session's strand, which an
// any_io_executor holding that strand converts to.
//
// A connection is accepted as a tcp::socket on its own strand, type-erased
// (Beast's tcp_stream needs an any_io_executor). A new session keeps that
// strand, and basic_socket's converting move needs the source executor to
// convert to the target's: with this type, the accepted socket moves into
// the session's as it is, still registered with the reactor, where a
// release and assign would cost a getsockname and an epoll delete and add
// per connection.

#include <corio/engine/session.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <cassert>
#include <concepts>

namespace corio::engine::detail {

class socket_strand : public session::executor_type {
public:
    socket_strand(const session::executor_type& strand) noexcept : session::executor_type(strand) {}

    /// Only for an executor that holds a session strand (holds_strand).
    /// Exactly an any_io_executor: a constructor from anything convertible
    /// to one would make checking this type's copy depend on itself.
    template <std::same_as<boost::asio::any_io_executor> Erased>
    socket_strand(const Erased& ex) noexcept : session::executor_type(*ex.template target<session::executor_type>())
    {
        assert(holds_strand(ex));
    }

    static bool holds_strand(const boost::asio::any_io_executor& ex) noexcept
    {
        return ex.target<session::executor_type>() != nullptr;
    }
};

} // namespace corio::engine::detail
