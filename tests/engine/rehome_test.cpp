// Moving an accepted connection onto a session's strand, and not leaking its
// handle when that fails.

#include "engine/rehome.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>

#include <fcntl.h>

namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using corio::engine::detail::move_to_strand;
using corio::engine::detail::rehome;
using corio::engine::detail::plain_websocket_connection;

/// The server's end of a fresh loopback connection whose client end is
/// `client`.
tcp::socket accept_one(net::io_context& ioc, tcp::socket& client)
{
    tcp::acceptor acceptor(ioc, {net::ip::make_address("127.0.0.1"), 0});
    client.connect(acceptor.local_endpoint());
    return acceptor.accept();
}

/// The same, accepted on `ex` (as the listener accepts on a connection's
/// strand, type-erased).
tcp::socket accept_one(net::io_context& ioc, tcp::socket& client, const net::any_io_executor& ex)
{
    tcp::acceptor acceptor(ioc, {net::ip::make_address("127.0.0.1"), 0});
    client.connect(acceptor.local_endpoint());
    return acceptor.accept(ex);
}

bool handle_is_open(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

} // namespace

BOOST_AUTO_TEST_SUITE(rehome_socket)

BOOST_AUTO_TEST_CASE(the_connection_moves_with_its_handle)
{
    net::io_context ioc;
    tcp::socket client(ioc);
    auto accepted = accept_one(ioc, client);
    const auto native = accepted.native_handle();
    plain_websocket_connection::socket_type target(net::make_strand(ioc.get_executor()));
    BOOST_TEST_REQUIRE(rehome(std::move(accepted), target));
    BOOST_TEST(target.native_handle() == native);
    net::write(client, net::buffer("x", 1));
    char got = 0;
    net::read(target, net::buffer(&got, 1));
    BOOST_TEST(got == 'x');
}

/// Accepts a connection on `accepted_on`, made non-blocking, moves it onto
/// `strand`, and checks that it is the same connection, on `strand`, and
/// still carries data. Returns whether it is still non-blocking: its state
/// comes along when it moves as it is, and a rehomed socket starts afresh.
bool still_non_blocking_after_move(net::io_context& ioc, const net::strand<net::io_context::executor_type>& strand,
                                   const net::any_io_executor& accepted_on)
{
    tcp::socket client(ioc);
    auto accepted = accept_one(ioc, client, accepted_on);
    const auto native = accepted.native_handle();
    accepted.non_blocking(true);
    auto moved = move_to_strand(std::move(accepted), strand);
    BOOST_TEST_REQUIRE(moved.has_value());
    BOOST_TEST(moved->native_handle() == native);
    BOOST_TEST((moved->get_executor() == strand));
    const bool non_blocking = moved->non_blocking();
    moved->non_blocking(false);
    net::write(client, net::buffer("x", 1));
    char got = 0;
    net::read(*moved, net::buffer(&got, 1));
    BOOST_TEST(got == 'x');
    return non_blocking;
}

BOOST_AUTO_TEST_CASE(a_connection_accepted_on_the_strand_moves_as_it_is)
{
    net::io_context ioc;
    auto strand = net::make_strand(ioc.get_executor());
    BOOST_TEST(still_non_blocking_after_move(ioc, strand, net::any_io_executor(strand)));
}

BOOST_AUTO_TEST_CASE(a_connection_on_another_strand_is_rehomed)
{
    net::io_context ioc;
    auto strand = net::make_strand(ioc.get_executor());
    BOOST_TEST(!still_non_blocking_after_move(ioc, strand, net::any_io_executor(net::make_strand(ioc.get_executor()))));
}

BOOST_AUTO_TEST_CASE(a_handle_the_target_refuses_is_closed_not_leaked)
{
    net::io_context ioc;
    tcp::socket client(ioc);
    auto accepted = accept_one(ioc, client);
    const auto native = accepted.native_handle();
    // An open target refuses the handle: assign fails after the release, as
    // it does when the reactor cannot register the handle (which a test
    // cannot provoke).
    plain_websocket_connection::socket_type target(net::make_strand(ioc.get_executor()));
    target.open(tcp::v4());
    BOOST_TEST_REQUIRE(!rehome(std::move(accepted), target));
    BOOST_TEST_REQUIRE(!handle_is_open(native));
    // So the client sees the connection end.
    char got = 0;
    boost::system::error_code ec;
    client.read_some(net::buffer(&got, 1), ec);
    BOOST_TEST((ec == net::error::eof));
}

BOOST_AUTO_TEST_SUITE_END()
