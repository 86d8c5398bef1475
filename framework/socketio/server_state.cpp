#include "socketio/server_state.hpp"

#include "socketio/client_state.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <iostream>

namespace corio::detail {

namespace net = boost::asio;

namespace {

void log_to_stderr(log_level level, std::string_view text)
{
    if (level >= log_level::warning)
        std::cerr << (level == log_level::warning ? "corio warning: " : "corio error: ") << text << '\n';
}

// Waits, on the timer's strand, until the timer expires or is cancelled, or
// at once when `done()` already holds there (a cancel posted before the wait
// began would be lost).
net::awaitable<void> wait_for(std::shared_ptr<net::steady_timer> timer, std::function<bool()> done)
{
    if (done())
        co_return;
    co_await timer->async_wait(net::as_tuple(net::use_awaitable));
}

} // namespace

server_state::server_state(net::any_io_executor ex, server_options opts)
    : executor_(ex), opts_(std::move(opts)), engine_(ex, opts_.engine, *this)
{
    if (!opts_.log)
        opts_.log = log_to_stderr;
    namespaces_.emplace("/", std::make_shared<namespace_state>(*this, "/"));
}

void server_state::log(log_level level, std::string_view text) const
{
    opts_.log(level, text);
}

std::shared_ptr<namespace_state> server_state::of(const std::string& name)
{
    std::lock_guard lock(namespaces_mutex_);
    auto& slot = namespaces_[name];
    if (!slot)
        slot = std::make_shared<namespace_state>(*this, name);
    return slot;
}

void server_state::add_dynamic(std::function<bool(std::string_view)> match, std::function<void(nsp)> setup)
{
    std::lock_guard lock(namespaces_mutex_);
    dynamic_.emplace_back(std::move(match), std::move(setup));
}

std::shared_ptr<namespace_state> server_state::find_for_connect(const std::string& name)
{
    std::function<void(nsp)> setup;
    {
        std::lock_guard lock(namespaces_mutex_);
        if (auto it = namespaces_.find(name); it != namespaces_.end())
            return it->second;
        for (auto& [match, set_up] : dynamic_) {
            if (match(name)) {
                setup = set_up;
                break;
            }
        }
    }
    if (!setup)
        return nullptr;
    // Set up before it is published, so no socket sees a half-configured
    // namespace; outside the lock, so setup may call server::of. When two
    // first connects race, the first published wins.
    auto created = std::make_shared<namespace_state>(*this, name);
    setup(nsp(created));
    std::lock_guard lock(namespaces_mutex_);
    return namespaces_.emplace(name, created).first->second;
}

std::shared_ptr<engine::session_handler> server_state::on_open(const std::shared_ptr<engine::session>& s)
{
    auto client = std::make_shared<client_state>(*this, s);
    if (shutting_down()) {
        s->close(engine::close_reason::server_shutdown);
        return client;
    }
    client->start();
    return client;
}

void server_state::handler_finished()
{
    if (--running_handlers_ == 0 && shutting_down()) {
        if (auto timer = std::atomic_load(&drained_))
            net::post(timer->get_executor(), [timer] { timer->cancel(); });
    }
}

void server_state::spawn(std::function<net::awaitable<void>()> task)
{
    // Each task runs on a strand of its own, where its cancellation signal
    // is emitted too (signals are not thread safe).
    auto slot = std::make_shared<background_task>(net::make_strand(executor_));
    std::list<std::shared_ptr<background_task>>::iterator it;
    {
        std::lock_guard lock(tasks_mutex_);
        it = tasks_.insert(tasks_.end(), slot);
    }
    // The task's own function object must outlive its coroutine frame.
    auto owned = std::make_shared<std::function<net::awaitable<void>()>>(std::move(task));
    net::co_spawn(
        slot->strand, [owned]() { return (*owned)(); },
        net::bind_cancellation_slot(slot->signal.slot(), [self = shared_from_this(), it, owned](std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const boost::system::system_error& err) {
                    if (err.code() != net::error::operation_aborted)
                        self->log(log_level::error, std::string("background task failed: ") + err.what());
                } catch (const std::exception& err) {
                    self->log(log_level::error, std::string("background task failed: ") + err.what());
                }
            }
            std::lock_guard lock(self->tasks_mutex_);
            self->tasks_.erase(it);
        }));
}

net::awaitable<void> server_state::shutdown(std::chrono::milliseconds deadline)
{
    auto self = shared_from_this();
    shutting_down_ = true;
    auto strand = net::make_strand(executor_);
    auto timer = std::make_shared<net::steady_timer>(strand, deadline);
    std::atomic_store(&drained_, timer);
    co_await net::co_spawn(strand, wait_for(timer, [this] { return running_handlers_ == 0; }), net::use_awaitable);

    std::vector<std::shared_ptr<namespace_state>> all;
    {
        std::lock_guard lock(namespaces_mutex_);
        for (auto& [name, ns] : namespaces_)
            all.push_back(ns);
    }
    for (auto& ns : all)
        for (auto& s : ns->select({}, std::nullopt, std::nullopt))
            s->request_disconnect(disconnect_reason::server_shutting_down, true);
    {
        std::lock_guard lock(tasks_mutex_);
        for (auto& task : tasks_)
            net::dispatch(task->strand, [task] { task->signal.emit(net::cancellation_type::terminal); });
    }
    // Done once every client has its close packet (or `deadline` more passed).
    co_await engine_.async_close_all(engine::close_reason::server_shutdown, deadline);
}

} // namespace corio::detail
