#include <corio/broadcast_operator.hpp>
#include <corio/context.hpp>
#include <corio/detail/report.hpp>
#include <corio/socket_ref.hpp>

#include "socketio/namespace_state.hpp"
#include "socketio/server_state.hpp"
#include "socketio/socket_state.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace corio {

namespace net = boost::asio;

const std::string& socket_ref::id() const noexcept { return state_->id(); }

const std::string& socket_ref::nsp() const noexcept { return state_->nsp().name(); }

const corio::handshake& socket_ref::handshake() const noexcept { return state_->get_handshake(); }

bool socket_ref::connected() const noexcept { return state_->connected(); }

engine::transport_kind socket_ref::transport() const noexcept { return state_->session().transport(); }

void socket_ref::emit_arguments(std::string_view event, arguments args) const
{
    state_->nsp().notify_outgoing(*this, event, args);
    state_->deliver(detail::encode(detail::make_event_packet(state_->nsp().name(), event, std::move(args))));
}

namespace {

// A free coroutine owning copies of what it needs: the returned awaitable may
// run after the socket_ref it came from is gone.
net::awaitable<ack_result> emit_with_ack_on_strand(std::shared_ptr<detail::socket_state> s, std::string event,
                                                   arguments args, std::chrono::milliseconds limit)
{
    co_return co_await net::co_spawn(s->session().get_executor(),
                                     s->emit_with_ack(std::move(event), std::move(args), limit), net::use_awaitable);
}

} // namespace

net::awaitable<ack_result> socket_ref::emit_with_ack_arguments(std::string_view event, arguments args,
                                                               std::optional<std::chrono::milliseconds> timeout) const
{
    auto limit = timeout.value_or(state_->nsp().server().options().ack_timeout);
    return emit_with_ack_on_strand(state_, std::string(event), std::move(args), limit);
}

void socket_ref::join(std::string room) const { state_->nsp().adapter().join(state_->id(), room); }

void socket_ref::leave(const std::string& room) const { state_->nsp().adapter().leave(state_->id(), room); }

std::vector<std::string> socket_ref::rooms() const { return state_->nsp().adapter().rooms_of(state_->id()); }

broadcast_operator socket_ref::to(std::string room) const { return broadcast().to(std::move(room)); }

broadcast_operator socket_ref::broadcast() const
{
    broadcast_operator op(state_->nsp().shared_from_this());
    op.self_ = state_->id();
    return op;
}

void socket_ref::disconnect() const { state_->request_disconnect(disconnect_reason::server_disconnect, true); }

std::shared_ptr<void>& socket_ref::data_slot(const void* type_key) const { return state_->data_slot(type_key); }

context::context(socket_ref socket, std::string event, std::optional<std::uint64_t> ack_id)
    : socket_ref(std::move(socket)), event_(std::move(event)), ack_id_(ack_id)
{
}

void context::ack_arguments(arguments args)
{
    if (!wants_ack())
        return;
    acked_ = true;
    net::dispatch(state_->session().get_executor(), [s = state_, id = *ack_id_, args = std::move(args)]() mutable {
        s->send_ack(id, std::move(args));
    });
}

void detail::report_argument_error(context& ctx, std::string_view message)
{
    auto& server = ctx.state_->nsp().server();
    ++server.argument_errors;
    server.log(log_level::warning, "socket " + ctx.id() + ": " + std::string(message));
    boost::json::object error{{"error", "invalid arguments"}, {"event", ctx.event()}, {"message", message}};
    if (ctx.wants_ack())
        ctx.ack(std::move(error));
    else if (!server.options().argument_error_event.empty())
        ctx.emit(server.options().argument_error_event, std::move(error));
}

} // namespace corio
