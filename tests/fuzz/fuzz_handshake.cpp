// Handshake query and header parsing: the bytes of an HTTP request, read by
// Beast's request parser with the listener's header limit (as listener.cpp
// reads them), then everything Corio derives from the request: the route,
// request_info (lower-cased headers, the decoded query), the Engine.IO query,
// CORS, the error and preflight answers, and the Socket.IO handshake (cookies,
// describe()). Checks that answers echoing request fields stay well-formed
// HTTP (no header injection) and that the query Corio reads is the one it
// checked.

#include <corio/engine/options.hpp>
#include <corio/handshake.hpp>
#include <corio/protocol/json_reader.hpp>
#include <corio/protocol/json_writer.hpp>

#include "engine/cors.hpp"
#include "engine/request.hpp"

#include "fuzz_check.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>

namespace engine = corio::engine;
namespace detail = corio::engine::detail;
namespace http = boost::beast::http;
using corio_fuzz::check;

namespace {

// `res` as bytes on the wire, read back by Beast's response parser: it must
// parse whole, with the same fields.
void check_response(const engine::http_response& res)
{
    std::ostringstream out;
    out << res;
    const auto wire = out.str();
    http::response_parser<http::string_body> parser;
    parser.eager(true);
    boost::system::error_code ec;
    const auto used = parser.put(boost::asio::buffer(wire), ec);
    check(!ec && parser.is_done() && used == wire.size(), "an answer is one well-formed HTTP response");
    const auto& back = parser.get();
    check(std::distance(back.begin(), back.end()) == std::distance(res.begin(), res.end()),
          "an answer's fields read back as they were written (no injected field)");
    check(back.body() == res.body(), "an answer's body reads back");
}

void derive(const engine::http_request& req)
{
    const auto target = req.target();
    const auto path = detail::target_path(target);
    check(target.substr(0, path.size()) == path, "the path is the start of the target");
    (void)detail::path_matches(path, "/socket.io/");
    (void)boost::beast::websocket::is_upgrade(req);

    auto info = std::make_shared<engine::request_info>(detail::make_request_info(req, "127.0.0.1"));
    check(info->headers.size() == static_cast<std::size_t>(std::distance(req.begin(), req.end())),
          "request_info has every header field");
    for (const auto& [name, value] : info->headers)
        for (char c : name)
            check(!std::isupper(static_cast<unsigned char>(c)), "header names are lower case");

    check(detail::parse_engine_query(*info, false) ? info->query_param("EIO") == "4" : true,
          "without allow_eio3 an accepted query has EIO=4");
    auto query = detail::parse_engine_query(*info, true);
    if (query) {
        check(info->query_param("EIO") == (query->protocol == 3 ? "3" : "4"), "an accepted query has EIO=3 or 4");
        const auto transport = info->query_param("transport");
        check(transport == "polling" || transport == "websocket", "an accepted query names a known transport");
        check(query->sid.has_value() == info->query_param("sid").has_value(), "the sid is the query's");
    }

    engine::cors_options open;
    engine::cors_options listed;
    listed.allowed_origins = {"https://example.com"};
    listed.credentials = true;
    for (const auto* cors : {&open, &listed}) {
        (void)detail::origin_allowed(*cors, req);
        check_response(detail::preflight_response(*cors, req));
        auto res = detail::error_response(req, query ? engine::error::unknown_sid : query.error());
        detail::add_cors_headers(*cors, req, res);
        check_response(res);
    }

    corio::handshake hs{info, {}};
    (void)hs.cookie("io");
    (void)hs.cookie("");
    const auto described = corio::protocol::to_json(hs.describe());
    check(corio::protocol::parse_json(described, 64).has_value(), "describe() is JSON");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    // As the listener reads a request: the header within the limit, then the
    // body (an Engine.IO endpoint's limit).
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(engine::listener_options{}.max_header_size));
    parser.body_limit(engine::options{}.limits.max_payload);
    parser.eager(true);
    boost::system::error_code ec;
    parser.put(boost::asio::buffer(data, size), ec);
    if (ec == http::error::need_more && parser.is_header_done() && !parser.get().has_content_length() &&
        !parser.chunked()) {
        parser.put_eof(ec);
    }
    if (!parser.is_header_done())
        return 0;
    derive(parser.get());
    return 0;
}
