#include "socketio/client_state.hpp"

#include <corio/engine/session_id.hpp>

#include "socketio/namespace_state.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/string.hpp>

namespace corio::detail {

namespace net = boost::asio;
namespace json = boost::json;
using protocol::socket_packet;
using protocol::socket_packet_type;

client_state::client_state(std::shared_ptr<server_context> context, std::shared_ptr<namespace_registry> namespaces,
                           std::shared_ptr<engine::session> session)
    : context_(std::move(context)),
      namespaces_(std::move(namespaces)),
      session_(std::move(session)),
      decoder_(context_->options().engine.limits, context_->options().parser),
      connect_timer_(session_->get_executor()),
      attachment_timer_(session_->get_executor())
{
}

void client_state::start()
{
    connect_timer_.expires_after(context_->options().connect_timeout);
    connect_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (ec || self->closed_ || self->ever_connected_)
            return;
        if (self->sockets_.empty())
            self->session_->close(engine::close_reason::server_close);
        else
            self->connect_deadline_passed_ = true; // decided in forget()
    });
}

void client_state::fail(engine::close_reason reason)
{
    // The peer's packet stream can no longer be trusted: end the connection.
    session_->close(reason);
}

void client_state::close_for(disconnect_reason why, engine::close_reason reason)
{
    if (closed_ || close_why_)
        return;
    close_why_ = why;
    if (context_->log_enabled(log_level::warning)) {
        context_->log({.level = log_level::warning,
                       .message = "closing the connection: over a limit",
                       .sid = session_->id(),
                       .remote = session_->request().remote_address,
                       .reason = to_string(why)});
    }
    session_->close(reason);
}

void client_state::watch_attachments()
{
    if (!decoder_.awaiting_attachments()) {
        if (attachment_timer_armed_) {
            attachment_timer_armed_ = false;
            attachment_timer_.cancel();
        }
        return;
    }
    if (attachment_timer_armed_)
        return;
    attachment_timer_armed_ = true;
    const auto packet = ++attachment_packet_;
    attachment_timer_.expires_after(context_->options().limits.attachment_timeout);
    attachment_timer_.async_wait([self = shared_from_this(), packet](boost::system::error_code ec) {
        if (ec || self->closed_ || self->attachment_packet_ != packet || !self->attachment_timer_armed_)
            return;
        self->attachment_timer_armed_ = false;
        self->context_->count_attachment_timeout();
        self->close_for(disconnect_reason::attachment_timeout, engine::close_reason::server_close);
    });
}

void client_state::on_message(protocol::packet&& message)
{
    if (closed_ || close_why_)
        return;
    auto decoded = message.binary ? decoder_.on_binary(std::move(message.data)) : decoder_.on_text(message.data);
    watch_attachments();
    if (!decoded && decoded.error() == protocol::error::attachments_too_large) {
        context_->count_attachments_too_large();
        close_for(disconnect_reason::attachments_too_large, engine::close_reason::payload_too_large);
        return;
    }
    if (!decoded) {
        if (context_->log_enabled(log_level::warning)) {
            auto why = decoded.error().message();
            context_->log({.level = log_level::warning,
                           .message = "closing the connection: malformed packet",
                           .sid = session_->id(),
                           .remote = session_->request().remote_address,
                           .error = why});
        }
        fail(engine::close_reason::parse_error);
        return;
    }
    if (*decoded)
        on_packet(std::move(**decoded));
}

void client_state::on_packet(socket_packet&& p)
{
    if (p.type == socket_packet_type::connect) {
        connect(std::move(p));
        return;
    }
    auto it = sockets_.find(p.nsp);
    switch (p.type) {
    case socket_packet_type::disconnect:
        if (it != sockets_.end()) {
            auto s = it->second; // disconnect() makes the client forget it
            s->disconnect_now(disconnect_reason::client_disconnect, false);
        }
        return;
    case socket_packet_type::event:
    case socket_packet_type::binary_event:
        if (it != sockets_.end()) {
            auto& values = p.data->as_array();
            std::string event(values.front().as_string());
            json::array args(values.begin() + 1, values.end());
            it->second->on_event(std::move(event), arguments(std::move(args), std::move(p.attachments)), p.id);
        }
        return;
    case socket_packet_type::ack:
    case socket_packet_type::binary_ack:
        if (it != sockets_.end())
            it->second->on_ack(*p.id, arguments(std::move(p.data->as_array()), std::move(p.attachments)));
        return;
    case socket_packet_type::connect:
    case socket_packet_type::connect_error:
        break;
    }
    // A client never sends CONNECT_ERROR.
    fail(engine::close_reason::parse_error);
}

void client_state::refuse(const std::string& nsp, json::value data)
{
    if (context_->log_enabled(log_level::info)) {
        const auto& message = data.as_object().at("message").as_string();
        context_->log({.level = log_level::info,
                       .message = "connect refused",
                       .sid = session_->id(),
                       .nsp = nsp,
                       .remote = session_->request().remote_address,
                       .reason = message});
    }
    session_->send(protocol::encode_socket_packet_messages(socket_packet::connect_error(nsp, std::move(data)),
                                                           context_->options().parser));
}

void client_state::connect(socket_packet&& p)
{
    if (sockets_.count(p.nsp))
        return; // already connected or connecting: socket.io ignores it too
    if (context_->shutting_down()) {
        refuse(p.nsp, json::object{{"message", "server shutting down"}});
        return;
    }
    if (sockets_.size() >= context_->options().limits.max_namespaces_per_connection) {
        context_->count_namespace_limit();
        refuse(p.nsp, json::object{{"message", "too many namespaces"}});
        return;
    }
    auto nsp = namespaces_->acquire_for_connect(p.nsp);
    if (!nsp) {
        refuse(p.nsp, json::object{{"message", "Invalid namespace"}});
        return;
    }
    handshake hs{session_->shared_request(), {}};
    if (p.data)
        hs.auth = std::move(p.data->as_object());
    auto s = std::make_shared<socket_state>(nsp, shared_from_this(), session_, engine::make_session_id(),
                                            std::move(hs));
    sockets_.emplace(p.nsp, s);
    net::co_spawn(session_->get_executor(), s->run_connect(), net::detached);
}

void client_state::forget(const std::string& nsp, const socket_state* s)
{
    if (auto it = sockets_.find(nsp); it != sockets_.end() && it->second.get() == s)
        sockets_.erase(it);
    // The last pending CONNECT was refused after the connect timeout.
    if (sockets_.empty() && connect_deadline_passed_ && !ever_connected_ && !closed_)
        session_->close(engine::close_reason::server_close);
}

void client_state::on_close(engine::close_reason reason)
{
    closed_ = true;
    connect_timer_.cancel();
    attachment_timer_.cancel();
    auto why = close_why_ ? *close_why_ : to_disconnect_reason(reason);
    for (auto& [name, s] : std::exchange(sockets_, {}))
        s->disconnect_now(why, false);
}

} // namespace corio::detail
