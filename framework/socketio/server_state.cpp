#include "socketio/server_state.hpp"

#include "socketio/client_state.hpp"

namespace corio::detail {

namespace net = boost::asio;

namespace {

std::shared_ptr<client_state> client_of(const std::shared_ptr<engine::session>& s)
{
    return std::static_pointer_cast<client_state>(s->user_data);
}

} // namespace

server_state::server_state(net::any_io_executor ex, server_options opts)
    : context_(std::make_shared<server_context>(ex, std::move(opts))),
      namespaces_(std::make_shared<namespace_registry>(context_)),
      tasks_(std::make_shared<background_tasks>(context_)),
      engine_(ex, context_->options().engine, *this)
{
}

void server_state::on_open(const std::shared_ptr<engine::session>& s)
{
    auto client = std::make_shared<client_state>(context_, namespaces_, s);
    s->user_data = client;
    if (context_->shutting_down()) {
        s->close(engine::close_reason::server_shutdown);
        return;
    }
    client->start();
}

void server_state::on_message(const std::shared_ptr<engine::session>& s, protocol::packet&& message)
{
    client_of(s)->on_message(std::move(message));
}

void server_state::on_close(const std::shared_ptr<engine::session>& s, engine::close_reason reason)
{
    if (auto client = client_of(s)) {
        client->on_close(reason);
        s->user_data.reset();
    }
}

net::awaitable<void> server_state::shutdown(std::chrono::milliseconds deadline)
{
    auto self = shared_from_this();
    co_await context_->drain_handlers(deadline);
    for (auto& ns : namespaces_->all())
        for (auto& s : ns->sockets())
            s->request_disconnect(disconnect_reason::server_shutting_down, true);
    engine_.close_all(engine::close_reason::server_shutdown);
    tasks_->cancel_all();
}

} // namespace corio::detail
