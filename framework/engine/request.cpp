#include "engine/request.hpp"

#include <corio/protocol/json_writer.hpp>

#include <boost/beast/http/field.hpp>
#include <boost/json/value.hpp>
#include <boost/url/parse.hpp>

#include <cctype>
#include <iterator>

namespace corio::engine::detail {

namespace http = boost::beast::http;

namespace {

std::string lower(std::string_view s)
{
    std::string out(s);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

} // namespace

boost::system::result<engine_query, error> parse_engine_query(const request_info& info, bool allow_eio3)
{
    engine_query q{};
    const auto eio = info.query_param("EIO");
    if (allow_eio3 && eio == "3")
        q.protocol = 3;
    else if (eio != "4")
        return error::unsupported_protocol_version;
    auto transport = info.query_param("transport");
    if (transport == "polling")
        q.transport = transport_kind::polling;
    else if (transport == "websocket")
        q.transport = transport_kind::websocket;
    else
        return error::unknown_transport;
    if (auto sid = info.query_param("sid"))
        q.sid.emplace(*sid);
    return q;
}

request_info make_request_info(const http_request& req, std::string remote_address)
{
    request_info info;
    info.url = std::string(req.target());
    info.remote_address = std::move(remote_address);
    info.time = std::chrono::system_clock::now();
    // Exact sizes: a session keeps these for its whole life.
    info.headers.reserve(static_cast<std::size_t>(std::distance(req.begin(), req.end())));
    for (const auto& f : req)
        info.headers.emplace_back(lower(f.name_string()), std::string(f.value()));
    // A target that is not a valid origin-form URL simply has no query.
    if (auto url = boost::urls::parse_origin_form(req.target())) {
        info.query.reserve(url->params().size());
        for (auto param : url->params())
            info.query.emplace_back(std::string(param.key), std::string(param.value));
    }
    return info;
}

std::string_view target_path(std::string_view target) noexcept
{
    return target.substr(0, target.find('?'));
}

bool path_matches(std::string_view path, std::string_view endpoint_path) noexcept
{
    if (path == endpoint_path)
        return true;
    return endpoint_path.size() > 1 && endpoint_path.back() == '/' &&
           path == endpoint_path.substr(0, endpoint_path.size() - 1);
}

http_response text_response(const http_request& req, http::status status, std::string body,
                            std::string_view content_type)
{
    http_response res{status, req.version()};
    res.set(http::field::content_type, content_type);
    res.keep_alive(req.keep_alive());
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

http_response error_response(const http_request& req, error e)
{
    boost::json::value body = {{"code", static_cast<int>(e)},
                               {"message", make_error_code(e).message()}};
    auto status = e == error::forbidden ? http::status::forbidden : http::status::bad_request;
    return text_response(req, status, protocol::to_json(body), "application/json");
}

} // namespace corio::engine::detail

namespace corio::engine {

namespace {

std::optional<std::string_view> find_field(const std::vector<request_info::field>& fields,
                                           std::string_view name) noexcept
{
    for (const auto& [k, v] : fields)
        if (k == name)
            return std::string_view(v);
    return std::nullopt;
}

} // namespace

std::optional<std::string_view> request_info::header(std::string_view lower_name) const noexcept
{
    return find_field(headers, lower_name);
}

std::optional<std::string_view> request_info::query_param(std::string_view name) const noexcept
{
    return find_field(query, name);
}

} // namespace corio::engine
