#include <corio/redis/endpoint.hpp>
#include <corio/redis/error.hpp>

#include <boost/test/unit_test.hpp>

#include <set>
#include <string>

namespace redis = corio::redis;

BOOST_AUTO_TEST_SUITE(url)

BOOST_AUTO_TEST_CASE(host_alone_takes_the_defaults)
{
    auto e = redis::parse_url("redis://localhost");
    BOOST_REQUIRE(e);
    BOOST_TEST(e->host == "localhost");
    BOOST_TEST(e->port == "6379");
    BOOST_TEST(e->unix_path.empty());
    BOOST_TEST(e->user.empty());
    BOOST_TEST(e->password.empty());
    BOOST_TEST(e->db == 0);
}

BOOST_AUTO_TEST_CASE(port_and_db)
{
    auto e = redis::parse_url("redis://10.1.2.3:6380/2");
    BOOST_REQUIRE(e);
    BOOST_TEST(e->host == "10.1.2.3");
    BOOST_TEST(e->port == "6380");
    BOOST_TEST(e->db == 2);

    auto slash = redis::parse_url("redis://h:1/");
    BOOST_REQUIRE(slash);
    BOOST_TEST(slash->db == 0);
    BOOST_TEST(slash->port == "1");
}

BOOST_AUTO_TEST_CASE(password_only_and_user_with_password)
{
    auto p = redis::parse_url("redis://:secret@h");
    BOOST_REQUIRE(p);
    BOOST_TEST(p->user.empty());
    BOOST_TEST(p->password == "secret");

    auto u = redis::parse_url("redis://alice:wonder@h:7000/15");
    BOOST_REQUIRE(u);
    BOOST_TEST(u->user == "alice");
    BOOST_TEST(u->password == "wonder");
    BOOST_TEST(u->port == "7000");
    BOOST_TEST(u->db == 15);
}

BOOST_AUTO_TEST_CASE(user_and_password_are_percent_decoded)
{
    auto e = redis::parse_url("redis://al%69ce%40x:p%40ss%3Aw%2Fo%25rd%20@h");
    BOOST_REQUIRE(e);
    BOOST_TEST(e->user == "alice@x");
    BOOST_TEST(e->password == "p@ss:w/o%rd ");
}

BOOST_AUTO_TEST_CASE(ipv6_literals_lose_their_brackets)
{
    auto e = redis::parse_url("redis://[::1]:6390/3");
    BOOST_REQUIRE(e);
    BOOST_TEST(e->host == "::1");
    BOOST_TEST(e->port == "6390");
    BOOST_TEST(e->db == 3);

    auto bare = redis::parse_url("redis://[2001:db8::7]");
    BOOST_REQUIRE(bare);
    BOOST_TEST(bare->host == "2001:db8::7");
    BOOST_TEST(bare->port == "6379");
}

BOOST_AUTO_TEST_CASE(scheme_is_case_insensitive)
{
    BOOST_TEST(redis::parse_url("REDIS://h").has_value());
    BOOST_TEST(redis::parse_url("Unix:///tmp/r.sock").has_value());
}

BOOST_AUTO_TEST_CASE(unix_sockets)
{
    auto e = redis::parse_url("unix:///var/run/redis/redis.sock");
    BOOST_REQUIRE(e);
    BOOST_TEST(e->unix_path == "/var/run/redis/redis.sock");
    BOOST_TEST(e->db == 0);
    BOOST_TEST(e->password.empty());

    auto full = redis::parse_url("unix://bob:pa%3Ass@/tmp/my%20redis.sock?db=4");
    BOOST_REQUIRE(full);
    BOOST_TEST(full->unix_path == "/tmp/my redis.sock");
    BOOST_TEST(full->user == "bob");
    BOOST_TEST(full->password == "pa:ss");
    BOOST_TEST(full->db == 4);

    auto pw = redis::parse_url("unix://:pw@/s");
    BOOST_REQUIRE(pw);
    BOOST_TEST(pw->user.empty());
    BOOST_TEST(pw->password == "pw");
    BOOST_TEST(pw->unix_path == "/s");
}

BOOST_AUTO_TEST_CASE(anything_else_is_an_invalid_url)
{
    for (const char* bad : {
             "",
             "localhost:6379",
             "redis:",
             "redis://",
             "redis:///0",
             "redis://:6379",
             "http://h",
             "rediss://h", // TLS: not supported yet
             "tcp://h:6379",
             "redis://h:0",
             "redis://h:65536",
             "redis://h:-1",
             "redis://h:abc",
             "redis://h:",
             "redis://h/x",
             "redis://h/-1",
             "redis://h/+1",
             "redis://h/1/2",
             "redis://h//1",
             "redis://h/99999999999",
             "redis://h/2147483648",
             "redis://h?db=1",
             "redis://h/1?x=y",
             "redis://h#frag",
             "redis://user@h", // a user needs a password
             "redis://[::1",
             "redis://h:6379 /1",
             "redis://:p%zz@h",
             "unix://",
             "unix:/tmp/r.sock",
             "unix:///",
             "unix://host/tmp/r.sock",
             "unix://:6379/tmp/r.sock",
             "unix:///tmp/r.sock?db=x",
             "unix:///tmp/r.sock?db=",
             "unix:///tmp/r.sock?db",
             "unix:///tmp/r.sock?db=1&db=2",
             "unix:///tmp/r.sock?timeout=1",
             "unix:///tmp/r.sock?",
             "unix:///tmp/r.sock#x",
             "unix://user@/tmp/r.sock",
         }) {
        auto e = redis::parse_url(bad);
        BOOST_TEST(!e, "accepted: " << bad);
        if (!e)
            BOOST_TEST(e.error() == make_error_code(redis::error::invalid_url), bad);
    }
}

BOOST_AUTO_TEST_CASE(errors_have_their_category_and_messages)
{
    std::set<std::string> messages;
    for (auto e : {redis::error::invalid_url, redis::error::not_connected, redis::error::connection_lost,
                   redis::error::protocol_error, redis::error::closed}) {
        boost::system::error_code ec = e;
        BOOST_TEST(ec.category().name() == std::string("corio.redis"));
        BOOST_TEST(&ec.category() == &redis::redis_category());
        BOOST_TEST(!ec.message().empty());
        messages.insert(ec.message());
    }
    BOOST_TEST(messages.size() == 5u);
}

BOOST_AUTO_TEST_SUITE_END()
