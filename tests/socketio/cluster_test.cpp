// Two corio::servers in one process, joined by in_process_cluster's adapter:
// every cluster operation acts across both, through the adapter seam alone.

#include "in_process_cluster.hpp"
#include "server_fixture.hpp"

#include <corio/server.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <set>

using namespace corio_test;

namespace {

struct two_servers : io_driver {
    std::shared_ptr<in_process_cluster> cluster = std::make_shared<in_process_cluster>(ioc);
    corio::server one{ioc.get_executor(), options(0)};
    corio::server two{ioc.get_executor(), options(1)};

    two_servers()
    {
        setup(one, "one");
        setup(two, "two");
    }

    corio::server_options options(int server)
    {
        auto o = server_fixture::options();
        o.make_adapter = cluster->factory_for(server);
        o.cluster_timeout = 300ms;
        return o;
    }

    static void setup(corio::server& io, std::string name)
    {
        io.of("/")
            .on_connect([name](corio::context& ctx) { ctx.set_shared_data(json::object{{"node", name}}); })
            .on("join", [](corio::context& ctx, std::string room) {
                ctx.join(std::move(room));
                return true;
            })
            .on("to_room", [](corio::context& ctx, std::string room, std::string text) {
                ctx.to(std::move(room)).emit("said", text);
                return true;
            });
        io.of("/").on_server_event("whoami", [name](corio::arguments) { return corio::arguments::of(name); });
        io.of("/").on_server_event("boom", [](corio::arguments) -> corio::arguments {
            throw std::runtime_error("kaput");
        });
    }

    std::unique_ptr<corio::testing::client> client(corio::server& io)
    {
        return std::make_unique<corio::testing::client>(io, ioc);
    }

    std::size_t said(corio::testing::client& c)
    {
        drive_until([] { return false; }, 50ms); // let posted cluster messages land
        // get_received takes the events out: each count is of new ones.
        auto events = c.get_received();
        return std::count_if(events.begin(), events.end(), [](auto& e) { return e.event == "said"; });
    }

    std::set<std::string> ids(corio::broadcast_operator op)
    {
        auto sockets = await(op.fetch_sockets());
        BOOST_TEST_REQUIRE(sockets.has_value());
        std::set<std::string> out;
        for (auto& s : *sockets)
            out.insert(s.id());
        return out;
    }
};

std::multiset<std::string> first_strings(const std::vector<corio::arguments>& answers)
{
    std::multiset<std::string> out;
    for (auto& a : answers)
        out.insert(str(a, 0));
    return out;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(cluster, two_servers)

BOOST_AUTO_TEST_CASE(a_broadcast_reaches_the_members_on_both_servers_once)
{
    auto a = client(one), b = client(one), c = client(two), d = client(two);
    for (auto* x : {a.get(), b.get(), c.get()})
        x->emit_with_ack("join", "room");
    d->emit_with_ack("join", "elsewhere");

    a->emit_with_ack("to_room", "room", "hi"); // from server one: b and c, never a
    BOOST_TEST(said(*a) == 0u);
    BOOST_TEST(said(*b) == 1u);
    BOOST_TEST(said(*c) == 1u);
    BOOST_TEST(said(*d) == 0u);

    one.to("room").except(c->sid()).emit("said", "all but c"); // from the server itself
    BOOST_TEST(said(*b) == 1u);
    BOOST_TEST(said(*a) == 1u);
    BOOST_TEST(said(*c) == 0u);

    two.emit("said", "everyone");
    for (auto* x : {a.get(), b.get(), c.get(), d.get()})
        BOOST_TEST(x->wait_for("said").has_value());

    two.local().to("room").emit("said", "only here"); // socket.io's local flag
    BOOST_TEST(said(*c) == 1u);
    BOOST_TEST(said(*a) == 0u);
    BOOST_TEST(said(*b) == 0u);
}

BOOST_AUTO_TEST_CASE(fetch_sockets_describes_the_sockets_of_both_servers)
{
    auto a = client(one), c = client(two);
    a->emit_with_ack("join", "room");
    c->emit_with_ack("join", "room");
    auto fetched = await(one.to("room").fetch_sockets());
    BOOST_TEST_REQUIRE(fetched.has_value());
    BOOST_TEST_REQUIRE(fetched->size() == 2u);
    std::map<std::string, const corio::remote_socket*> by_id;
    for (auto& s : *fetched)
        by_id[s.id()] = &s;
    BOOST_TEST_REQUIRE(by_id.count(c->sid()) == 1u);
    const auto& remote = *by_id[c->sid()];
    BOOST_TEST(remote.data().at("node") == "two");
    auto rooms = remote.rooms();
    std::sort(rooms.begin(), rooms.end());
    std::vector<std::string> expected{c->sid(), "room"};
    std::sort(expected.begin(), expected.end());
    BOOST_TEST(rooms == expected);
    BOOST_TEST(remote.handshake().at("address") == "127.0.0.1");
    BOOST_TEST(remote.handshake().contains("headers"));
    BOOST_TEST(remote.handshake().contains("issued"));

    BOOST_TEST((ids(two.local().to("room")) == std::set<std::string>{c->sid()}));
    BOOST_TEST(ids(one.to("nobody")).empty());
}

BOOST_AUTO_TEST_CASE(join_leave_and_disconnect_by_selector_act_on_both_servers)
{
    auto a = client(one), c = client(two), d = client(two);
    a->emit_with_ack("join", "lobby");
    c->emit_with_ack("join", "lobby");

    auto joined = await(one.to("lobby").async_sockets_join("game"));
    BOOST_TEST(joined.has_value());
    BOOST_TEST((ids(two.to("game")) == std::set<std::string>{a->sid(), c->sid()}));

    auto left = await(two.to("game").except(a->sid()).async_sockets_leave("game"));
    BOOST_TEST(left.has_value());
    BOOST_TEST((ids(one.to("game")) == std::set<std::string>{a->sid()}));

    one.of("/").close_room("game"); // fire and forget: the effect lands shortly after
    BOOST_TEST(drive_until([&] { return ids(two.to("game")).empty(); }));

    auto kicked = await(one.to("lobby").async_disconnect_sockets(true));
    BOOST_TEST(kicked.has_value());
    BOOST_TEST(drive_until([&] { return a->server_disconnected() && c->server_disconnected(); }));
    BOOST_TEST(drive_until([&] { return a->engine_closed() && c->engine_closed(); }));
    BOOST_TEST(!d->server_disconnected());
    BOOST_TEST(!d->engine_closed());
    BOOST_TEST((ids(one.to(d->sid())) == std::set<std::string>{d->sid()}));
}

BOOST_AUTO_TEST_CASE(a_remote_socket_is_reached_wherever_it_is)
{
    auto a = client(one), c = client(two);
    auto fetched = await(one.to(c->sid()).fetch_sockets());
    BOOST_TEST_REQUIRE(fetched.has_value());
    BOOST_TEST_REQUIRE(fetched->size() == 1u);
    const auto& remote = fetched->front();

    remote.emit("hello", 1);
    auto hello = c->wait_for("hello");
    BOOST_TEST_REQUIRE(hello.has_value());
    BOOST_TEST(hello->args.values()[0] == 1);

    remote.join("vip");
    BOOST_TEST(drive_until([&] { return ids(one.to("vip")) == std::set<std::string>{c->sid()}; }));
    remote.leave("vip");
    BOOST_TEST(drive_until([&] { return ids(one.to("vip")).empty(); }));
    remote.disconnect();
    BOOST_TEST(drive_until([&] { return c->server_disconnected(); }));
    BOOST_TEST(!c->engine_closed());
    BOOST_TEST(!a->server_disconnected());
}

BOOST_AUTO_TEST_CASE(a_broadcast_with_acks_waits_for_every_socket_on_every_server)
{
    auto a = client(one), c = client(two), silent = client(two);
    for (auto* x : {a.get(), c.get(), silent.get()})
        x->emit_with_ack("join", "poll");
    a->on_ack_request([](const auto&) { return corio::arguments::of("a"); });
    c->on_ack_request([](const auto&) { return corio::arguments::of("c"); });

    auto answered = await(one.to("poll").except(silent->sid()).emit_with_ack(2s, "vote"));
    BOOST_TEST_REQUIRE(answered.has_value());
    BOOST_TEST((first_strings(*answered) == std::multiset<std::string>{"a", "c"}));

    auto timed_out = await(two.to("poll").emit_with_ack(200ms, "vote"));
    BOOST_TEST((timed_out.error() == corio::error::ack_timeout));

    auto empty = await(one.to("nobody").emit_with_ack(10s, "vote"));
    BOOST_TEST_REQUIRE(empty.has_value());
    BOOST_TEST(empty->empty());
}

BOOST_AUTO_TEST_CASE(server_side_emit_reaches_the_other_servers_only)
{
    std::vector<std::string> heard;
    one.of("/").on_server_event("note", [&](corio::arguments args) {
        heard.push_back("one:" + str(args, 0));
        return corio::arguments{};
    });
    two.of("/").on_server_event("note", [&](corio::arguments args) {
        heard.push_back("two:" + str(args, 0));
        return corio::arguments{};
    });
    one.server_side_emit("note", "x");
    BOOST_TEST(drive_until([&] { return !heard.empty(); }));
    drive_until([] { return false; }, 50ms);
    BOOST_TEST((heard == std::vector<std::string>{"two:x"}));

    auto replies = await(two.server_side_emit_with_ack("whoami"));
    BOOST_TEST_REQUIRE(replies.has_value());
    BOOST_TEST_REQUIRE(replies->size() == 1u);
    BOOST_TEST(str(replies->front(), 0) == "one");

    // A handler that throws answers nothing: the emitter times out.
    auto failed = await(one.server_side_emit_with_ack("boom"));
    BOOST_TEST((failed.error() == corio::error::cluster_timeout));
}

BOOST_AUTO_TEST_CASE(a_server_that_does_not_answer_makes_requests_time_out_and_a_cut_off_one_fails_fast)
{
    auto a = client(one), c = client(two);
    cluster->cut_off(1, true); // server two hears nothing and answers nothing

    auto fetched = await(one.fetch_sockets());
    BOOST_TEST((fetched.error() == corio::error::cluster_timeout));
    auto replies = await(one.server_side_emit_with_ack("whoami"));
    BOOST_TEST((replies.error() == corio::error::cluster_timeout));

    // Server two itself knows it is cut off: it fails at once, and still
    // serves its own sockets.
    auto from_two = await(two.fetch_sockets());
    BOOST_TEST((from_two.error() == corio::error::cluster_unavailable));
    two.emit("said", "local still works");
    BOOST_TEST(c->wait_for("said").has_value());
    BOOST_TEST((ids(two.local()) == std::set<std::string>{c->sid()}));

    cluster->cut_off(1, false);
    BOOST_TEST((ids(one.of("/").all()) == std::set<std::string>{a->sid(), c->sid()}));
}

BOOST_AUTO_TEST_SUITE_END()
