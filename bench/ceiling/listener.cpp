#include "listener.hpp"

#include "worker.hpp"

#include <boost/asio/post.hpp>

#include <chrono>

namespace ceiling {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

/// After accept fails (out of descriptors, say), the wait before trying again.
constexpr auto accept_retry_delay = std::chrono::milliseconds(50);
/// Connections accepted in one go before the listener lets the connections already accepted
/// run (it then carries on from a post).
constexpr int accepts_per_turn = 64;

} // namespace

listener::listener(std::vector<worker*> workers, std::uint16_t port)
    : workers_(std::move(workers)), acceptor_(workers_.front()->context()), retry_(workers_.front()->context())
{
    const tcp::endpoint where(net::ip::make_address_v4("127.0.0.1"), port);
    acceptor_.open(where.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(where);
    acceptor_.listen(workers_.front()->opts().listen_backlog);
    acceptor_.non_blocking(true);
}

std::uint16_t listener::port() const
{
    return acceptor_.local_endpoint().port();
}

void listener::start()
{
    await_connection();
}

void listener::accept_pending()
{
    // Accepts until the backlog is empty: one wake-up, many connections.
    for (int accepted = 0; accepted < accepts_per_turn; ++accepted) {
        worker& w = *workers_[next_];
        socket_type socket(w.context());
        boost::system::error_code ec;
        acceptor_.accept(socket, ec);
        if (ec == net::error::would_block) {
            await_connection();
            return;
        }
        if (ec == net::error::connection_aborted)
            continue;
        if (ec) {
            retry_later();
            return;
        }
        hand_out(w, std::move(socket));
    }
    net::post(workers_.front()->context(), [self = shared_from_this()] { self->accept_pending(); });
}

void listener::await_connection()
{
    // async_accept rather than a wait for readiness: Asio accepts at once when a connection may
    // be pending and otherwise only queues the operation, where a wait would cost an epoll_ctl.
    worker& w = *workers_[next_];
    acceptor_.async_accept(w.context(),
                           [self = shared_from_this(), &w](const boost::system::error_code& ec, socket_type socket) {
                               if (ec == net::error::operation_aborted)
                                   return;
                               if (!ec)
                                   self->hand_out(w, std::move(socket));
                               else if (ec != net::error::connection_aborted) {
                                   self->retry_later();
                                   return;
                               }
                               self->accept_pending();
                           });
}

void listener::hand_out(worker& w, socket_type socket)
{
    next_ = (next_ + 1) % workers_.size();
    auto c = std::make_shared<connection>(w, std::move(socket));
    if (&w == workers_.front())
        c->start();
    else
        net::post(w.context(), [c] { c->start(); });
}

void listener::retry_later()
{
    retry_.expires_after(accept_retry_delay);
    retry_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (!ec)
            self->accept_pending();
    });
}

} // namespace ceiling
