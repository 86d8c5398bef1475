#include <corio/protocol/base64.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace protocol = corio::protocol;
using protocol::error;

BOOST_AUTO_TEST_SUITE(base64)

namespace {

// RFC 4648 section 10.
const std::vector<std::pair<std::string_view, std::string_view>> rfc_vectors{
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

std::string strip_padding(std::string_view s)
{
    while (!s.empty() && s.back() == '=')
        s.remove_suffix(1);
    return std::string(s);
}

} // namespace

BOOST_AUTO_TEST_CASE(encode_rfc_vectors)
{
    for (const auto& [plain, encoded] : rfc_vectors)
        BOOST_TEST(protocol::base64_encode(plain) == encoded);
}

BOOST_AUTO_TEST_CASE(encode_appends)
{
    std::string out = "b";
    protocol::base64_encode(std::string_view("\x01\x02\x03\x04", 4), out);
    BOOST_TEST(out == "bAQIDBA==");
}

BOOST_AUTO_TEST_CASE(decode_padded_and_unpadded)
{
    for (const auto& [plain, encoded] : rfc_vectors) {
        BOOST_TEST_CONTEXT("input " << encoded)
        {
            const auto padded = protocol::base64_decode(encoded);
            BOOST_TEST_REQUIRE(padded.has_value());
            BOOST_TEST(*padded == plain);
            const auto unpadded = protocol::base64_decode(strip_padding(encoded));
            BOOST_TEST_REQUIRE(unpadded.has_value());
            BOOST_TEST(*unpadded == plain);
        }
    }
}

BOOST_AUTO_TEST_CASE(round_trip_every_byte)
{
    std::string bytes;
    for (int i = 0; i < 256; ++i)
        bytes.push_back(static_cast<char>(i));
    for (std::size_t len = 0; len <= bytes.size(); len += 37) {
        const auto part = std::string_view(bytes).substr(0, len);
        const auto decoded = protocol::base64_decode(protocol::base64_encode(part));
        BOOST_TEST_REQUIRE(decoded.has_value());
        BOOST_TEST(*decoded == part);
    }
    const auto all = protocol::base64_decode(protocol::base64_encode(bytes));
    BOOST_TEST_REQUIRE(all.has_value());
    BOOST_TEST(*all == bytes);
}

BOOST_AUTO_TEST_CASE(uses_standard_alphabet)
{
    BOOST_TEST(protocol::base64_encode(std::string_view("\xfb\xff\xbf", 3)) == "+/+/");
    const auto decoded = protocol::base64_decode("+/+/");
    BOOST_TEST_REQUIRE(decoded.has_value());
    BOOST_TEST(*decoded == std::string_view("\xfb\xff\xbf", 3));
}

BOOST_AUTO_TEST_CASE(malformed_inputs)
{
    const std::vector<std::string_view> malformed{
        "Z",          // one character cannot hold a byte
        "Zm9vY",      // 5 characters: same, in the last group
        "Zg=",        // padded but not a multiple of 4
        "Zm9=v",      // padding before data
        "Zg===",      // three padding characters
        "=",          // padding only
        "==",         //
        "====",       //
        "Z===",       // padding where a byte would be cut in half
        "Zm9v=",      // padding after a complete group
        "Zm9vYg=",    // padding short by one
        "Zm8==",      // padding long by one
        "Zg==Zg==",   // padding in the middle
        "Zm=9",       // '=' inside a group
        "Zm9v!",      // character outside the alphabet
        "Zm9 v",      // whitespace
        "Zm9v\n",     // line break
        "Zm-_",       // URL-safe alphabet
        "Zm\x80v",    // non-ASCII byte
        std::string_view("Zm\0v", 4),
    };
    for (const auto input : malformed) {
        BOOST_TEST_CONTEXT("input '" << input << "'")
        {
            const auto r = protocol::base64_decode(input);
            BOOST_TEST(r.has_error());
            BOOST_TEST(r.error() == protocol::make_error_code(error::invalid_base64));
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
