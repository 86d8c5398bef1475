#pragma once
// The state behind corio::server: it owns the server's context, namespaces,
// background tasks and Engine.IO endpoint, implements engine::handler (a new
// session becomes a client_state), and runs the graceful shutdown.

#include <corio/engine/handler.hpp>
#include <corio/engine/server.hpp>
#include <corio/options.hpp>

#include "socketio/background_tasks.hpp"
#include "socketio/namespace_registry.hpp"
#include "socketio/server_context.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>

namespace corio::detail {

class server_state final : public engine::handler, public std::enable_shared_from_this<server_state> {
public:
    server_state(boost::asio::any_io_executor ex, server_options opts);

    const std::shared_ptr<server_context>& context() const noexcept { return context_; }
    namespace_registry& namespaces() noexcept { return *namespaces_; }
    background_tasks& tasks() noexcept { return *tasks_; }
    engine::server& engine() noexcept { return engine_; }

    boost::asio::awaitable<void> shutdown(std::chrono::milliseconds deadline);

    // engine::handler: the session's client_state handles the rest.
    std::shared_ptr<engine::session_handler> on_open(const std::shared_ptr<engine::session>& s) override;

private:
    std::shared_ptr<server_context> context_;
    std::shared_ptr<namespace_registry> namespaces_;
    std::shared_ptr<background_tasks> tasks_;
    engine::server engine_;
};

} // namespace corio::detail
