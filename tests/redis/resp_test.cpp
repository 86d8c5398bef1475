// The RESP writer and the reader wrapped around hiredis's, without sockets.

#include "redis/resp_reader.hpp"
#include "redis/resp_writer.hpp"

#include <corio/redis/error.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

namespace redis = corio::redis;
namespace detail = corio::redis::detail;
using namespace std::string_literals;

BOOST_AUTO_TEST_SUITE(resp)

BOOST_AUTO_TEST_CASE(commands_are_arrays_of_bulk_strings)
{
    std::string out;
    std::vector<std::string> args{"SET", "k\r\n", "a\0b"s, ""};
    detail::append_command(out, args);
    BOOST_TEST(out == "*4\r\n$3\r\nSET\r\n$3\r\nk\r\n\r\n$3\r\na\0b\r\n$0\r\n\r\n"s);
    detail::append_command(out, {"PING"});
    BOOST_TEST(out.substr(out.size() - 14) == "*1\r\n$4\r\nPING\r\n");
}

BOOST_AUTO_TEST_CASE(replies_of_every_kind_byte_by_byte)
{
    std::string wire = "+OK\r\n-ERR no\r\n:-42\r\n$3\r\na\0b\r\n$-1\r\n*3\r\n:1\r\n*1\r\n$1\r\nx\r\n*-1\r\n*0\r\n"s;
    detail::resp_reader reader;
    std::vector<redis::reply> got;
    for (char c : wire) {
        auto ec = reader.parse(std::string_view(&c, 1), [&](detail::raw_reply r) {
            got.push_back(detail::to_reply(*r));
            return true;
        });
        BOOST_REQUIRE(!ec);
    }
    BOOST_REQUIRE(got.size() == 7u);
    BOOST_TEST((got[0].type == redis::reply::kind::status && got[0].str == "OK"));
    BOOST_TEST((got[1].is_error() && got[1].str == "ERR no"));
    BOOST_TEST((got[2].type == redis::reply::kind::integer && got[2].integer == -42));
    BOOST_TEST((got[3].type == redis::reply::kind::string && got[3].str == "a\0b"s));
    BOOST_TEST((got[4].type == redis::reply::kind::nil));
    BOOST_REQUIRE((got[5].type == redis::reply::kind::array && got[5].elements.size() == 3u));
    BOOST_TEST(got[5].elements[0].integer == 1);
    BOOST_REQUIRE(got[5].elements[1].elements.size() == 1u);
    BOOST_TEST(got[5].elements[1].elements[0].str == "x");
    BOOST_TEST((got[5].elements[2].type == redis::reply::kind::nil));
    BOOST_TEST((got[6].type == redis::reply::kind::array && got[6].elements.empty()));
}

BOOST_AUTO_TEST_CASE(large_reads_are_parsed_in_one_call)
{
    std::string wire;
    for (int i = 0; i < 20'000; ++i)
        wire += ":" + std::to_string(i) + "\r\n";
    wire += "$100000\r\n" + std::string(100'000, 'v') + "\r\n";
    detail::resp_reader reader;
    std::vector<redis::reply> got;
    auto ec = reader.parse(wire, [&](detail::raw_reply r) {
        got.push_back(detail::to_reply(*r));
        return true;
    });
    BOOST_REQUIRE(!ec);
    BOOST_REQUIRE(got.size() == 20'001u);
    BOOST_TEST(got[19'999].integer == 19'999);
    BOOST_TEST(got.back().str.size() == 100'000u);
}

BOOST_AUTO_TEST_CASE(stopping_drops_the_rest)
{
    detail::resp_reader reader;
    int seen = 0;
    auto ec = reader.parse("+a\r\n+b\r\n", [&](detail::raw_reply) { return ++seen < 1; });
    BOOST_TEST(!ec);
    BOOST_TEST(seen == 1);
}

BOOST_AUTO_TEST_CASE(bytes_that_are_not_resp_are_a_protocol_error)
{
    detail::resp_reader reader;
    auto ec = reader.parse("?what\r\n", [](detail::raw_reply) { return true; });
    BOOST_TEST(ec == make_error_code(redis::error::protocol_error));
    BOOST_TEST(!reader.error_text().empty());

    reader.reset();
    int seen = 0;
    ec = reader.parse("+fine\r\n", [&](detail::raw_reply) { return ++seen > 0; });
    BOOST_TEST(!ec);
    BOOST_TEST(seen == 1);
}

BOOST_AUTO_TEST_SUITE_END()
