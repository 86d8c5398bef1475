#include "socketio/socket_state.hpp"

#include "socketio/client_state.hpp"
#include "socketio/namespace_state.hpp"
#include "socketio/server_state.hpp"

#include <corio/context.hpp>
#include <corio/protocol/socket_packet.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/string.hpp>

namespace corio::detail {

namespace net = boost::asio;
namespace json = boost::json;
using protocol::socket_packet;
using protocol::socket_packet_type;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

// Runs a handler and clears the cancellation it may have received: in Boost
// 1.81, co_spawn's entry point awaits once more after the coroutine returns,
// outside its try block, and a pending cancellation (a handler that
// disconnected its own socket) would then throw out of io_context::run.
net::awaitable<void> guarded(net::awaitable<void> work)
{
    std::exception_ptr failure;
    try {
        co_await std::move(work);
    } catch (...) {
        failure = std::current_exception();
    }
    co_await net::this_coro::throw_if_cancelled(false);
    if (failure)
        std::rethrow_exception(failure);
}

} // namespace

encoded_packet encode(const socket_packet& p)
{
    return std::make_shared<const std::vector<protocol::packet>>(protocol::encode_socket_packet_messages(p));
}

socket_state::socket_state(std::shared_ptr<namespace_state> nsp, std::shared_ptr<client_state> client,
                           std::shared_ptr<engine::session> session, std::string id, handshake hs)
    : nsp_(std::move(nsp)),
      client_(client),
      session_(std::move(session)),
      id_(std::move(id)),
      handshake_(std::move(hs))
{
}

void socket_state::deliver(encoded_packet packet, bool is_volatile)
{
    net::dispatch(session_->get_executor(), [self = shared_from_this(), packet = std::move(packet), is_volatile]() mutable {
        switch (self->phase_) {
        case phase::connecting:
            if (!is_volatile)
                self->before_connect_.push_back(std::move(packet));
            else
                ++self->nsp_->server().volatile_dropped;
            break;
        case phase::connected:
            if (!is_volatile)
                self->send_now(packet);
            else if (!self->session_->send_volatile(std::move(packet)))
                ++self->nsp_->server().volatile_dropped;
            break;
        case phase::disconnected:
            break;
        }
    });
}

void socket_state::send_now(const encoded_packet& packet)
{
    session_->send_shared(packet);
}

void socket_state::request_disconnect(disconnect_reason reason, bool notify_client)
{
    net::dispatch(session_->get_executor(),
                  [self = shared_from_this(), reason, notify_client] { self->disconnect(reason, notify_client); });
}

net::awaitable<void> socket_state::run_connect()
{
    auto self = shared_from_this();
    auto client = client_.lock();
    if (!client)
        co_return;
    auto& server = nsp_->server();
    context ctx(socket_ref(self), "connect", std::nullopt);
    std::vector<const connect_handler*> chain;
    for (auto& m : server.middlewares)
        chain.push_back(&m);
    for (auto& m : nsp_->middlewares)
        chain.push_back(&m);
    if (nsp_->on_connect)
        chain.push_back(&nsp_->on_connect);

    std::optional<json::value> refusal;
    for (auto* step : chain) {
        try {
            auto verdict = co_await (*step)(ctx);
            refusal = std::move(verdict.refusal);
        } catch (const std::exception& e) {
            ++server.handler_errors;
            server.log(log_level::error, "connect handler of " + nsp_->name() + " threw: " + e.what());
            refusal = json::object{{"message", "internal error"}};
        }
        if (refusal || client->closed() || phase_ != phase::connecting)
            break;
    }
    if (client->closed() || phase_ != phase::connecting) {
        phase_ = phase::disconnected;
        co_return;
    }
    if (refusal) {
        phase_ = phase::disconnected;
        client->forget(nsp_->name(), this);
        client.reset();
        socket_packet err;
        err.type = socket_packet_type::connect_error;
        err.nsp = nsp_->name();
        err.data = std::move(*refusal);
        send_now(encode(err));
        co_return;
    }

    phase_ = phase::connected;
    connected_.store(true, std::memory_order_release);
    nsp_->add(self);
    nsp_->adapter().join(id_, id_);
    client->socket_connected();
    socket_packet ok;
    ok.type = socket_packet_type::connect;
    ok.nsp = nsp_->name();
    ok.data = json::object{{"sid", id_}};
    send_now(encode(ok));
    for (auto& p : std::exchange(before_connect_, {}))
        send_now(p);
    start_draining();
}

void socket_state::on_event(std::string event, arguments args, std::optional<std::uint64_t> ack_id)
{
    if (phase_ == phase::disconnected)
        return;
    queued_event ev{std::move(event), std::move(args), ack_id};
    if (nsp_->concurrent && phase_ == phase::connected) {
        start_handler(run_event(std::move(ev)));
        return;
    }
    queue_.push_back(std::move(ev));
    if (phase_ == phase::connected)
        start_draining();
}

void socket_state::start_draining()
{
    if (queue_empty() || draining_)
        return;
    draining_ = true;
    start_handler(drain_queue());
}

void socket_state::start_handler(net::awaitable<void> work)
{
    auto& server = nsp_->server();
    server.handler_started();
    auto it = running_.emplace(running_.end());
    net::co_spawn(session_->get_executor(), guarded(std::move(work)),
                  net::bind_cancellation_slot(it->slot(), [self = shared_from_this(), it](std::exception_ptr) {
                      self->running_.erase(it);
                      self->nsp_->server().handler_finished();
                  }));
}

net::awaitable<void> socket_state::drain_queue()
{
    auto self = shared_from_this();
    while (!queue_empty() && phase_ == phase::connected)
        co_await run_event(pop_event());
    draining_ = false;
}

socket_state::queued_event socket_state::pop_event()
{
    auto ev = std::move(queue_[queue_head_++]);
    if (queue_empty()) {
        queue_.clear();
        queue_head_ = 0;
        if (queue_.capacity() > 8)
            std::vector<queued_event>{}.swap(queue_);
    }
    return ev;
}

net::awaitable<void> socket_state::run_event(queued_event ev)
{
    auto self = shared_from_this();
    context ctx(socket_ref(self), ev.event, ev.ack_id);
    try {
        if (nsp_->any)
            co_await nsp_->any(ctx, ev.args);
        auto it = nsp_->handlers.find(ev.event);
        if (it != nsp_->handlers.end())
            co_await it->second(ctx, std::move(ev.args));
        else if (nsp_->fallback)
            co_await nsp_->fallback(ctx, std::move(ev.args));
    } catch (const boost::system::system_error& e) {
        // A handler cancelled because its socket left ends quietly.
        if (e.code() != net::error::operation_aborted || phase_ == phase::connected)
            report_failure(ctx, e.what());
    } catch (const std::exception& e) {
        report_failure(ctx, e.what());
    }
}

void socket_state::report_failure(context& ctx, std::string_view what)
{
    auto& server = nsp_->server();
    ++server.handler_errors;
    if (nsp_->on_error)
        nsp_->on_error(ctx, std::current_exception());
    else
        server.log(log_level::error, "handler of \"" + ctx.event() + "\" threw: " + std::string(what));
}

void socket_state::on_ack(std::uint64_t id, arguments args)
{
    auto it = acks_.find(id);
    if (it == acks_.end())
        return; // late or unknown: the waiter timed out
    it->second->answer = std::move(args);
    it->second->timer.cancel();
    acks_.erase(it);
}

net::awaitable<ack_result> socket_state::emit_with_ack(std::string event, arguments args,
                                                       std::chrono::milliseconds timeout)
{
    auto self = shared_from_this();
    if (phase_ == phase::disconnected)
        co_return make_error_code(error::socket_disconnected);
    auto id = next_ack_id_++;
    auto waiter = std::make_shared<ack_waiter>(session_->get_executor());
    acks_.emplace(id, waiter);
    nsp_->notify_outgoing(socket_ref(self), event, args);
    auto packet = encode(make_event_packet(nsp_->name(), event, std::move(args), id));
    if (phase_ == phase::connected)
        send_now(packet);
    else
        before_connect_.push_back(std::move(packet));
    waiter->timer.expires_after(timeout);
    co_await waiter->timer.async_wait(use_tuple);
    acks_.erase(id);
    if (waiter->answer)
        co_return std::move(*waiter->answer);
    co_return make_error_code(waiter->disconnected ? error::socket_disconnected : error::ack_timeout);
}

void socket_state::send_ack(std::uint64_t id, arguments args)
{
    if (phase_ != phase::connected)
        return;
    socket_packet p;
    p.type = socket_packet_type::ack;
    p.nsp = nsp_->name();
    p.id = id;
    p.data = std::move(args.values());
    p.attachments = std::move(args.attachments());
    send_now(encode(p));
}

void socket_state::disconnect(disconnect_reason reason, bool notify_client)
{
    if (phase_ == phase::disconnected)
        return;
    bool was_connected = phase_ == phase::connected;
    phase_ = phase::disconnected;
    // The client may connect to this namespace again.
    if (auto client = client_.lock())
        client->forget(nsp_->name(), this);
    connected_.store(false, std::memory_order_release);
    before_connect_.clear();
    queue_.clear();
    queue_head_ = 0;
    for (auto& signal : running_)
        signal.emit(net::cancellation_type::terminal);
    for (auto& [id, waiter] : acks_) {
        waiter->disconnected = true;
        waiter->timer.cancel();
    }
    acks_.clear();
    if (notify_client && was_connected) {
        socket_packet p;
        p.type = socket_packet_type::disconnect;
        p.nsp = nsp_->name();
        send_now(encode(p));
    }
    if (!was_connected)
        return;
    net::co_spawn(session_->get_executor(), run_disconnect(reason), net::detached);
}

net::awaitable<void> socket_state::run_disconnect(disconnect_reason reason)
{
    auto self = shared_from_this();
    auto& server = nsp_->server();
    if (nsp_->on_disconnect) {
        context ctx(socket_ref(self), "disconnect", std::nullopt);
        try {
            co_await nsp_->on_disconnect(ctx, reason);
        } catch (const std::exception& e) {
            ++server.handler_errors;
            server.log(log_level::error, "disconnect handler of " + nsp_->name() + " threw: " + e.what());
        }
    }
    // Rooms stay readable until the disconnect handler is done.
    nsp_->adapter().leave_all(id_);
    nsp_->remove(id_);
}

} // namespace corio::detail
