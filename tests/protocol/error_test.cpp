#include <corio/protocol/error.hpp>

#include <boost/test/unit_test.hpp>

#include <set>
#include <string>

namespace protocol = corio::protocol;
using protocol::error;

BOOST_AUTO_TEST_SUITE(error_category)

BOOST_AUTO_TEST_CASE(category_name)
{
    BOOST_TEST(std::string(protocol::protocol_category().name()) == "corio.protocol");
    const boost::system::error_code ec = error::invalid_json;
    BOOST_TEST(&ec.category() == &protocol::protocol_category());
    BOOST_TEST(ec == protocol::make_error_code(error::invalid_json));
    BOOST_TEST(ec.value() == static_cast<int>(error::invalid_json));
}

BOOST_AUTO_TEST_CASE(every_enumerator_has_its_own_message)
{
    std::set<std::string> messages;
    const int first = static_cast<int>(error::empty_packet);
    const int last = static_cast<int>(error::invalid_payload_length);
    for (int e = first; e <= last; ++e) {
        const auto message = protocol::make_error_code(static_cast<error>(e)).message();
        BOOST_TEST_CONTEXT("enumerator " << e)
        {
            BOOST_TEST(!message.empty());
            BOOST_TEST(message.find("unknown corio.protocol") == std::string::npos);
        }
        messages.insert(message);
    }
    BOOST_TEST(messages.size() == static_cast<std::size_t>(last - first + 1));
}

BOOST_AUTO_TEST_CASE(unknown_value_still_has_a_message)
{
    const boost::system::error_code ec(999, protocol::protocol_category());
    BOOST_TEST(!ec.message().empty());
}

BOOST_AUTO_TEST_CASE(result_carries_the_error)
{
    const protocol::result<int> r = error::too_many_packets;
    BOOST_TEST(r.has_error());
    BOOST_TEST(r.error() == protocol::make_error_code(error::too_many_packets));
}

BOOST_AUTO_TEST_SUITE_END()
