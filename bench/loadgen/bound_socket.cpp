#include "bound_socket.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24 // <linux/in.h>, Linux 4.2+
#endif

namespace loadgen {

boost::system::error_code open_bound(boost::asio::ip::tcp::socket& socket, boost::asio::ip::tcp protocol,
                                     std::optional<boost::asio::ip::address> source)
{
    boost::system::error_code ec;
    socket.open(protocol, ec);
    if (!ec && source) {
        int one = 1;
        ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        socket.bind({*source, 0}, ec);
    }
    return ec;
}

} // namespace loadgen
