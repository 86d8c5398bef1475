#include <corio/broadcast_operator.hpp>
#include <corio/context.hpp>
#include <corio/detail/report.hpp>
#include <corio/socket_ref.hpp>

#include "socketio/await_callback.hpp"
#include "socketio/namespace_state.hpp"
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

const std::string& socket_ref::client_id() const noexcept { return state_->session().id(); }

bool socket_ref::recovered() const noexcept
{
    return state_->recovered();
}

void socket_ref::emit_arguments(std::string_view event, arguments args) const
{
    auto& nsp = state_->nsp();
    auto packet =
        protocol::socket_packet::event(nsp.name(), event, std::move(args.values()), std::move(args.attachments()));
    // As socket.io with connectionStateRecovery: the adapter stamps and keeps it.
    if (nsp.recovery().enabled && state_->connected()) {
        broadcast_options to_self;
        to_self.rooms.insert(state_->id());
        nsp.adapter().broadcast(packet, to_self);
        return;
    }
    state_->emit_packet(packet, nsp.context().encode(packet), false);
}

net::awaitable<ack_result> socket_ref::emit_with_ack_arguments(std::chrono::milliseconds timeout,
                                                               std::string_view event, arguments args) const
{
    // The awaitable owns copies of what it needs: it may run after this
    // socket_ref is gone. Not a coroutine: g++ 12 mishandles lambdas with
    // init-captures inside coroutines.
    return detail::await_callback<ack_result>(
        [s = state_, event = std::string(event), args = std::move(args), timeout](auto done) mutable {
            net::dispatch(s->session().get_executor(), [s, event = std::move(event), args = std::move(args), timeout,
                                                        done = std::move(done)]() mutable {
                s->emit_with_ack(event, std::move(args), timeout, std::move(done));
            });
        });
}

net::awaitable<ack_result> socket_ref::emit_with_ack_arguments(std::string_view event, arguments args) const
{
    return emit_with_ack_arguments(state_->nsp().context().options().ack_timeout, event, std::move(args));
}

boost::system::result<void> socket_ref::join(std::string room) const
{
    auto& nsp = state_->nsp();
    if (nsp.adapter().try_join(state_->id(), room, nsp.context().options().limits.max_rooms_per_socket))
        return {};
    nsp.context().count_room_limit();
    if (nsp.context().log_enabled(log_level::info)) {
        nsp.context().log({.level = log_level::info,
                           .message = "join refused: too many rooms",
                           .sid = state_->session().id(),
                           .socket = state_->id(),
                           .nsp = nsp.name(),
                           .remote = state_->get_handshake().address()});
    }
    return error::too_many_rooms;
}

void socket_ref::leave(const std::string& room) const { state_->nsp().adapter().leave(state_->id(), room); }

std::vector<std::string> socket_ref::rooms() const { return state_->nsp().adapter().rooms_of(state_->id()); }

boost::json::value socket_ref::shared_data() const { return state_->shared_data(); }

void socket_ref::set_shared_data(boost::json::value data) const { state_->set_shared_data(std::move(data)); }

broadcast_operator socket_ref::to(std::string room) const { return broadcast().to(std::move(room)); }

broadcast_operator socket_ref::broadcast() const
{
    broadcast_operator op(state_->nsp().shared_from_this());
    op.self_ = state_->id();
    return op;
}

broadcast_operator socket_ref::compress(bool on) const
{
    return to(id()).include_self().local().compress(on);
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
    // A synchronous handler acks on the session's strand: send at once,
    // without moving the arguments into a handler for dispatch to run.
    if (state_->session().get_executor().running_in_this_thread()) {
        state_->send_ack(*ack_id_, std::move(args));
        return;
    }
    net::dispatch(state_->session().get_executor(), [s = state_, id = *ack_id_, args = std::move(args)]() mutable {
        s->send_ack(id, std::move(args));
    });
}

void detail::report_argument_error(context& ctx, std::string_view message)
{
    auto& server = ctx.state_->nsp().context();
    server.count_argument_error();
    // Info, not warning: a client can send such packets as fast as it likes.
    // The message names the position and the type expected, never a string
    // the client sent.
    if (server.log_enabled(log_level::info)) {
        server.log({.level = log_level::info,
                    .message = "invalid arguments",
                    .sid = ctx.state_->session().id(),
                    .socket = ctx.id(),
                    .nsp = ctx.state_->nsp().name(),
                    .remote = ctx.state_->get_handshake().address(),
                    .event = ctx.event(),
                    .error = message});
    }
    boost::json::object error{{"error", "invalid arguments"}, {"event", ctx.event()}, {"message", message}};
    if (ctx.wants_ack())
        ctx.ack(std::move(error));
    else if (!server.options().argument_error_event.empty())
        ctx.emit(server.options().argument_error_event, std::move(error));
}

} // namespace corio
