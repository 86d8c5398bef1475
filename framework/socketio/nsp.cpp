#include <corio/nsp.hpp>

#include "socketio/await_callback.hpp"
#include "socketio/cluster_requests.hpp"
#include "socketio/namespace_state.hpp"

namespace corio {

const std::string& nsp::name() const noexcept { return state_->name(); }

nsp& nsp::on_event(std::string event, event_handler handler)
{
    return on_event(std::move(event), event_handler_forms{std::move(handler), {}});
}

nsp& nsp::on_event(std::string event, event_handler_forms handler)
{
    state_->handlers.insert_or_assign(std::move(event), std::move(handler));
    return *this;
}

nsp& nsp::on_any_outgoing(outgoing_handler handler)
{
    state_->outgoing.push_back(std::move(handler));
    return *this;
}

nsp& nsp::on_error(error_handler handler)
{
    state_->on_error = std::move(handler);
    return *this;
}

nsp& nsp::concurrent_handlers(bool on)
{
    state_->concurrent = on;
    return *this;
}

nsp& nsp::state_recovery(state_recovery_options options)
{
    state_->recovery_override = std::move(options);
    return *this;
}

nsp& nsp::set_connect(connect_handler h)
{
    state_->on_connect = std::move(h);
    return *this;
}

nsp& nsp::add_middleware(connect_handler h)
{
    state_->middlewares.push_back(std::move(h));
    return *this;
}

nsp& nsp::set_disconnect(disconnect_handler h)
{
    state_->on_disconnect = std::move(h);
    return *this;
}

nsp& nsp::set_any(event_handler h)
{
    state_->any = std::move(h);
    return *this;
}

nsp& nsp::set_fallback(event_handler h)
{
    state_->fallback = std::move(h);
    return *this;
}

broadcast_operator nsp::to(std::string room) const { return all().to(std::move(room)); }

broadcast_operator nsp::except(std::string room) const { return all().except(std::move(room)); }

broadcast_operator nsp::all() const { return broadcast_operator(state_); }

std::vector<std::string> nsp::rooms() const
{
    auto rooms = state_->adapter().local_rooms();
    // Every socket's own room is named by its id: leave those out.
    std::erase_if(rooms, [&](const std::string& room) { return state_->find(room) != nullptr; });
    return rooms;
}

std::size_t nsp::socket_count() const { return state_->size(); }

nsp& nsp::on_server_event(std::string event, server_event_handler handler)
{
    state_->server_handlers.insert_or_assign(std::move(event), std::move(handler));
    return *this;
}

namespace {

arguments with_event_name(std::string_view event, arguments args)
{
    auto named = arguments::of(std::string(event));
    named.push_back(std::move(args));
    return named;
}

using replies = boost::system::result<std::vector<arguments>>;

// Owns copies of what it needs (see broadcast_operator.cpp); not a coroutine.
boost::asio::awaitable<replies> emit_to_servers(std::shared_ptr<detail::namespace_state> nsp, arguments args)
{
    return detail::await_callback<replies>([nsp, args = std::move(args)](auto done) {
        auto sink = std::make_shared<detail::reply_collector<arguments>>(nsp->context().executor(), std::move(done));
        sink->start(nsp->context().options().cluster_timeout, make_error_code(error::cluster_timeout));
        nsp->adapter().server_side_emit(args, sink);
    });
}

} // namespace

void nsp::server_side_emit_arguments(std::string_view event, arguments args) const
{
    state_->adapter().server_side_emit(with_event_name(event, std::move(args)), nullptr);
}

boost::asio::awaitable<replies> nsp::server_side_emit_with_ack_arguments(std::string_view event,
                                                                        arguments args) const
{
    return emit_to_servers(state_, with_event_name(event, std::move(args)));
}

} // namespace corio
