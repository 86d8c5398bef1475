#include <corio/broadcast_operator.hpp>

#include "socketio/namespace_state.hpp"
#include "socketio/server_state.hpp"
#include "socketio/socket_state.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <mutex>

namespace corio {

namespace net = boost::asio;

namespace {

using ack_list = std::vector<std::pair<std::string, arguments>>;

// Answers of a broadcast with acks, filled from the recipients' strands.
struct ack_collector {
    explicit ack_collector(net::strand<net::any_io_executor> strand, std::size_t expected)
        : timer(strand), remaining(expected)
    {
    }
    net::steady_timer timer;
    std::mutex mutex;
    ack_list answers;
    std::size_t remaining;

};

void add_answer(const std::shared_ptr<ack_collector>& c, std::string sid, ack_result r)
{
    std::lock_guard lock(c->mutex);
    if (r)
        c->answers.emplace_back(std::move(sid), std::move(*r));
    if (--c->remaining == 0)
        net::post(c->timer.get_executor(), [c] { c->timer.cancel(); });
}

// Runs on the timer's strand, as add_answer's cancel does: an answer that
// completed the set before this point is seen here, one after it cancels
// the wait.
net::awaitable<void> wait_for(std::shared_ptr<ack_collector> c)
{
    {
        std::lock_guard lock(c->mutex);
        if (c->remaining == 0)
            co_return;
    }
    co_await c->timer.async_wait(net::as_tuple(net::use_awaitable));
}

} // namespace

broadcast_operator broadcast_operator::to(std::string room) const
{
    auto op = *this;
    op.rooms_.insert(std::move(room));
    return op;
}

broadcast_operator broadcast_operator::except(std::string room) const
{
    auto op = *this;
    op.except_.insert(std::move(room));
    return op;
}

broadcast_operator broadcast_operator::skip(std::string sid) const
{
    auto op = *this;
    op.skip_ = std::move(sid);
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
    op.is_volatile_ = true;
    return op;
}

namespace {

std::vector<std::shared_ptr<detail::socket_state>> select(const detail::namespace_state& nsp,
                                                          const std::set<std::string>& rooms,
                                                          const std::set<std::string>& except,
                                                          const std::optional<std::string>& skip,
                                                          const std::optional<std::string>& self)
{
    return nsp.select({rooms, except}, skip, self);
}

} // namespace

void broadcast_operator::emit_arguments(std::string_view event, arguments args) const
{
    auto targets = select(*nsp_, rooms_, except_, skip_, self_);
    if (targets.empty())
        return;
    if (!nsp_->outgoing.empty())
        for (auto& s : targets)
            nsp_->notify_outgoing(socket_ref(s), event, args);
    // Encoded once; every recipient gets the same bytes.
    auto packet = detail::encode(detail::make_event_packet(nsp_->name(), event, std::move(args)));
    for (auto& s : targets)
        s->deliver(packet, is_volatile_);
}

namespace {

// A free coroutine with its state by value: the returned awaitable may run
// after the operator it came from is gone.
net::awaitable<ack_list> collect_acks(std::shared_ptr<detail::namespace_state> nsp,
                                      std::vector<std::shared_ptr<detail::socket_state>> targets,
                                      std::chrono::milliseconds timeout, std::string event, arguments args)
{
    if (targets.empty())
        co_return ack_list{};
    auto collector = std::make_shared<ack_collector>(net::make_strand(nsp->server().executor()), targets.size());
    collector->timer.expires_after(timeout);
    for (auto& s : targets) {
        net::co_spawn(s->session().get_executor(), s->emit_with_ack(event, args, timeout),
                      [collector, sid = s->id()](std::exception_ptr, ack_result r) {
                          add_answer(collector, sid, std::move(r));
                      });
    }
    co_await net::co_spawn(collector->timer.get_executor(), wait_for(collector), net::use_awaitable);
    std::lock_guard lock(collector->mutex);
    co_return collector->answers;
}

} // namespace

net::awaitable<ack_list> broadcast_operator::emit_with_ack_arguments(std::chrono::milliseconds timeout,
                                                                     std::string_view event, arguments args) const
{
    return collect_acks(nsp_, select(*nsp_, rooms_, except_, skip_, self_), timeout, std::string(event),
                        std::move(args));
}

std::vector<socket_ref> broadcast_operator::fetch_sockets() const
{
    std::vector<socket_ref> out;
    for (auto& s : select(*nsp_, rooms_, except_, skip_, self_))
        out.emplace_back(s);
    return out;
}

void broadcast_operator::sockets_join(const std::string& room) const
{
    for (auto& s : select(*nsp_, rooms_, except_, skip_, self_))
        nsp_->adapter().join(s->id(), room);
}

void broadcast_operator::sockets_leave(const std::string& room) const
{
    for (auto& s : select(*nsp_, rooms_, except_, skip_, self_))
        nsp_->adapter().leave(s->id(), room);
}

void broadcast_operator::disconnect_sockets() const
{
    for (auto& s : select(*nsp_, rooms_, except_, skip_, self_))
        s->request_disconnect(disconnect_reason::server_disconnect, true);
}

} // namespace corio
