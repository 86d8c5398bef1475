#include <corio/server.hpp>

#include "socketio/server_state.hpp"

namespace corio {

server::server(boost::asio::any_io_executor ex, server_options opts)
    : state_(std::make_shared<detail::server_state>(std::move(ex), std::move(opts)))
{
}

server::~server() = default;

nsp server::of(std::string name)
{
    if (name.empty() || name.front() != '/')
        name.insert(name.begin(), '/');
    return nsp(state_->namespaces().of(name));
}

std::vector<nsp> server::namespaces() const
{
    std::vector<nsp> out;
    for (auto& ns : state_->namespaces().all())
        out.push_back(nsp(std::move(ns)));
    return out;
}

void server::of_dynamic(std::function<bool(std::string_view)> match, std::function<void(nsp)> setup)
{
    state_->namespaces().add_dynamic(std::move(match), std::move(setup));
}

server& server::add_middleware(connect_handler h)
{
    state_->context()->middlewares.push_back(std::move(h));
    return *this;
}

void server::observe(std::shared_ptr<server_observer> observer)
{
    auto& context = *state_->context();
    context.observers_want_events = context.observers_want_events || observer->wants_events();
    context.observers.push_back(std::move(observer));
}

void server::spawn(std::function<boost::asio::awaitable<void>()> task) { state_->tasks().spawn(std::move(task)); }

boost::asio::awaitable<void> server::shutdown(std::chrono::milliseconds deadline)
{
    return state_->shutdown(deadline);
}

engine::server& server::engine() noexcept { return state_->engine(); }

const engine::server& server::engine() const noexcept { return state_->engine(); }

engine::handler& server::engine_handler() noexcept { return *state_; }

const server_options& server::options() const noexcept { return state_->context()->options(); }

server_stats server::stats() const
{
    auto s = state_->context()->stats();
    s.engine_sessions = state_->engine().session_count();
    s.namespaces = state_->namespaces().size();
    for (auto& ns : state_->namespaces().all())
        s.sockets[ns->name()] = ns->size();
    return s;
}

} // namespace corio
