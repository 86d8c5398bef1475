// Who the client is behind a reverse proxy: X-Forwarded-For and Forwarded
// are believed from trusted proxies only.

#include <corio/engine/trusted_proxies.hpp>

#include <boost/asio/ip/address.hpp>
#include <boost/test/unit_test.hpp>

#include <stdexcept>

namespace engine = corio::engine;
namespace http = boost::beast::http;
using boost::asio::ip::make_address;

namespace {

engine::http_request with(std::initializer_list<std::pair<std::string, std::string>> fields)
{
    engine::http_request req{http::verb::get, "/", 11};
    for (const auto& [name, value] : fields)
        req.insert(name, value);
    return req;
}

} // namespace

BOOST_AUTO_TEST_SUITE(trusted_proxies)

BOOST_AUTO_TEST_CASE(ranges_match_addresses_and_cidrs_of_both_families)
{
    engine::trusted_proxies t({"127.0.0.1", "10.0.0.0/8", "192.168.1.128/25", "fd00::/8", "::1"});
    BOOST_TEST(t.contains(make_address("127.0.0.1")));
    BOOST_TEST(!t.contains(make_address("127.0.0.2")));
    BOOST_TEST(t.contains(make_address("10.200.3.4")));
    BOOST_TEST(!t.contains(make_address("11.0.0.1")));
    BOOST_TEST(t.contains(make_address("192.168.1.200")));
    BOOST_TEST(!t.contains(make_address("192.168.1.127")));
    BOOST_TEST(t.contains(make_address("::ffff:10.1.2.3"))); // a dual-stack socket's IPv4 peer
    BOOST_TEST(t.contains(make_address("fd12:3456::1")));
    BOOST_TEST(!t.contains(make_address("fe80::1")));
    BOOST_TEST(t.contains(make_address("::1")));
    BOOST_TEST(engine::trusted_proxies({"0.0.0.0/0"}).contains(make_address("203.0.113.9")));
    BOOST_TEST(engine::trusted_proxies().empty());
}

BOOST_AUTO_TEST_CASE(bad_entries_are_refused_by_name)
{
    for (const char* bad : {"proxy.local", "10.0.0.0/33", "10.0.0.0/", "::1/129", "10.0.0.0/8x"}) {
        try {
            engine::trusted_proxies t({bad});
            BOOST_ERROR("accepted " << bad);
        } catch (const std::invalid_argument& e) {
            BOOST_TEST(std::string(e.what()).find(bad) != std::string::npos);
        }
    }
}

BOOST_AUTO_TEST_CASE(the_headers_of_an_untrusted_peer_are_ignored)
{
    engine::trusted_proxies t({"10.0.0.0/8"});
    auto req = with({{"X-Forwarded-For", "1.2.3.4"}, {"Forwarded", "for=5.6.7.8"}});
    BOOST_TEST(t.client_address(req, "203.0.113.9") == "203.0.113.9");
    BOOST_TEST(engine::trusted_proxies().client_address(req, "10.0.0.1") == "10.0.0.1");
}

BOOST_AUTO_TEST_CASE(x_forwarded_for_is_walked_from_the_nearest_hop_to_the_first_untrusted)
{
    engine::trusted_proxies t({"10.0.0.0/8"});
    // The client may send its own X-Forwarded-For: only the hops the trusted
    // proxies appended count.
    BOOST_TEST(t.client_address(with({{"X-Forwarded-For", "6.6.6.6, 198.51.100.7, 10.0.0.2"}}), "10.0.0.1") ==
               "198.51.100.7");
    // Two header lines are one list.
    BOOST_TEST(t.client_address(with({{"X-Forwarded-For", "6.6.6.6"}, {"X-Forwarded-For", "198.51.100.7"}}),
                                "10.0.0.1") == "198.51.100.7");
    // Every hop trusted: the farthest.
    BOOST_TEST(t.client_address(with({{"X-Forwarded-For", "10.9.9.9, 10.0.0.2"}}), "10.0.0.1") == "10.9.9.9");
    // No header: the proxy itself.
    BOOST_TEST(t.client_address(with({}), "10.0.0.1") == "10.0.0.1");
    // Garbage stops the walk at the proxy that wrote it.
    BOOST_TEST(t.client_address(with({{"X-Forwarded-For", "198.51.100.7, unknown"}}), "10.0.0.1") == "10.0.0.1");
    BOOST_TEST(t.client_address(with({{"X-Forwarded-For", "203.0.113.5:4711"}}), "10.0.0.1") == "203.0.113.5");
    BOOST_TEST(t.client_address(with({{"X-Forwarded-For", "2001:db8::17"}}), "::ffff:10.0.0.1") == "2001:db8::17");
}

BOOST_AUTO_TEST_CASE(forwarded_is_preferred_and_read_as_rfc_7239_writes_it)
{
    engine::trusted_proxies t({"10.0.0.0/8"});
    auto req = with({{"Forwarded", R"(for=192.0.2.60;proto=http;by=203.0.113.43, For="[2001:db8:cafe::17]:4711")"},
                     {"X-Forwarded-For", "1.1.1.1"}});
    BOOST_TEST(t.client_address(req, "10.0.0.1") == "2001:db8:cafe::17");
    engine::trusted_proxies all({"10.0.0.0/8", "2001:db8::/32"});
    BOOST_TEST(all.client_address(req, "10.0.0.1") == "192.0.2.60");
    BOOST_TEST(t.client_address(with({{"Forwarded", "for=_hidden"}}), "10.0.0.1") == "10.0.0.1");
    BOOST_TEST(t.client_address(with({{"Forwarded", "proto=https"}}), "10.0.0.1") == "10.0.0.1");
    BOOST_TEST(t.client_address(with({{"Forwarded", "for=\"198.51.100.1:80\""}}), "::ffff:10.0.0.1") ==
               "198.51.100.1");
}

BOOST_AUTO_TEST_SUITE_END()
