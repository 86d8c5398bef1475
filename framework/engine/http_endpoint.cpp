#include <corio/engine/http_endpoint.hpp>

#include "engine/request.hpp"

#include <boost/asio/ip/tcp.hpp>

namespace corio::engine {

namespace http = boost::beast::http;

http_response http_endpoint::handle_oversized(const http_request& req)
{
    return detail::text_response(req, http::status::payload_too_large, "", "text/plain");
}

boost::asio::awaitable<void> http_endpoint::handle_websocket(http_stream& stream, http_request req,
                                                             std::string remote_address, strand_type,
                                                             std::chrono::seconds)
{
    co_await handle_request(stream, std::move(req), std::move(remote_address));
    boost::system::error_code ignored;
    stream.tcp().socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
}

} // namespace corio::engine
