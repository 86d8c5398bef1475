#include "engine/rehome.hpp"

#include <unistd.h>

namespace corio::engine::detail {

std::optional<plain_websocket_connection::socket_type> move_to_strand(boost::asio::ip::tcp::socket from,
                                                                      const session::executor_type& strand)
{
    const auto& ex = from.get_executor();
    if (socket_strand::holds_strand(ex) && *ex.target<session::executor_type>() == strand)
        return plain_websocket_connection::socket_type(std::move(from));
    plain_websocket_connection::socket_type to(strand);
    if (!rehome(std::move(from), to))
        return std::nullopt;
    return to;
}

bool rehome(boost::asio::ip::tcp::socket from, plain_websocket_connection::socket_type& to)
{
    boost::system::error_code ec;
    auto protocol = from.local_endpoint(ec).protocol();
    if (ec)
        return false;
    auto native = from.release(ec);
    if (ec)
        return false;
    // Fails when the reactor cannot register the handle (or `to` is open).
    to.assign(protocol, native, ec);
    if (ec) {
        ::close(native);
        return false;
    }
    return true;
}

} // namespace corio::engine::detail
