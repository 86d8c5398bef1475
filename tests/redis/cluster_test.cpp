// Three corio::servers in one process joined by the Redis adapter through a
// real redis-server: every cluster operation across them, and Redis lost and
// back mid-test, for each variant (classic and sharded Pub/Sub, Redis Streams).

#include "redis_server.hpp"

#include "socketio/server_fixture.hpp"

#include <corio/redis/adapter.hpp>
#include <corio/redis/emitter.hpp>
#include <corio/server.hpp>
#include <corio/testing/client.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <set>
#include <tuple>

using namespace corio_test;

namespace {

enum class variant { classic, sharded, streams };

struct classic_pubsub {
    static constexpr auto kind = variant::classic;
};
struct sharded_pubsub {
    static constexpr auto kind = variant::sharded;
};
struct redis_streams {
    static constexpr auto kind = variant::streams;
};
using variants = std::tuple<classic_pubsub, sharded_pubsub, redis_streams>;

/// One server of the cluster with its connections to Redis (two, or three
/// with the stream's reader).
struct node {
    std::string name;
    std::shared_ptr<corio::redis::connection> pub;
    std::shared_ptr<corio::redis::subscriber> sub;
    std::shared_ptr<corio::redis::connection> reader;
    std::shared_ptr<corio::redis::cluster> cluster;
    std::unique_ptr<corio::server> io;

    node(net::io_context& ioc, std::string node_name, const corio::redis::endpoint& where, variant kind,
         corio::redis::subscription_mode mode, corio::state_recovery_options recovery = {})
        : name(std::move(node_name))
    {
        corio::redis::connection_options co{.where = where};
        co.reconnect_max = 200ms;
        pub = corio::redis::connection::create(ioc.get_executor(), co);
        sub = corio::redis::subscriber::create(ioc.get_executor(), co);
        auto quiet = corio::logger::off();
        // As cluster_timeout below: a request that times out does so for
        // the adapter too (adapter_stats::request_timeouts) within a second.
        switch (kind) {
        case variant::classic:
            cluster = corio::redis::cluster::create(pub, sub, {.requests_timeout = 1000ms, .log = quiet});
            break;
        case variant::sharded:
            cluster = corio::redis::cluster::create_sharded(pub, sub,
                                                            {.mode = mode, .requests_timeout = 1000ms, .log = quiet});
            break;
        case variant::streams:
            reader = corio::redis::connection::create(ioc.get_executor(), co);
            cluster = corio::redis::cluster::create_streams(
                pub, sub, reader, {.block_time = 1000ms, .requests_timeout = 1000ms, .log = quiet});
            break;
        }
        auto o = server_fixture::options();
        o.make_adapter = cluster->factory();
        o.recovery = recovery;
        o.cluster_timeout = 1000ms;
        io = std::make_unique<corio::server>(ioc.get_executor(), o);
        setup();
        pub->start();
        sub->start();
        if (reader)
            reader->start();
    }
    ~node()
    {
        io.reset();
        pub->close();
        sub->close();
        if (reader)
            reader->close();
    }

    void setup()
    {
        auto root = io->of("/");
        root.on_connect([n = name](corio::context& ctx) { ctx.set_shared_data(json::object{{"node", n}}); })
            .on("join", [](corio::context& ctx, std::string room) {
                ctx.join(std::move(room));
                return true;
            })
            .on("leave", [](corio::context& ctx, std::string room) {
                ctx.leave(std::move(room));
                return true;
            })
            .on("to_room", [](corio::context& ctx, std::string room, std::string text) {
                ctx.to(std::move(room)).emit("said", text);
                return true;
            });
        root.on_server_event("whoami", [n = name](corio::arguments) { return corio::arguments::of(n); });
        root.on_server_event("note", [this](corio::arguments args) {
            notes.push_back(str(args, 0));
            return corio::arguments{};
        });
    }

    /// What server_side_emit("note", text) brought here.
    std::vector<std::string> notes;

    bool up() const { return pub->connected() && sub->connected() && (!reader || reader->connected()); }
};

struct three_nodes : io_driver {
    redis_server redis;
    std::array<std::unique_ptr<node>, 3> nodes;
    bool sharded = false;
    /// Asks Redis how many subscribe to a channel.
    std::shared_ptr<corio::redis::connection> probe;

    ~three_nodes()
    {
        if (probe)
            probe->close();
    }

    /// Starts the three nodes on the adapter `kind` (the sharded one in
    /// `mode`), with `recovery` on each.
    void start(variant kind, corio::redis::subscription_mode mode = corio::redis::subscription_mode::dynamic,
               corio::state_recovery_options recovery = {})
    {
        sharded = kind == variant::sharded;
        auto where = corio::redis::parse_url(redis.url()).value();
        for (int i = 0; i < 3; ++i)
            nodes[i] = std::make_unique<node>(ioc, "n" + std::to_string(i), where, kind, mode, recovery);
        probe = corio::redis::connection::create(ioc.get_executor(), {.where = where});
        probe->start();
        BOOST_TEST_REQUIRE(drive_until([&] { return all_up() && probe->connected(); }, 5000ms));
    }

    /// The integer Redis answers `command` with.
    long long redis_integer(std::vector<std::string> command)
    {
        return await(probe->async_exec(std::move(command), net::use_awaitable)).integer;
    }

    /// How many connections subscribe to the sharded channel `channel`.
    long long shard_subscribers(const std::string& channel)
    {
        auto r = await(probe->async_exec({"PUBSUB", "SHARDNUMSUB", channel}, net::use_awaitable));
        BOOST_TEST_REQUIRE((r.type == corio::redis::reply::kind::array && r.elements.size() == 2u));
        return r.elements[1].integer;
    }

    /// A sharded adapter subscribes to a room's channel once the room
    /// exists on its server, a moment after the join: Redis delivers a
    /// message only to the subscriptions it already has (Node's dynamic
    /// mode works the same). Waits until `servers` have subscribed.
    void wait_for_room_channel(const std::string& room, long long servers)
    {
        if (sharded)
            BOOST_TEST_REQUIRE(drive_until([&] { return shard_subscribers("socket.io#/#" + room + "#") == servers; }));
    }

    bool all_up() const
    {
        return std::all_of(nodes.begin(), nodes.end(), [](auto& n) { return n->up(); });
    }

    corio::server& io(int i) { return *nodes[i]->io; }

    std::unique_ptr<corio::testing::client> client(int i)
    {
        return std::make_unique<corio::testing::client>(io(i), ioc);
    }

    /// The "said" texts `c` received up to the marker `end`, which the
    /// test broadcasts last from the same server: a publisher's messages
    /// arrive in order, so once `end` is there, everything before it is.
    std::vector<std::string> said_until_end(corio::testing::client& c)
    {
        std::vector<std::string> out;
        bool done = false;
        drive_until([&] {
            for (auto& e : c.get_received()) {
                if (e.event == "end")
                    done = true;
                else if (e.event == "said")
                    out.push_back(str(e.args, 0));
            }
            return done;
        });
        BOOST_TEST(done);
        return out;
    }

    std::set<std::string> fetched_ids(corio::broadcast_operator op)
    {
        auto sockets = await(op.fetch_sockets());
        BOOST_TEST_REQUIRE(sockets.has_value());
        std::set<std::string> out;
        for (auto& s : *sockets)
            out.insert(s.id());
        return out;
    }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(redis_cluster, three_nodes)

// Each case runs once per variant: `start(V::kind)`.

BOOST_FIXTURE_TEST_CASE_TEMPLATE(a_broadcast_reaches_each_member_on_every_node_once_never_the_sender, V, variants, three_nodes)
{
    start(V::kind);
    auto a = client(0), b = client(1), c = client(2), d = client(2);
    for (auto* x : {a.get(), b.get(), c.get()})
        BOOST_TEST_REQUIRE(x->emit_with_ack("join", "room").has_value());
    wait_for_room_channel("room", 3);

    for (int i = 0; i < 50; ++i)
        a->emit_with_ack("to_room", "room", std::to_string(i));
    io(0).emit("end");

    std::vector<std::string> expected;
    for (int i = 0; i < 50; ++i)
        expected.push_back(std::to_string(i));
    BOOST_TEST(said_until_end(*a).empty());
    BOOST_TEST(said_until_end(*b) == expected, boost::test_tools::per_element());
    BOOST_TEST(said_until_end(*c) == expected, boost::test_tools::per_element());
    BOOST_TEST(said_until_end(*d).empty());
}

BOOST_FIXTURE_TEST_CASE_TEMPLATE(an_emit_to_a_socket_of_this_node_is_not_published, V, variants, three_nodes)
{
    start(V::kind);
    auto a = client(0), b = client(1);
    const auto before = nodes[0]->cluster->stats().published;
    io(0).to(a->sid()).emit("said", "here");
    BOOST_TEST(a->wait_for("said").has_value());
    // Another node's socket is reached through Redis: published after the
    // first emit would have been, on the same connection, so its count
    // includes the first one's if there was one.
    io(0).to(b->sid()).emit("said", "there");
    BOOST_TEST(b->wait_for("said").has_value());
    BOOST_TEST_REQUIRE(drive_until([&] { return nodes[0]->cluster->stats().published >= before + 1; }));
    BOOST_TEST(nodes[0]->cluster->stats().published == before + 1);
}

BOOST_FIXTURE_TEST_CASE_TEMPLATE(except_and_local_hold_across_nodes, V, variants, three_nodes)
{
    start(V::kind);
    auto a = client(0), b = client(1), c = client(2);
    for (auto* x : {a.get(), b.get(), c.get()})
        x->emit_with_ack("join", "room");
    wait_for_room_channel("room", 3);
    io(1).to("room").except(c->sid()).emit("said", "not c");
    io(1).local().emit("said", "node 1 only");
    io(1).emit("end");
    BOOST_TEST(said_until_end(*a) == std::vector<std::string>{"not c"}, boost::test_tools::per_element());
    BOOST_TEST((said_until_end(*b) == std::vector<std::string>{"not c", "node 1 only"}),
               boost::test_tools::per_element());
    BOOST_TEST(said_until_end(*c).empty());
}

BOOST_FIXTURE_TEST_CASE_TEMPLATE(fetch_sockets_describes_every_nodes_sockets, V, variants, three_nodes)
{
    start(V::kind);
    auto a = client(0), b = client(1), c = client(2);
    b->emit_with_ack("join", "room");
    auto all = await(io(2).fetch_sockets());
    BOOST_TEST_REQUIRE(all.has_value());
    BOOST_TEST(all->size() == 3u);
    for (auto& s : *all) {
        BOOST_TEST(s.data().at("node").is_string());
        BOOST_TEST(s.handshake().contains("headers"));
        BOOST_TEST(std::count(s.rooms().begin(), s.rooms().end(), s.id()) == 1);
        if (s.id() == b->sid()) {
            BOOST_TEST(s.data().at("node") == "n1");
            BOOST_TEST(std::count(s.rooms().begin(), s.rooms().end(), "room") == 1);
        }
    }
    BOOST_TEST(fetched_ids(io(0).in("room")) == std::set<std::string>{b->sid()});
    BOOST_TEST(fetched_ids(io(0).in("nowhere")).empty());
}

BOOST_FIXTURE_TEST_CASE_TEMPLATE(remote_join_leave_and_disconnect_reach_every_node, V, variants, three_nodes)
{
    start(V::kind);
    auto a = client(0), b = client(1), c = client(2);
    a->emit_with_ack("join", "room");
    b->emit_with_ack("join", "room");

    io(2).in("room").sockets_join("vip");
    BOOST_TEST(drive_until([&] { return fetched_ids(io(2).in("vip")) == std::set<std::string>{a->sid(), b->sid()}; }));

    io(0).in("vip").except(a->sid()).sockets_leave("room");
    BOOST_TEST(drive_until([&] { return fetched_ids(io(1).in("room")) == std::set<std::string>{a->sid()}; }));

    io(1).in("vip").disconnect_sockets(true);
    BOOST_TEST(drive_until([&] { return a->server_disconnected() && b->server_disconnected(); }));
    BOOST_TEST(c->connected());
}

BOOST_FIXTURE_TEST_CASE_TEMPLATE(server_side_emit_with_ack_collects_the_other_nodes, V, variants, three_nodes)
{
    start(V::kind);
    auto answers = await(io(1).of("/").server_side_emit_with_ack("whoami"));
    BOOST_TEST_REQUIRE(answers.has_value());
    std::multiset<std::string> names;
    for (auto& a : *answers)
        names.insert(str(a, 0));
    BOOST_TEST((names == std::multiset<std::string>{"n0", "n2"}));
}

BOOST_FIXTURE_TEST_CASE_TEMPLATE(requests_a_server_never_answers_time_out_and_are_counted, V, variants, three_nodes)
{
    start(V::kind);
    BOOST_TEST_REQUIRE(await(io(1).of("/").server_side_emit_with_ack("whoami")).has_value());
    // A subscriber of the request channel that is no server: counted among
    // the servers that must answer, it never does.
    auto where = corio::redis::parse_url(redis.url()).value();
    auto mute = corio::redis::subscriber::create(ioc.get_executor(), {.where = where});
    if (V::kind == variant::sharded)
        mute->ssubscribe("socket.io#/#");
    else if (V::kind == variant::streams)
        mute->subscribe("socket.io#/#");
    else
        mute->subscribe("socket.io-request#/#");
    mute->start();
    BOOST_TEST_REQUIRE(drive_until([&] { return mute->connected(); }));
    BOOST_TEST(!await(io(1).of("/").server_side_emit_with_ack("whoami")).has_value());
    BOOST_TEST(!await(io(1).fetch_sockets()).has_value());
    BOOST_TEST(drive_until([&] { return nodes[1]->cluster->stats().request_timeouts == 2; }, 5000ms));
    // The answered request is not among them, whatever the deadlines did.
    drive_until([] { return false; }, 1500ms);
    auto stats = nodes[1]->cluster->stats();
    BOOST_TEST(stats.request_timeouts == 2u);
    BOOST_TEST(stats.received >= 2u); // at least the two answers to the first request
    BOOST_TEST(stats.publisher_reconnects == 0u);
    BOOST_TEST(stats.subscriber_reconnects == 0u);
    mute->close();
}

BOOST_FIXTURE_TEST_CASE_TEMPLATE(a_broadcast_with_acks_collects_every_nodes_sockets, V, variants, three_nodes)
{
    start(V::kind);
    auto a = client(0), b = client(1), c = client(2);
    for (auto* x : {a.get(), b.get(), c.get()}) {
        x->emit_with_ack("join", "room");
        x->on_ack_request([x](const corio::testing::received_event&) { return corio::arguments::of(x->sid()); });
    }
    auto answers = await(io(0).to("room").emit_with_ack(2000ms, "ping"));
    BOOST_TEST_REQUIRE(answers.has_value());
    std::set<std::string> from;
    for (auto& r : *answers)
        from.insert(str(r, 0));
    BOOST_TEST((from == std::set<std::string>{a->sid(), b->sid(), c->sid()}));

    auto none = await(io(1).to("nobody").emit_with_ack(2000ms, "ping"));
    BOOST_TEST_REQUIRE(none.has_value());
    BOOST_TEST(none->empty());
}

BOOST_FIXTURE_TEST_CASE_TEMPLATE(without_redis_local_delivery_goes_on_and_the_cluster_comes_back, V, variants, three_nodes)
{
    start(V::kind);
    auto a = client(0), b = client(0), c = client(1);
    for (auto* x : {a.get(), b.get(), c.get()})
        x->emit_with_ack("join", "room");
    wait_for_room_channel("room", 2);

    redis.stop();
    BOOST_TEST_REQUIRE(drive_until([&] { return !nodes[0]->up(); }));

    // This node's sockets still get it; the request fails, never answered
    // from this node's data alone.
    a->emit_with_ack("to_room", "room", "while away");
    BOOST_TEST(b->wait_for("said").has_value());
    auto fetched = await(io(0).fetch_sockets());
    BOOST_TEST(!fetched.has_value());
    BOOST_TEST(nodes[0]->cluster->stats().unpublished >= 1u);

    redis.restart();
    BOOST_TEST_REQUIRE(drive_until([&] { return all_up(); }, 10'000ms));
    BOOST_TEST(nodes[0]->cluster->stats().publisher_reconnects == 1u);
    BOOST_TEST(nodes[0]->cluster->stats().subscriber_reconnects == 1u);
    a->emit_with_ack("to_room", "room", "back");
    io(0).emit("end");
    auto at_c = said_until_end(*c);
    BOOST_TEST(std::count(at_c.begin(), at_c.end(), "back") == 1);
    BOOST_TEST(std::count(at_c.begin(), at_c.end(), "while away") == 0);
    BOOST_TEST(fetched_ids(io(2).in("room")) == (std::set<std::string>{a->sid(), b->sid(), c->sid()}));
}

BOOST_AUTO_TEST_CASE(a_session_lost_on_one_streams_node_is_recovered_on_another_with_its_missed_events)
{
    start(variant::streams, {}, {.enabled = true, .max_disconnection_duration = 60s});
    auto a = client(0);
    BOOST_TEST_REQUIRE(a->emit_with_ack("join", "r").has_value());
    io(1).to("r").emit("said", "first");
    auto first = a->wait_for("said");
    BOOST_TEST_REQUIRE(first.has_value());
    // The offset is the stream entry's id.
    BOOST_TEST_REQUIRE(first->args.values().size() == 2u);
    const auto offset = str(first->args, 1);
    BOOST_TEST(redis_integer({"XLEN", "socket.io"}) == 1);
    const auto sid = a->sid(), pid = a->pid();
    a->close();
    BOOST_TEST_REQUIRE(drive_until([&] { return redis_integer({"EXISTS", "sio:session:" + pid}) == 1; }));

    // From three nodes: each in the stream before the next is sent, so the
    // stream's order is the order sent.
    long long entries = 1;
    auto sent = [&] {
        ++entries;
        BOOST_TEST_REQUIRE(drive_until([&] { return redis_integer({"XLEN", "socket.io"}) == entries; }));
    };
    io(1).to("r").emit("said", "m1");
    sent();
    io(2).emit("said", "m2");
    sent();
    io(0).to("elsewhere").emit("said", "m3");
    sent();
    io(1).to("r").emit("said", "m4");
    sent();

    corio::testing::client back(io(2), ioc, {.auth = {{"pid", pid}, {"offset", offset}}});
    BOOST_TEST_REQUIRE(back.connected());
    BOOST_TEST(back.sid() == sid);
    BOOST_TEST(back.pid() == pid);
    std::vector<std::string> missed;
    for (const auto& e : back.get_received()) {
        BOOST_TEST(e.args.values().size() == 2u); // each with its offset
        missed.push_back(str(e.args, 0));
    }
    BOOST_TEST(missed == (std::vector<std::string>{"m1", "m2", "m4"}), boost::test_tools::per_element());
    BOOST_TEST(redis_integer({"EXISTS", "sio:session:" + pid}) == 0); // taken, not copied
    BOOST_TEST(fetched_ids(io(0).in("r")) == (std::set<std::string>{sid}));
    BOOST_TEST(io(2).stats().recoveries == 1u);
}

BOOST_AUTO_TEST_CASE(a_streams_node_gives_an_unknown_session_or_offset_a_new_id)
{
    start(variant::streams, {}, {.enabled = true, .max_disconnection_duration = 60s});
    auto a = client(0);
    BOOST_TEST_REQUIRE(a->emit_with_ack("join", "r").has_value());
    io(0).to("r").emit("said", "x");
    auto said = a->wait_for("said");
    BOOST_TEST_REQUIRE(said.has_value());
    const auto sid = a->sid(), pid = a->pid();
    a->close();
    BOOST_TEST_REQUIRE(drive_until([&] { return redis_integer({"EXISTS", "sio:session:" + pid}) == 1; }));

    // Not an entry id; then an entry id that is not in the stream.
    for (std::string offset : {"abc", "1-0"}) {
        corio::testing::client c(io(1), ioc, {.auth = {{"pid", pid}, {"offset", offset}}});
        BOOST_TEST_REQUIRE(c.connected());
        BOOST_TEST(c.sid() != sid);
    }
    // The first try that reached Redis took the session: it is gone now.
    corio::testing::client late(io(1), ioc, {.auth = {{"pid", pid}, {"offset", str(said->args, 1)}}});
    BOOST_TEST_REQUIRE(late.connected());
    BOOST_TEST(late.sid() != sid);
    corio::testing::client unknown(io(2), ioc, {.auth = {{"pid", "nobody"}, {"offset", str(said->args, 1)}}});
    BOOST_TEST_REQUIRE(unknown.connected());
    BOOST_TEST(io(1).stats().recoveries_failed + io(2).stats().recoveries_failed == 4u);
}

BOOST_AUTO_TEST_CASE(a_dynamic_sharded_server_has_the_channels_of_its_public_rooms_only)
{
    start(variant::sharded, corio::redis::subscription_mode::dynamic);
    BOOST_TEST(shard_subscribers("socket.io#/#") == 3);
    auto a = client(0), b = client(1);
    a->emit_with_ack("join", "room");
    wait_for_room_channel("room", 1);
    BOOST_TEST(shard_subscribers("socket.io#/#" + a->sid() + "#") == 0);

    // Node 1 has no member of "room": the broadcast never reaches it, yet
    // reaches a through the room's channel alone.
    io(1).to("room").emit("said", "to the room");
    auto said = a->wait_for("said");
    BOOST_TEST_REQUIRE(said.has_value());
    BOOST_TEST(str(said->args, 0) == "to the room");
    // A socket id (20 characters) has no channel: through the namespace's.
    io(1).to(a->sid()).emit("said", "to a");
    said = a->wait_for("said");
    BOOST_TEST_REQUIRE(said.has_value());
    BOOST_TEST(str(said->args, 0) == "to a");
    BOOST_TEST(b->get_received().empty());

    a->emit_with_ack("leave", "room");
    wait_for_room_channel("room", 0);
}

BOOST_AUTO_TEST_CASE(a_dynamic_private_sharded_server_has_the_channels_of_socket_rooms_too)
{
    start(variant::sharded, corio::redis::subscription_mode::dynamic_private);
    auto a = client(0);
    BOOST_TEST_REQUIRE(drive_until([&] { return shard_subscribers("socket.io#/#" + a->sid() + "#") == 1; }));
    io(2).to(a->sid()).emit("said", "to a");
    BOOST_TEST(a->wait_for("said").has_value());
    a->close();
    BOOST_TEST(drive_until([&] { return shard_subscribers("socket.io#/#" + a->sid() + "#") == 0; }));
}

BOOST_AUTO_TEST_CASE(a_static_sharded_server_has_two_channels_per_namespace)
{
    start(variant::sharded, corio::redis::subscription_mode::static_);
    auto a = client(0);
    a->emit_with_ack("join", "room");
    io(1).to("room").emit("said", "to the room");
    BOOST_TEST(a->wait_for("said").has_value());
    BOOST_TEST(shard_subscribers("socket.io#/#room#") == 0);
    BOOST_TEST(shard_subscribers("socket.io#/#") == 3);
}

BOOST_AUTO_TEST_CASE(the_emitter_reaches_rooms_and_runs_operations_on_every_node)
{
    // @socket.io/redis-emitter speaks the classic protocol only.
    start(variant::classic);
    auto a = client(0), b = client(1), c = client(2);
    a->emit_with_ack("join", "room");
    b->emit_with_ack("join", "room");
    auto conn = corio::redis::connection::create(ioc.get_executor(), {.where = redis.tcp()});
    conn->start();
    corio::redis::emitter emitter(conn);

    emitter.to("room").emit("said", "from the emitter");
    emitter.to("room").except(b->sid()).emit("said", "not b");
    emitter.emit("end");
    BOOST_TEST((said_until_end(*a) == std::vector<std::string>{"from the emitter", "not b"}),
               boost::test_tools::per_element());
    BOOST_TEST(said_until_end(*b) == std::vector<std::string>{"from the emitter"}, boost::test_tools::per_element());
    BOOST_TEST(said_until_end(*c).empty());

    emitter.to(c->sid()).emit("binary", corio::binary{std::string("\x00\x01", 2)});
    auto bin = c->wait_for("binary");
    BOOST_TEST_REQUIRE(bin.has_value());
    BOOST_TEST_REQUIRE(bin->args.attachments().size() == 1u);
    BOOST_TEST(bin->args.attachments()[0] == std::string("\x00\x01", 2));

    emitter.in("room").sockets_join({"vip"});
    BOOST_TEST(drive_until([&] { return fetched_ids(io(2).in("vip")) == std::set<std::string>{a->sid(), b->sid()}; }));
    emitter.in("vip").sockets_leave({"room"});
    BOOST_TEST(drive_until([&] { return fetched_ids(io(2).in("room")).empty(); }));

    emitter.server_side_emit("note", "hello servers");
    BOOST_TEST(drive_until([&] {
        return std::all_of(nodes.begin(), nodes.end(),
                           [](auto& n) { return n->notes == std::vector<std::string>{"hello servers"}; });
    }));

    emitter.in("vip").disconnect_sockets();
    BOOST_TEST(drive_until([&] { return a->server_disconnected() && b->server_disconnected(); }));
    BOOST_TEST(c->connected());
    BOOST_CHECK_THROW(emitter.emit("disconnect"), std::invalid_argument);
    conn->close();
}

BOOST_AUTO_TEST_SUITE_END()
