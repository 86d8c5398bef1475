#include "http_channel.hpp"

#include "bound_socket.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace loadgen {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr auto await_tuple = net::as_tuple(net::use_awaitable);
/// A polling answer holds whatever the server had queued; this only stops a
/// runaway one.
constexpr std::uint64_t max_body = 64u << 20;

std::string http_error_text(const boost::system::error_code& ec)
{
    if (ec == beast::error::timeout)
        return "timeout";
    return ec.message();
}

http_reply failed(std::string_view phase, boost::system::error_code ec)
{
    http_reply reply;
    reply.ec = ec;
    reply.failure = std::string(phase) + ": " + http_error_text(ec);
    return reply;
}

} // namespace

http_channel::http_channel(net::any_io_executor executor, const target& t, std::optional<net::ip::address> source)
    : stream_(std::move(executor)), target_(t), source_(source)
{
}

void http_channel::reset()
{
    stream_.close();
    buffer_.clear();
    connected_ = false;
}

void http_channel::shutdown()
{
    shut_ = true;
    reset();
}

net::awaitable<http_reply> http_channel::exchange(http::verb verb, std::string resource, std::string body,
                                                  std::optional<std::chrono::steady_clock::time_point> deadline)
{
    if (shut_)
        co_return failed("closed", net::error::operation_aborted);
    if (connected_ && std::chrono::steady_clock::now() - last_used_ > reuse_limit)
        reset();
    // After reset(): closing the stream cancels its timers.
    if (deadline)
        stream_.expires_at(*deadline);
    else
        stream_.expires_never();
    if (!connected_) {
        auto ec = open_bound(stream_.socket(), target_.endpoint.protocol(), source_);
        if (ec) {
            reset();
            co_return failed("socket", ec);
        }
        auto [connect_ec] = co_await stream_.async_connect(target_.endpoint, await_tuple);
        if (shut_)
            co_return failed("closed", net::error::operation_aborted);
        if (connect_ec) {
            reset();
            co_return failed("tcp_connect", connect_ec);
        }
        // A request is small: it goes out at once instead of waiting on Nagle.
        stream_.socket().set_option(net::ip::tcp::no_delay(true), ec);
        connected_ = true;
    }

    http::request<http::string_body> req{verb, resource, 11};
    req.set(http::field::host, target_.host);
    if (verb == http::verb::post) {
        req.set(http::field::content_type, "text/plain;charset=UTF-8");
        req.body() = std::move(body);
    }
    req.prepare_payload();
    auto [write_ec, written] = co_await http::async_write(stream_, req, await_tuple);
    if (write_ec) {
        reset();
        co_return failed("write", write_ec);
    }

    http::response_parser<http::string_body> parser;
    parser.body_limit(max_body);
    auto [read_ec, read] = co_await http::async_read(stream_, buffer_, parser, await_tuple);
    if (read_ec) {
        reset();
        co_return failed("read", read_ec);
    }
    auto& res = parser.get();
    last_used_ = std::chrono::steady_clock::now();
    if (!res.keep_alive())
        reset();
    http_reply reply;
    reply.status = res.result_int();
    reply.body = std::move(res.body());
    co_return reply;
}

} // namespace loadgen
