#include <corio/handshake.hpp>

#include <corio/protocol/json_reader.hpp>
#include <corio/protocol/json_writer.hpp>

#include "engine/request.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>

namespace http = boost::beast::http;
namespace protocol = corio::protocol;

BOOST_AUTO_TEST_SUITE(handshake_description)

namespace {

/// A request as the listener reads it, then the handshake a socket gets.
corio::handshake handshake_of(std::string_view wire)
{
    http::request_parser<http::string_body> parser;
    parser.eager(true);
    boost::system::error_code ec;
    parser.put(boost::asio::buffer(wire.data(), wire.size()), ec);
    BOOST_TEST_REQUIRE(parser.is_header_done());
    auto info = corio::engine::detail::make_request_info(parser.get(), "127.0.0.1");
    return {std::make_shared<const corio::engine::request_info>(std::move(info)), {}};
}

} // namespace

BOOST_AUTO_TEST_CASE(bytes_that_are_not_utf8_are_replaced_so_the_description_is_json)
{
    // tests/fuzz/corpus/handshake/crash-691416d2…: a target with a byte that
    // is not UTF-8 (Beast accepts it), so the url the description carried
    // made describe()'s JSON unreadable. A header value may hold such bytes too.
    const std::string wire("GET /engine.io/?EIO=4&transport=polling&t=roweoexe&sid=hu\xd5YbLmFjyK6o_actQ3Ft HTTP/1.1\r\n"
                           "User-Agent: node-XMLHttpRequest\r\nAccept: */*\r\nHost: 127.0.0.1:44315\r\n"
                           "X-Latin1: caf\xe9\r\nConnection: close\r\n\r\n");
    const auto hs = handshake_of(wire);
    const auto text = protocol::to_json(hs.describe());
    auto back = protocol::parse_json(text, 8);
    BOOST_TEST_REQUIRE(back.has_value());
    const auto& description = back->as_object();
    BOOST_TEST(description.at("url") ==
               "/engine.io/?EIO=4&transport=polling&t=roweoexe&sid=hu\xEF\xBF\xBDYbLmFjyK6o_actQ3Ft");
    BOOST_TEST(description.at("headers").at("x-latin1") == "caf\xEF\xBF\xBD");
    BOOST_TEST(description.at("headers").at("user-agent") == "node-XMLHttpRequest");
    // The handshake itself keeps the bytes as they came.
    BOOST_TEST(*hs.header("x-latin1") == "caf\xe9");
}

BOOST_AUTO_TEST_SUITE_END()
