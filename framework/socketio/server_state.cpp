#include "socketio/server_state.hpp"

#include "socketio/client_state.hpp"

namespace corio::detail {

namespace net = boost::asio;

server_state::server_state(net::any_io_executor ex, server_options opts)
    : context_(std::make_shared<server_context>(ex, std::move(opts))),
      namespaces_(std::make_shared<namespace_registry>(context_)),
      tasks_(std::make_shared<background_tasks>(context_)),
      engine_(ex, context_->options().engine, *this)
{
}

std::shared_ptr<engine::session_handler> server_state::on_open(const std::shared_ptr<engine::session>& s)
{
    auto client = std::make_shared<client_state>(context_, namespaces_, s);
    if (context_->shutting_down()) {
        s->close(engine::close_reason::server_shutdown);
        return client;
    }
    client->start();
    return client;
}

net::awaitable<void> server_state::shutdown(std::chrono::milliseconds deadline)
{
    auto self = shared_from_this();
    co_await context_->drain_handlers(deadline);
    // With connection state recovery, no DISCONNECT: the client sees its
    // transport close, reconnects (to another server, behind a balancer)
    // and recovers there, as with socket.io's close(). Otherwise each
    // client is told goodbye and does not reconnect.
    for (auto& ns : namespaces_->all()) {
        const bool goodbye = !ns->recovery().enabled;
        for (auto& s : ns->sockets())
            s->request_disconnect(disconnect_reason::server_shutting_down, goodbye);
    }
    tasks_->cancel_all();
    // Done once every client has its close packet (or `deadline` more passed).
    co_await engine_.async_close_all(engine::close_reason::server_shutdown, deadline);
}

} // namespace corio::detail
