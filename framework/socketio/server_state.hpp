#pragma once

#include <corio/engine/handler.hpp>
#include <corio/engine/server.hpp>
#include <corio/options.hpp>
#include <corio/server.hpp>

#include "socketio/namespace_state.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <functional>
#include <list>
#include <map>
#include <mutex>

namespace corio::detail {

class server_state final : public engine::handler, public std::enable_shared_from_this<server_state> {
public:
    server_state(boost::asio::any_io_executor ex, server_options opts);

    const server_options& options() const noexcept { return opts_; }
    engine::server& engine() noexcept { return engine_; }
    boost::asio::any_io_executor executor() const { return executor_; }

    std::shared_ptr<namespace_state> of(const std::string& name);
    /// The namespace for a CONNECT to `name`: static, or created by a dynamic
    /// matcher; nullptr when none.
    std::shared_ptr<namespace_state> find_for_connect(const std::string& name);
    void add_dynamic(std::function<bool(std::string_view)> match, std::function<void(nsp)> setup);

    std::vector<connect_handler> middlewares;

    void log(log_level level, std::string_view text) const;
    std::atomic<std::uint64_t> argument_errors = 0;
    std::atomic<std::uint64_t> handler_errors = 0;
    std::atomic<std::uint64_t> volatile_dropped = 0;
    bool shutting_down() const noexcept { return shutting_down_.load(); }

    // Handlers in flight, for shutdown to wait on.
    void handler_started() { ++running_handlers_; }
    void handler_finished();

    void spawn(std::function<boost::asio::awaitable<void>()> task);
    boost::asio::awaitable<void> shutdown(std::chrono::milliseconds deadline);

    // engine::handler: the session's client_state handles the rest.
    std::shared_ptr<engine::session_handler> on_open(const std::shared_ptr<engine::session>& s) override;

private:
    boost::asio::any_io_executor executor_;
    server_options opts_;
    engine::server engine_;

    std::mutex namespaces_mutex_;
    std::map<std::string, std::shared_ptr<namespace_state>> namespaces_;
    std::vector<std::pair<std::function<bool(std::string_view)>, std::function<void(nsp)>>> dynamic_;

    std::atomic<bool> shutting_down_ = false;
    std::atomic<std::size_t> running_handlers_ = 0;
    std::shared_ptr<boost::asio::steady_timer> drained_;  // cancelled when the last handler ends

    struct background_task {
        explicit background_task(boost::asio::strand<boost::asio::any_io_executor> s) : strand(std::move(s)) {}
        boost::asio::strand<boost::asio::any_io_executor> strand;
        boost::asio::cancellation_signal signal;
    };
    std::mutex tasks_mutex_;
    std::list<std::shared_ptr<background_task>> tasks_;
};

} // namespace corio::detail
