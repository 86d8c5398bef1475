#pragma once
// What a handler gets: its socket, plus the event being handled.

#include <corio/detail/json_checks.hpp>
#include <corio/socket_ref.hpp>

#include <optional>

namespace corio {

namespace detail {
class ack_sender;
}

/// The handler's context, the C++ form of Flask-SocketIO's request context:
/// an explicit parameter, valid across co_await for the whole handler.
///
/// @par Thread safety
/// As socket_ref. The context itself belongs to one handler invocation.
class context : public socket_ref {
public:
    context(socket_ref socket, std::string event, std::optional<std::uint64_t> ack_id);

    /// The event being handled ("connect" in a connect handler,
    /// "disconnect" in a disconnect handler).
    const std::string& event() const noexcept { return event_; }

    /// The client asked for an acknowledgement.
    bool wants_ack() const noexcept { return ack_id_.has_value() && !acked_; }

    /// Sends the acknowledgement explicitly (at most once; later calls and
    /// calls when no ack was asked for do nothing). A handler that returns a
    /// value acknowledges with it instead. Arguments as socket_ref::emit's.
    template <class... Args>
    void ack(Args&&... args)
    {
        if constexpr (detail::check_emitted<Args...>())
            ack_arguments(arguments::of(std::forward<Args>(args)...));
    }
    void ack_arguments(arguments args);

private:
    std::string event_;
    std::optional<std::uint64_t> ack_id_;
    bool acked_ = false;
};

} // namespace corio
