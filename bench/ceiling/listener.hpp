// The ceiling server's listening socket: accepts every pending connection at each wake-up and
// deals them out to the workers in turn.
#pragma once

#include "connection.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <memory>
#include <vector>

namespace ceiling {

class worker;

/// @par Thread Safety
/// Runs on the first worker's thread. A connection for another worker is made there and its
/// start posted to that worker.
///
/// @par Lifetime
/// Its waits hold it (shared_from_this); the workers outlive it.
class listener : public std::enable_shared_from_this<listener> {
public:
    /// Binds and listens on 127.0.0.1:`port` (0: a free one) with the options' backlog.
    /// Throws boost::system::system_error when it cannot.
    listener(std::vector<worker*> workers, std::uint16_t port);

    std::uint16_t port() const;
    void start();

private:
    void accept_pending();
    void await_connection();
    void hand_out(worker& w, socket_type socket);
    void retry_later();

    std::vector<worker*> workers_;
    std::size_t next_ = 0;
    boost::asio::basic_socket_acceptor<boost::asio::ip::tcp, boost::asio::io_context::executor_type> acceptor_;
    boost::asio::steady_timer retry_;
};

} // namespace ceiling
