// AUTH on connect: a password, an ACL user, a wrong password; and the
// connect timeout that bounds the handshake.

#include "redis_loop.hpp"
#include "redis_server.hpp"

#include <corio/redis/connection.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace redis = corio::redis;
using namespace corio_test;
using kind = redis::reply::kind;

BOOST_AUTO_TEST_SUITE(auth)

BOOST_AUTO_TEST_CASE(password_only)
{
    redis_server server({.requirepass = "s3cr:t"});
    redis_loop loop;
    auto where = redis::parse_url("redis://:s3cr%3At@127.0.0.1:" + std::to_string(server.port()));
    BOOST_REQUIRE(where);
    auto c = loop.connect(*where);
    auto who = loop.exec(*c, {"ACL", "WHOAMI"});
    BOOST_REQUIRE(who);
    BOOST_TEST(who->str == "default");

    // Without the password the connection is up (nothing to check), and
    // Redis answers every command with an error reply.
    auto anonymous = loop.connect(server.tcp());
    auto refused = loop.exec(*anonymous, {"GET", "k"});
    BOOST_REQUIRE(refused);
    BOOST_TEST(refused->is_error());
    BOOST_TEST(refused->str.starts_with("NOAUTH"), refused->str);
    c->close();
    anonymous->close();
}

BOOST_AUTO_TEST_CASE(user_and_password_set_with_acl_setuser)
{
    redis_server server;
    redis_loop loop;
    auto admin = loop.connect(server.tcp());
    auto made = loop.exec(*admin, {"ACL", "SETUSER", "alice", "on", ">wonder land", "~*", "&*", "+@all"});
    BOOST_REQUIRE(made);
    BOOST_TEST(made->str == "OK");

    auto where = server.tcp();
    where.user = "alice";
    where.password = "wonder land";
    where.db = 1;
    auto c = loop.connect(where);
    auto who = loop.exec(*c, {"ACL", "WHOAMI"});
    BOOST_REQUIRE(who);
    BOOST_TEST(who->str == "alice");
    // The link up is logged with Redis's address, never the password.
    auto up = "info Redis link up remote=127.0.0.1:" + std::to_string(server.port());
    BOOST_TEST(std::count(loop.infos.begin(), loop.infos.end(), up) == 2); // admin's and c's
    admin->close();
    c->close();
}

BOOST_AUTO_TEST_CASE(user_from_the_server_configuration)
{
    redis_server server({.users = {{"bob", "on", ">builder", "~*", "&*", "+@all"}}});
    redis_loop loop;
    auto where = redis::parse_url("redis://bob:builder@127.0.0.1:" + std::to_string(server.port()));
    BOOST_REQUIRE(where);
    auto c = loop.connect(*where);
    auto who = loop.exec(*c, {"ACL", "WHOAMI"});
    BOOST_REQUIRE(who);
    BOOST_TEST(who->str == "bob");
    c->close();
}

BOOST_AUTO_TEST_CASE(a_wrong_password_never_comes_up_and_warns)
{
    redis_server server({.requirepass = "right"});
    redis_loop loop;
    auto where = server.tcp();
    where.password = "wrong-S3CRET";
    auto c = redis::connection::create(loop.ioc.get_executor(), loop.options(where));
    int state_calls = 0;
    c->on_state([&](bool) { ++state_calls; });
    std::optional<boost::system::result<redis::reply>> got;
    c->exec({"PING"}, [&](auto r) { got = r; });
    c->start();
    // Refused, retried after the backoff, refused again.
    BOOST_REQUIRE(loop.drive_until([&] { return loop.warnings.size() >= 3; }));
    BOOST_TEST(state_calls == 0);
    BOOST_TEST(!c->connected());
    BOOST_TEST(loop.warnings[0].starts_with("warning Redis connect failed remote="), loop.warnings[0]);
    BOOST_TEST(loop.warnings[0].find("WRONGPASS") != std::string::npos, loop.warnings[0]);
    for (const auto& w : loop.warnings)
        BOOST_TEST(w.find("S3CRET") == std::string::npos, w);
    // The command waits in the queue, and fails with closed.
    BOOST_TEST(!got.has_value());
    c->close();
    BOOST_REQUIRE(loop.drive_until([&] { return got.has_value(); }));
    BOOST_TEST((!*got && got->error() == make_error_code(redis::error::closed)));
    BOOST_TEST(state_calls == 0);
}

BOOST_AUTO_TEST_CASE(a_server_that_never_answers_times_out)
{
    // A listener that accepts and never says a word.
    redis_loop loop;
    net::ip::tcp::acceptor silent(loop.ioc, {net::ip::address_v4::loopback(), 0});
    std::vector<net::ip::tcp::socket> accepted;
    std::function<void()> accept = [&] {
        silent.async_accept([&](boost::system::error_code ec, net::ip::tcp::socket s) {
            if (ec)
                return;
            accepted.push_back(std::move(s));
            accept();
        });
    };
    accept();

    redis::endpoint where;
    where.port = std::to_string(silent.local_endpoint().port());
    where.password = "pw";
    auto o = loop.options(where);
    o.connect_timeout = 200ms;
    auto c = redis::connection::create(loop.ioc.get_executor(), o);
    auto started = std::chrono::steady_clock::now();
    c->start();
    BOOST_REQUIRE(loop.drive_until([&] { return !loop.warnings.empty(); }));
    auto took = std::chrono::steady_clock::now() - started;
    BOOST_TEST(loop.warnings[0].find("timed out") != std::string::npos, loop.warnings[0]);
    BOOST_TEST(took >= 200ms);
    BOOST_TEST(took < 2000ms);
    // It tries again on a new connection.
    BOOST_REQUIRE(loop.drive_until([&] { return accepted.size() >= 2; }));
    BOOST_TEST(!c->connected());
    c->close();
    silent.close();
}

BOOST_AUTO_TEST_SUITE_END()
