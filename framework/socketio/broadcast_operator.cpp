#include <corio/broadcast_operator.hpp>

#include "socketio/await_callback.hpp"
#include "socketio/cluster_requests.hpp"
#include "socketio/namespace_state.hpp"

namespace corio {

namespace net = boost::asio;
using protocol::socket_packet;
using void_result = boost::system::result<void>;

broadcast_operator broadcast_operator::to(std::string room) const
{
    auto op = *this;
    op.opts_.rooms.insert(std::move(room));
    return op;
}

broadcast_operator broadcast_operator::except(std::string room) const
{
    auto op = *this;
    op.opts_.except.insert(std::move(room));
    return op;
}

broadcast_operator broadcast_operator::include_self() const
{
    auto op = *this;
    op.self_.reset();
    return op;
}

broadcast_operator broadcast_operator::volatile_() const
{
    auto op = *this;
    op.opts_.is_volatile = true;
    return op;
}

broadcast_operator broadcast_operator::compress(bool on) const
{
    auto op = *this;
    op.opts_.compress = on;
    return op;
}

broadcast_operator broadcast_operator::local() const
{
    auto op = *this;
    op.opts_.local = true;
    return op;
}

broadcast_options broadcast_operator::options() const
{
    if (!self_)
        return opts_;
    auto opts = opts_;
    opts.except.insert(*self_);
    return opts;
}

void broadcast_operator::emit_arguments(std::string_view event, arguments args) const
{
    nsp_->context().count_broadcast();
    nsp_->adapter().broadcast(
        socket_packet::event(nsp_->name(), event, std::move(args.values()), std::move(args.attachments())), options());
}

namespace {

// The awaitables below own copies of what they need: they may run after the
// operator they came from is gone. The lambdas are built outside coroutines:
// g++ 12 mishandles lambdas with init-captures inside coroutines.

net::awaitable<broadcast_ack_result> broadcast_with_ack(std::shared_ptr<detail::namespace_state> nsp,
                                                        broadcast_options opts, std::chrono::milliseconds timeout,
                                                        socket_packet packet)
{
    return detail::await_callback<broadcast_ack_result>(
        [nsp, opts = std::move(opts), timeout, packet = std::move(packet)](auto done) {
            auto sink = std::make_shared<detail::broadcast_ack_collector>(nsp->context().executor(), std::move(done));
            sink->start(timeout, make_error_code(error::ack_timeout));
            nsp->adapter().broadcast_with_ack(packet, opts, timeout, sink);
        });
}

using socket_infos = boost::system::result<std::vector<std::vector<socket_info>>>;

net::awaitable<socket_infos> fetch_replies(std::shared_ptr<detail::namespace_state> nsp, broadcast_options opts)
{
    return detail::await_callback<socket_infos>([nsp, opts = std::move(opts)](auto done) {
        auto sink = std::make_shared<detail::reply_collector<std::vector<socket_info>>>(nsp->context().executor(),
                                                                                         std::move(done));
        sink->start(nsp->context().options().cluster_timeout, make_error_code(error::cluster_timeout));
        nsp->adapter().fetch_sockets(opts, sink);
    });
}

} // namespace

net::awaitable<fetch_result> broadcast_operator::fetch(std::shared_ptr<detail::namespace_state> nsp,
                                                       broadcast_options opts)
{
    auto replies = co_await fetch_replies(nsp, std::move(opts));
    if (!replies)
        co_return replies.error();
    std::vector<remote_socket> sockets;
    for (auto& reply : *replies)
        for (auto& info : reply)
            sockets.push_back(remote_socket(nsp, std::move(info)));
    co_return sockets;
}

namespace {

// Runs one fire-and-forget adapter operation and waits for its completion.
template <class Start>
net::awaitable<void_result> complete(Start start)
{
    return detail::await_callback<void_result>([start = std::move(start)](auto done) mutable {
        start([done = std::move(done)](boost::system::error_code ec) {
            done(ec ? void_result(ec) : void_result());
        });
    });
}

} // namespace

net::awaitable<broadcast_ack_result> broadcast_operator::emit_with_ack_arguments(std::chrono::milliseconds timeout,
                                                                               std::string_view event,
                                                                               arguments args) const
{
    nsp_->context().count_broadcast();
    return broadcast_with_ack(
        nsp_, options(), timeout,
        socket_packet::event(nsp_->name(), event, std::move(args.values()), std::move(args.attachments())));
}

net::awaitable<broadcast_ack_result> broadcast_operator::emit_with_ack_arguments(std::string_view event,
                                                                               arguments args) const
{
    return emit_with_ack_arguments(nsp_->context().options().ack_timeout, event, std::move(args));
}

net::awaitable<fetch_result> broadcast_operator::fetch_sockets() const
{
    return fetch(nsp_, options());
}

void broadcast_operator::sockets_join(std::string room) const
{
    nsp_->adapter().add_sockets(options(), {std::move(room)}, {});
}

net::awaitable<void_result> broadcast_operator::async_sockets_join(std::string room) const
{
    return complete([nsp = nsp_, opts = options(), room = std::move(room)](adapter_completion done) {
        nsp->adapter().add_sockets(opts, {room}, std::move(done));
    });
}

void broadcast_operator::sockets_leave(std::string room) const
{
    nsp_->adapter().del_sockets(options(), {std::move(room)}, {});
}

net::awaitable<void_result> broadcast_operator::async_sockets_leave(std::string room) const
{
    return complete([nsp = nsp_, opts = options(), room = std::move(room)](adapter_completion done) {
        nsp->adapter().del_sockets(opts, {room}, std::move(done));
    });
}

void broadcast_operator::disconnect_sockets(bool close_connection) const
{
    nsp_->adapter().disconnect_sockets(options(), close_connection, {});
}

net::awaitable<void_result> broadcast_operator::async_disconnect_sockets(bool close_connection) const
{
    return complete([nsp = nsp_, opts = options(), close_connection](adapter_completion done) {
        nsp->adapter().disconnect_sockets(opts, close_connection, std::move(done));
    });
}

// remote_socket ------------------------------------------------------------------

broadcast_operator remote_socket::only_this() const
{
    return broadcast_operator(nsp_).to(info_.id);
}

void remote_socket::emit_arguments(std::string_view event, arguments args) const
{
    only_this().emit_arguments(event, std::move(args));
}

void remote_socket::join(std::string room) const { only_this().sockets_join(std::move(room)); }

void remote_socket::leave(std::string room) const { only_this().sockets_leave(std::move(room)); }

void remote_socket::disconnect(bool close_connection) const { only_this().disconnect_sockets(close_connection); }

} // namespace corio
