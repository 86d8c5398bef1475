#include <corio/engine/metrics.hpp>

#include "engine/request.hpp"

namespace corio::engine {

namespace http = boost::beast::http;

metrics_endpoint::metrics_endpoint(std::string path) : path_(std::move(path)) {}

void metrics_endpoint::add(source s)
{
    sources_.push_back(std::move(s));
}

std::string metrics_endpoint::text() const
{
    metrics_writer w;
    for (auto& s : sources_)
        s(w);
    return w.text();
}

boost::asio::awaitable<bool> metrics_endpoint::handle_request(http_stream& stream, http_request req, std::string)
{
    http_response res;
    if (req.method() == http::verb::get) {
        res = detail::text_response(req, http::status::ok, text(), metrics_content_type);
    } else {
        res = detail::text_response(req, http::status::method_not_allowed, "", "text/plain");
        res.set(http::field::allow, "GET");
    }
    auto ec = co_await stream.async_write(res);
    co_return !ec && res.keep_alive();
}

} // namespace corio::engine
