// Redis going away and coming back: the connection and the subscriber
// reconnect by themselves; what was written fails, what was queued is sent;
// the queue is bounded; close() ends everything.

#include "redis_loop.hpp"
#include "redis_server.hpp"

#include <corio/redis/connection.hpp>
#include <corio/redis/subscriber.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <vector>

namespace redis = corio::redis;
using namespace corio_test;
using result = boost::system::result<redis::reply>;

namespace {

bool failed_with(const std::optional<result>& r, redis::error e)
{
    return r && !*r && r->error() == make_error_code(e);
}

// Blocks until Redis counts `n` clients blocked (say, in BLPOP): the command
// was written and is in flight.
void wait_blocked(redis_loop& loop, redis::connection& admin, int n)
{
    std::string want = "blocked_clients:" + std::to_string(n) + "\r";
    BOOST_REQUIRE(loop.drive_until([&] {
        auto info = loop.exec(admin, {"INFO", "clients"});
        return info && info->str.find(want) != std::string::npos;
    }));
}

} // namespace

BOOST_AUTO_TEST_SUITE(reconnect)

BOOST_AUTO_TEST_CASE(connection_survives_a_restart)
{
    redis_server server;
    redis_loop loop;
    auto c = redis::connection::create(loop.ioc.get_executor(), loop.options(server.tcp()));
    std::vector<bool> states;
    c->on_state([&](bool up) { states.push_back(up); });
    c->start();
    BOOST_REQUIRE(loop.drive_until([&] { return c->connected(); }));
    BOOST_TEST(c->reconnects() == 0u);
    auto admin = loop.connect(server.tcp());

    // Written and waiting for its reply when Redis dies.
    std::optional<result> blocked;
    c->exec({"BLPOP", "nothing", "0"}, [&](result r) { blocked = std::move(r); });
    wait_blocked(loop, *admin, 1);

    server.stop();
    BOOST_REQUIRE(loop.drive_until([&] { return states.size() == 2; }));
    BOOST_TEST(states == (std::vector<bool>{true, false}));
    BOOST_TEST(!c->connected());
    BOOST_REQUIRE(loop.drive_until([&] { return blocked.has_value(); }));
    BOOST_TEST(failed_with(blocked, redis::error::connection_lost), describe(*blocked));

    // Queued while Redis is away, sent in order once it is back.
    std::vector<std::string> got;
    c->exec({"SET", "k", "queued"}, [&](result r) { got.push_back(r ? r->str : "failed"); });
    c->exec({"GET", "k"}, [&](result r) { got.push_back(r ? r->str : "failed"); });
    // Attempts fail (connection refused) and are retried meanwhile.
    std::size_t warned = loop.warnings.size();
    BOOST_REQUIRE(loop.drive_until([&] { return loop.warnings.size() >= warned + 2; }));
    BOOST_TEST(got.empty());

    server.restart();
    BOOST_REQUIRE(loop.drive_until([&] { return got.size() == 2; }));
    BOOST_TEST(got[0] == "OK");
    BOOST_TEST(got[1] == "queued");
    BOOST_TEST(states == (std::vector<bool>{true, false, true}));
    BOOST_TEST(c->connected());
    BOOST_TEST(c->reconnects() == 1u);
    c->close();
    admin->close();
}

BOOST_AUTO_TEST_CASE(subscriptions_are_restored_after_a_restart)
{
    redis_server server;
    redis_loop loop;
    auto sub = redis::subscriber::create(loop.ioc.get_executor(), loop.options(server.tcp()));
    std::vector<std::string> got;
    std::vector<bool> states;
    sub->on_message([&](const redis::message& m) {
        got.push_back(std::string(m.pattern) + "|" + std::string(m.channel) + "|" + std::string(m.payload));
    });
    sub->on_state([&](bool up) { states.push_back(up); });
    // More channels than one restore command carries.
    for (int i = 0; i < 600; ++i)
        sub->subscribe("ch" + std::to_string(i));
    sub->psubscribe("pat.*");
    sub->ssubscribe("sh");
    sub->start();
    auto pub = loop.connect(server.tcp());
    BOOST_REQUIRE(loop.drive_until([&] { return sub->connected(); }));
    BOOST_TEST(sub->reconnects() == 0u);

    server.stop();
    BOOST_REQUIRE(loop.drive_until([&] { return states.size() == 2; }));
    BOOST_TEST(!sub->connected());
    // Changes while away are part of the restore.
    sub->unsubscribe("ch0");
    sub->subscribe("while-away");

    server.restart();
    BOOST_REQUIRE(loop.drive_until([&] { return sub->connected() && pub->connected(); }));
    BOOST_TEST(states == (std::vector<bool>{true, false, true}));
    BOOST_TEST(sub->reconnects() == 1u);
    // Up means confirmed: these PUBLISHes find the subscriber at once.
    auto publish = [&](const char* verb, std::string ch) {
        auto r = loop.exec(*pub, {verb, std::move(ch), "after"});
        return r ? r->integer : -1;
    };
    BOOST_TEST(publish("PUBLISH", "ch599") == 1);
    BOOST_TEST(publish("PUBLISH", "pat.1") == 1);
    BOOST_TEST(publish("SPUBLISH", "sh") == 1);
    BOOST_TEST(publish("PUBLISH", "while-away") == 1);
    BOOST_TEST(publish("PUBLISH", "ch0") == 0);
    BOOST_REQUIRE(loop.drive_until([&] { return got.size() == 4; }));
    BOOST_TEST(got == (std::vector<std::string>{"|ch599|after", "pat.*|pat.1|after", "|sh|after",
                                                "|while-away|after"}));
    auto numsub = loop.exec(*pub, {"PUBSUB", "NUMSUB", "ch1", "ch300"});
    BOOST_REQUIRE(numsub);
    BOOST_TEST(numsub->elements.at(1).integer == 1);
    BOOST_TEST(numsub->elements.at(3).integer == 1);
    sub->close();
    pub->close();
}

BOOST_AUTO_TEST_CASE(start_while_redis_is_down)
{
    redis_server server;
    server.stop();
    redis_loop loop;
    auto c = redis::connection::create(loop.ioc.get_executor(), loop.options(server.tcp()));
    std::optional<result> got;
    c->exec({"PING"}, [&](result r) { got = std::move(r); });
    c->start();
    BOOST_REQUIRE(loop.drive_until([&] { return loop.warnings.size() >= 2; }));
    BOOST_TEST(loop.warnings[0].find("cannot connect") != std::string::npos, loop.warnings[0]);
    BOOST_TEST(!got.has_value());
    server.restart();
    BOOST_REQUIRE(loop.drive_until([&] { return got.has_value(); }));
    BOOST_REQUIRE(*got);
    BOOST_TEST((*got)->str == "PONG");
    c->close();
}

BOOST_AUTO_TEST_CASE(exec_if_connected_is_not_queued_while_away)
{
    redis_server server;
    server.stop();
    redis_loop loop;
    auto c = redis::connection::create(loop.ioc.get_executor(), loop.options(server.tcp()));
    c->start();
    std::optional<result> queued, refused;
    c->exec({"SET", "k", "queued"}, [&](result r) { queued = std::move(r); });
    c->exec_if_connected({"SET", "k", "late"}, [&](result r) { refused = std::move(r); });
    BOOST_REQUIRE(loop.drive_until([&] { return refused.has_value(); }));
    BOOST_TEST(failed_with(refused, redis::error::not_connected), describe(*refused));
    BOOST_TEST(!queued.has_value());
    // Once Redis is back, the queued SET runs, the refused one never does.
    server.restart();
    BOOST_REQUIRE(loop.drive_until([&] { return queued.has_value(); }));
    BOOST_REQUIRE(*queued);
    std::optional<result> value, again;
    c->exec({"GET", "k"}, [&](result r) { value = std::move(r); });
    c->exec_if_connected({"PING"}, [&](result r) { again = std::move(r); });
    BOOST_REQUIRE(loop.drive_until([&] { return value.has_value() && again.has_value(); }));
    BOOST_REQUIRE(*value);
    BOOST_TEST((*value)->str == "queued");
    BOOST_REQUIRE(*again);
    BOOST_TEST((*again)->str == "PONG");
    c->close();
}

BOOST_AUTO_TEST_CASE(the_queue_kept_while_away_is_bounded)
{
    redis_server server;
    server.stop();
    redis_loop loop;
    auto o = loop.options(server.tcp());
    o.max_queued_bytes = 200;
    auto c = redis::connection::create(loop.ioc.get_executor(), o);
    c->start();
    std::optional<result> small, too_big, after;
    // *3 $3 SET $1 k $5 small: 33 bytes, kept.
    c->exec({"SET", "k", "small"}, [&](result r) { small = std::move(r); });
    c->exec({"SET", "k2", std::string(300, 'x')}, [&](result r) { too_big = std::move(r); });
    BOOST_REQUIRE(loop.drive_until([&] { return too_big.has_value(); }));
    BOOST_TEST(failed_with(too_big, redis::error::not_connected), describe(*too_big));
    BOOST_TEST(!small.has_value());
    // What fits still fits.
    c->exec({"GET", "k"}, [&](result r) { after = std::move(r); });
    server.restart();
    BOOST_REQUIRE(loop.drive_until([&] { return small && after; }));
    BOOST_TEST((*small && (*small)->str == "OK"));
    BOOST_TEST((*after && (*after)->str == "small"));
    c->close();
}

BOOST_AUTO_TEST_CASE(close_fails_everything_pending_and_calls_nothing_after)
{
    redis_server server;
    redis_loop loop;
    auto c = redis::connection::create(loop.ioc.get_executor(), loop.options(server.tcp()));
    int state_calls = 0;
    c->on_state([&](bool) { ++state_calls; });
    c->start();
    BOOST_REQUIRE(loop.drive_until([&] { return c->connected(); }));
    auto admin = loop.connect(server.tcp());
    std::optional<result> written, before_close, after_close;
    int calls = 0;
    c->exec({"BLPOP", "nothing", "0"}, [&](result r) {
        ++calls;
        written = std::move(r);
    });
    wait_blocked(loop, *admin, 1);
    c->exec({"PING"}, [&](result r) {
        ++calls;
        before_close = std::move(r);
    });
    c->close();
    c->exec({"PING"}, [&](result r) {
        ++calls;
        after_close = std::move(r);
    });
    BOOST_REQUIRE(loop.drive_until([&] { return written && before_close && after_close; }));
    BOOST_TEST(failed_with(written, redis::error::closed), describe(*written));
    BOOST_TEST(failed_with(before_close, redis::error::closed), describe(*before_close));
    BOOST_TEST(failed_with(after_close, redis::error::closed), describe(*after_close));
    BOOST_TEST(!c->connected());
    // Redis dying now tells nobody.
    server.stop();
    std::weak_ptr<redis::connection> weak = c;
    c.reset();
    BOOST_REQUIRE(loop.drive_until([&] { return weak.expired(); }));
    loop.poll();
    BOOST_TEST(calls == 3);
    BOOST_TEST(state_calls == 1);
    admin->close();
}

BOOST_AUTO_TEST_CASE(close_while_away_fails_the_queue)
{
    redis_server server;
    server.stop();
    redis_loop loop;
    auto c = redis::connection::create(loop.ioc.get_executor(), loop.options(server.tcp()));
    c->start();
    std::optional<result> queued;
    c->exec({"PING"}, [&](result r) { queued = std::move(r); });
    BOOST_REQUIRE(loop.drive_until([&] { return !loop.warnings.empty(); }));
    c->close();
    BOOST_REQUIRE(loop.drive_until([&] { return queued.has_value(); }));
    BOOST_TEST(failed_with(queued, redis::error::closed), describe(*queued));
    // The reconnect loop let go of it.
    std::weak_ptr<redis::connection> weak = c;
    c.reset();
    BOOST_REQUIRE(loop.drive_until([&] { return weak.expired(); }));
}

BOOST_AUTO_TEST_CASE(bytes_that_are_not_resp_drop_the_connection)
{
    // A fake server that answers the first command with garbage, then a
    // second connection properly.
    redis_loop loop;
    net::ip::tcp::acceptor fake(loop.ioc, {net::ip::address_v4::loopback(), 0});
    std::vector<std::shared_ptr<net::ip::tcp::socket>> peers;
    std::array<char, 256> sink;
    std::function<void()> accept = [&] {
        fake.async_accept([&](boost::system::error_code ec, net::ip::tcp::socket s) {
            if (ec)
                return;
            auto peer = std::make_shared<net::ip::tcp::socket>(std::move(s));
            peers.push_back(peer);
            std::string answer = peers.size() == 1 ? "?garbage\r\n" : "+PONG\r\n";
            peer->async_read_some(net::buffer(sink), [peer, answer](boost::system::error_code e, std::size_t) {
                if (!e)
                    net::async_write(*peer, net::buffer(answer), [peer](auto, auto) {});
            });
            accept();
        });
    };
    accept();

    redis::endpoint where;
    where.port = std::to_string(fake.local_endpoint().port());
    auto c = redis::connection::create(loop.ioc.get_executor(), loop.options(where));
    std::vector<bool> states;
    c->on_state([&](bool up) { states.push_back(up); });
    c->start();
    std::optional<result> first, second;
    c->exec({"PING"}, [&](result r) { first = std::move(r); });
    BOOST_REQUIRE(loop.drive_until([&] { return first.has_value(); }));
    BOOST_TEST(failed_with(first, redis::error::protocol_error), describe(*first));
    BOOST_REQUIRE(!loop.warnings.empty());
    BOOST_TEST(loop.warnings[0].find("protocol error") != std::string::npos, loop.warnings[0]);
    // It reconnects, to a server that makes sense this time.
    c->exec({"PING"}, [&](result r) { second = std::move(r); });
    BOOST_REQUIRE(loop.drive_until([&] { return second.has_value(); }));
    BOOST_REQUIRE(*second);
    BOOST_TEST((*second)->str == "PONG");
    BOOST_TEST(states == (std::vector<bool>{true, false, true}));
    c->close();
    fake.close();
}

BOOST_AUTO_TEST_SUITE_END()
