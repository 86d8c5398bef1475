// The default decode_limits::max_json_depth is safe: data nested that deep
// decodes, copies, compares, encodes and is destroyed on a stack smaller than
// any default thread stack, and one level more is refused.

#include <corio/protocol/limits.hpp>

#include <corio/protocol/json_writer.hpp>
#include <corio/protocol/socket_packet.hpp>

#include "deep_json.hpp"

#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>

namespace json = boost::json;
namespace protocol = corio::protocol;
using corio::test::nested_text;
using corio::test::nesting;
using corio::test::run_on_stack;
using protocol::error;

BOOST_AUTO_TEST_SUITE(json_depth)

namespace {

// Half of the smallest default thread stack on glibc (2 MiB, when the stack
// rlimit is unlimited; 8 MiB otherwise). At depth 1000 the work below takes
// about 180 KB (350 KB under AddressSanitizer).
constexpr std::size_t small_stack = 1 << 20;

// What happened on the small stack, checked after it on the test's thread.
struct outcome {
    boost::system::error_code event_error;
    bool event_complete = false;
    bool copy_equal = false;
    std::string reencoded;
    boost::system::error_code ack_error;
    boost::system::error_code connect_error;
    boost::system::error_code event_over_error;
    boost::system::error_code ack_over_error;
    boost::system::error_code connect_over_error;
};

boost::system::error_code error_of(const protocol::result<std::optional<protocol::socket_packet>>& r)
{
    return r.has_error() ? r.error() : boost::system::error_code{};
}

} // namespace

BOOST_AUTO_TEST_CASE(default_limit_is_at_least_1000)
{
    BOOST_TEST(protocol::decode_limits{}.max_json_depth >= 1000u);
}

BOOST_AUTO_TEST_CASE(at_the_limit_on_a_small_stack)
{
    const std::size_t limit = protocol::decode_limits{}.max_json_depth;
    for (const auto kind : {nesting::arrays, nesting::objects, nesting::mixed}) {
        const std::string argument = nested_text(limit, kind);
        const std::string over = nested_text(limit + 1, kind);
        const std::string event = R"(2["echo",)" + argument + "]";
        // CONNECT's auth is an object: the object nestings only.
        const std::string auth = nested_text(limit, nesting::objects);
        const std::string auth_over = nested_text(limit + 1, nesting::objects);

        outcome out;
        run_on_stack(small_stack, [&] {
            protocol::socket_packet_decoder decoder;
            {
                auto r = decoder.on_text(event);
                out.event_error = error_of(r);
                if (r && *r) {
                    out.event_complete = true;
                    const protocol::socket_packet copy = **r;
                    out.copy_equal = copy == **r;
                    out.reencoded = protocol::encode_socket_packet(copy);
                }
            }
            out.ack_error = error_of(decoder.on_text("31[" + argument + "]"));
            out.connect_error = error_of(decoder.on_text("0" + auth));
            out.event_over_error = error_of(decoder.on_text(R"(2["echo",)" + over + "]"));
            out.ack_over_error = error_of(decoder.on_text("31[" + over + "]"));
            out.connect_over_error = error_of(decoder.on_text("0" + auth_over));
        });

        BOOST_TEST_CONTEXT("nesting " << static_cast<int>(kind))
        {
            BOOST_TEST(!out.event_error);
            BOOST_TEST(out.event_complete);
            BOOST_TEST(out.copy_equal);
            BOOST_TEST((out.reencoded == event), "the packet re-encodes to its own text");
            BOOST_TEST(!out.ack_error);
            BOOST_TEST(!out.connect_error);
            BOOST_TEST(out.event_over_error == protocol::make_error_code(error::json_too_deep));
            BOOST_TEST(out.ack_over_error == protocol::make_error_code(error::json_too_deep));
            BOOST_TEST(out.connect_over_error == protocol::make_error_code(error::json_too_deep));
        }
    }
}

BOOST_AUTO_TEST_CASE(hostile_nesting_is_refused_on_a_small_stack)
{
    // A megabyte of '[': the parse stops at the limit instead of following it.
    const std::string hostile = R"(2["x",)" + std::string(999'990, '[');
    boost::system::error_code ec;
    run_on_stack(small_stack, [&] {
        protocol::socket_packet_decoder decoder;
        ec = error_of(decoder.on_text(hostile));
    });
    BOOST_TEST(ec == protocol::make_error_code(error::json_too_deep));
}

BOOST_AUTO_TEST_SUITE_END()
