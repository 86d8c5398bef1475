#include <corio/engine/http_stream.hpp>

#include "engine/use_tuple.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <cassert>
#include <tuple>

namespace corio::engine {

namespace net = boost::asio;
namespace http = boost::beast::http;

using detail::use_tuple;

http_stream::http_stream(tls_stream& tls) noexcept : tcp_(&tls.next_layer()), tls_(&tls) {}

net::awaitable<boost::system::error_code> http_stream::async_write(http_response& res)
{
    if (write_timeout_.count() > 0)
        tcp_->expires_after(write_timeout_);
    else
        tcp_->expires_never();
    boost::system::error_code ec;
    if (tls_)
        std::tie(ec, std::ignore) = co_await http::async_write(*tls_, res, use_tuple);
    else
        std::tie(ec, std::ignore) = co_await http::async_write(*tcp_, res, use_tuple);
    // The tcp_stream closed the socket when its timer fired.
    if (ec == boost::beast::error::timeout)
        write_timed_out_ = true;
    else
        tcp_->expires_never();
    co_return ec;
}

tls_stream http_stream::release_tls()
{
    assert(tls_ && !released_);
    released_ = true;
    tls_stream taken(std::move(*tls_));
    tls_ = nullptr;
    tcp_ = nullptr;
    return taken;
}

net::ip::tcp::socket http_stream::release_socket()
{
    assert(!tls_ && !released_);
    released_ = true;
    auto taken = tcp_->release_socket();
    tcp_ = nullptr;
    return taken;
}

} // namespace corio::engine
