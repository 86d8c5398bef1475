#include "socketio/client_state.hpp"

#include <corio/engine/session_id.hpp>

#include "socketio/arguments_access.hpp"
#include "socketio/namespace_state.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/string.hpp>
#include <boost/url/parse.hpp>

namespace corio::detail {

namespace net = boost::asio;
namespace json = boost::json;
using protocol::socket_packet;
using protocol::socket_packet_type;

namespace {

/// Socket.IO protocol v4 (socket.io-client 2.x) has no CONNECT payload: a
/// client's auth comes as a query after the namespace (`40/admin?token=x`).
/// As socket.io does, the namespace is the part before `?` and the query's
/// parameters (decoded, the last of a repeated name winning) are the auth.
void split_v4_namespace(socket_packet& p)
{
    p.data.reset();
    const auto q = p.nsp.find('?');
    if (q == std::string::npos)
        return;
    json::object auth;
    // The view parses `target` in place: it must outlive the loop.
    const std::string target = "/?" + p.nsp.substr(q + 1);
    // A query that is not valid URL syntax carries no auth.
    if (auto url = boost::urls::parse_origin_form(target)) {
        for (auto param : url->params())
            auth[param.key] = param.value;
    }
    p.nsp.resize(q);
    p.data = std::move(auth);
}

/// socket.io's socket id for protocol v4 clients: the Engine.IO id on `/`,
/// `<nsp>#<engine id>` elsewhere.
std::string v4_socket_id(const std::string& nsp, const std::string& engine_id)
{
    return nsp == "/" ? engine_id : nsp + "#" + engine_id;
}

} // namespace

client_state::client_state(std::shared_ptr<server_context> context, std::shared_ptr<namespace_registry> namespaces,
                           std::shared_ptr<engine::session> session)
    : context_(std::move(context)),
      namespaces_(std::move(namespaces)),
      session_(std::move(session))
{
}

void client_state::start()
{
    // Protocol v4 clients are connected to `/` at once; they never ask.
    if (session_->protocol_version() == 3)
        connect(socket_packet::connect("/"));
    connect_timer_ = std::make_unique<timer>(session_->get_executor());
    connect_timer_->expires_after(context_->options().connect_timeout);
    connect_timer_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
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
    if (!decoder_) {
        if (attachment_timer_armed_) {
            attachment_timer_armed_ = false;
            attachment_timer_->cancel();
        }
        return;
    }
    if (attachment_timer_armed_)
        return;
    attachment_timer_armed_ = true;
    const auto packet = ++attachment_packet_;
    if (!attachment_timer_)
        attachment_timer_ = std::make_unique<timer>(session_->get_executor());
    attachment_timer_->expires_after(context_->options().limits.attachment_timeout);
    attachment_timer_->async_wait([self = shared_from_this(), packet](boost::system::error_code ec) {
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
    std::optional<protocol::socket_packet_decoder> fresh;
    auto* decoder = decoder_.get();
    if (!decoder)
        decoder = &fresh.emplace(context_->options().engine.limits, context_->options().parser);
    // A plain event's arguments stay text until a handler reads them
    // (corio/arguments.hpp), so that an echo never parses them.
    decoder->keep_argument_text(true);
    auto decoded = message.binary ? decoder->on_binary(std::move(message.data))
                                  : decoder->on_text(std::move(message.data));
    if (!decoder->awaiting_attachments())
        decoder_.reset();
    else if (fresh)
        decoder_ = std::make_unique<protocol::socket_packet_decoder>(std::move(*fresh));
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
            auto [event, args] = arguments_access::take_event(p);
            it->second->on_event(std::move(event), std::move(args), p.id);
        }
        return;
    case socket_packet_type::ack:
    case socket_packet_type::binary_ack:
        if (it != sockets_.end())
            it->second->on_ack(*p.id, arguments_access::take_ack(p));
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
    const bool v4_client = session_->protocol_version() == 3;
    if (v4_client)
        split_v4_namespace(p);
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
    auto id = v4_client ? v4_socket_id(p.nsp, session_->id()) : engine::make_session_id();
    auto s = std::make_shared<socket_state>(nsp, shared_from_this(), session_, std::move(id), std::move(hs));
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
    connect_timer_.reset();
    attachment_timer_.reset();
    auto why = close_why_ ? *close_why_ : to_disconnect_reason(reason);
    for (auto& [name, s] : std::exchange(sockets_, {}))
        s->disconnect_now(why, false);
}

} // namespace corio::detail
