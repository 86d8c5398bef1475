// The subscriber against a real redis-server: SUBSCRIBE, PSUBSCRIBE and
// SSUBSCRIBE receiving what the command connection publishes.

#include "redis_loop.hpp"
#include "redis_server.hpp"

#include <corio/redis/connection.hpp>
#include <corio/redis/subscriber.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

namespace redis = corio::redis;
using namespace corio_test;
using namespace std::string_literals;

namespace {

// A message with its views copied out.
struct received {
    std::string channel;
    std::string pattern;
    std::string payload;
};

struct subscribed : redis_loop {
    redis_server server;
    std::shared_ptr<redis::connection> pub = connect(server.tcp());
    std::shared_ptr<redis::subscriber> sub = redis::subscriber::create(ioc.get_executor(), options(server.tcp()));
    std::vector<received> got;
    std::vector<bool> states;

    subscribed()
    {
        sub->on_message([this](const redis::message& m) {
            got.push_back({std::string(m.channel), std::string(m.pattern), std::string(m.payload)});
        });
        sub->on_state([this](bool up) { states.push_back(up); });
    }

    ~subscribed()
    {
        sub->close();
        pub->close();
    }

    // Publishes and returns how many subscribers Redis delivered to.
    std::int64_t publish(std::string channel, std::string payload, const char* verb = "PUBLISH")
    {
        auto r = exec(*pub, {verb, std::move(channel), std::move(payload)});
        BOOST_REQUIRE(r);
        BOOST_REQUIRE(!r->is_error());
        return r->integer;
    }

    // How many clients Redis counts on `channel`.
    std::int64_t numsub(std::string channel)
    {
        auto r = exec(*pub, {"PUBSUB", "NUMSUB", std::move(channel)});
        BOOST_REQUIRE(r);
        BOOST_REQUIRE(r->elements.size() == 2u);
        return r->elements[1].integer;
    }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(subscriber, subscribed)

BOOST_AUTO_TEST_CASE(channels_patterns_and_shard_channels)
{
    std::string binary_channel = "bin\0\xff"s;
    sub->subscribe("news");
    sub->subscribe(binary_channel);
    sub->psubscribe("ev.*");
    sub->ssubscribe("shard{1}");
    sub->start();
    BOOST_REQUIRE(drive_until([&] { return sub->connected(); }));
    BOOST_TEST(states == std::vector<bool>{true});

    std::string payload = "\0\r\n*1\r\n\xfe"s;
    std::string big(300'000, 'x');
    BOOST_TEST(publish("news", payload) == 1);
    BOOST_TEST(publish(binary_channel, big) == 1);
    BOOST_TEST(publish("ev.login", "alice") == 1);
    BOOST_TEST(publish("shard{1}", "sharded\0"s, "SPUBLISH") == 1);
    BOOST_REQUIRE(drive_until([&] { return got.size() == 4; }));
    BOOST_TEST(got[0].channel == "news");
    BOOST_TEST(got[0].pattern == "");
    BOOST_TEST((got[0].payload == payload));
    BOOST_TEST((got[1].channel == binary_channel));
    BOOST_TEST((got[1].payload == big));
    BOOST_TEST(got[2].channel == "ev.login");
    BOOST_TEST(got[2].pattern == "ev.*");
    BOOST_TEST(got[2].payload == "alice");
    BOOST_TEST(got[3].channel == "shard{1}");
    BOOST_TEST(got[3].pattern == "");
    BOOST_TEST((got[3].payload == "sharded\0"s));
}

BOOST_AUTO_TEST_CASE(up_means_every_subscription_is_confirmed)
{
    // Published from the state handler itself: each reaches the subscriber
    // only if Redis had registered every subscription before it was told.
    std::vector<std::int64_t> delivered_to;
    sub->on_state([&](bool up) {
        if (!up)
            return;
        for (const char* ch : {"a", "b", "p.x", "s"}) {
            const char* verb = std::string_view(ch) == "s" ? "SPUBLISH" : "PUBLISH";
            pub->exec({verb, ch, "m"}, [&](auto r) { delivered_to.push_back(r ? r->integer : -1); });
        }
    });
    sub->subscribe("a");
    sub->subscribe("b");
    sub->psubscribe("p.*");
    sub->ssubscribe("s");
    sub->start();
    BOOST_REQUIRE(drive_until([&] { return delivered_to.size() == 4; }));
    BOOST_TEST(delivered_to == (std::vector<std::int64_t>{1, 1, 1, 1}));
    BOOST_REQUIRE(drive_until([&] { return got.size() == 4; }));
}

BOOST_AUTO_TEST_CASE(subscriptions_made_while_up_and_removed)
{
    sub->start();
    BOOST_REQUIRE(drive_until([&] { return sub->connected(); }));
    // Nothing to restore: up at once.
    BOOST_TEST(states == std::vector<bool>{true});

    sub->subscribe("late");
    sub->psubscribe("late.*");
    sub->ssubscribe("late-shard");
    BOOST_REQUIRE(drive_until([&] { return numsub("late") == 1; }));
    // The other two reach Redis on another connection than the PUBLISHes:
    // wait for each.
    BOOST_REQUIRE(drive_until([&] { return publish("late.x", "p") == 1; }));
    BOOST_REQUIRE(drive_until([&] { return publish("late-shard", "s", "SPUBLISH") == 1; }));
    BOOST_REQUIRE(drive_until([&] { return got.size() == 2; }));
    BOOST_TEST(got[0].pattern == "late.*");
    BOOST_TEST(got[1].channel == "late-shard");

    sub->unsubscribe("late");
    sub->punsubscribe("late.*");
    sub->sunsubscribe("late-shard");
    sub->unsubscribe("never-subscribed");
    BOOST_REQUIRE(drive_until([&] { return numsub("late") == 0; }));
    BOOST_REQUIRE(drive_until([&] { return publish("late.x", "p") == 0; }));
    BOOST_REQUIRE(drive_until([&] { return publish("late-shard", "s", "SPUBLISH") == 0; }));
    // Still subscribed to nothing, and still connected.
    sub->subscribe("last");
    BOOST_REQUIRE(drive_until([&] { return numsub("last") == 1; }));
    BOOST_TEST(publish("last", "word") == 1);
    BOOST_REQUIRE(drive_until([&] { return got.size() == 3; }));
    BOOST_TEST(got[2].payload == "word");
    BOOST_TEST(sub->connected());
}

BOOST_AUTO_TEST_CASE(close_stops_the_messages)
{
    sub->subscribe("c");
    sub->start();
    BOOST_REQUIRE(drive_until([&] { return sub->connected(); }));
    std::weak_ptr<redis::subscriber> weak = sub;
    sub->close();
    BOOST_REQUIRE(drive_until([&] { return numsub("c") == 0; }));
    BOOST_TEST(publish("c", "after") == 0);
    poll();
    BOOST_TEST(got.empty());
    BOOST_TEST(!sub->connected());
    BOOST_TEST(states == std::vector<bool>{true});
    // Nothing pending holds it any more.
    sub.reset();
    BOOST_REQUIRE(drive_until([&] { return weak.expired(); }));
    sub = redis::subscriber::create(ioc.get_executor(), options(server.tcp()));
}

BOOST_AUTO_TEST_SUITE_END()
