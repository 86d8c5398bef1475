// Connection state recovery: the memory adapter's store (no clock, no
// sockets), then whole recoveries through the in-process client.
#include "socketio/recovery_store.hpp"

#include "server_fixture.hpp"

#include <boost/test/unit_test.hpp>

using namespace corio_test;
using corio::detail::recovery_store;
using corio::protocol::socket_packet;

namespace {

corio::state_recovery_options recovery_on()
{
    corio::state_recovery_options o;
    o.enabled = true;
    o.max_disconnection_duration = 1000ms;
    return o;
}

socket_packet event(std::string_view name, json::value arg)
{
    return socket_packet::event("/", name, json::array{arg}, {});
}

corio::broadcast_options to(std::initializer_list<std::string> rooms, std::initializer_list<std::string> except = {})
{
    corio::broadcast_options o;
    o.rooms = rooms;
    o.except = except;
    return o;
}

// A fixed size per packet, so that the byte bound is easy to reason about.
std::size_t ten_bytes(const socket_packet&)
{
    return 10;
}

std::string offset_of(const socket_packet& p)
{
    return std::string(p.data->as_array().back().as_string());
}

std::string offset_of(const corio::arguments& args)
{
    return std::string(args.values().back().as_string());
}

corio::persisted_session session(std::string sid, std::vector<std::string> rooms)
{
    return {sid, "pid-" + sid, std::move(rooms), json::object{{"user", sid}}};
}

// A store, its options and the time the test starts from.
struct store_fixture {
    recovery_store store;
    corio::state_recovery_options o = recovery_on();
    const recovery_store::clock::time_point t = recovery_store::clock::now();
    corio::recovery_drops drops;

    /// Stamps and keeps `p`, sent to everyone at `at`; what was dropped.
    corio::recovery_drops send(socket_packet& p, recovery_store::clock::duration at = {})
    {
        return store.stamp(p, to({}), ten_bytes, o, t + at);
    }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(recovery_store_unit, store_fixture)

BOOST_AUTO_TEST_CASE(keeps_only_events_without_ack_that_are_not_volatile)
{
    auto plain = event("e", 1);
    BOOST_TEST(recovery_store::keeps(plain, {}));
    auto with_ack = socket_packet::event("/", "e", json::array{1}, {}, 7);
    BOOST_TEST(!recovery_store::keeps(with_ack, {}));
    corio::broadcast_options volatile_opts;
    volatile_opts.is_volatile = true;
    BOOST_TEST(!recovery_store::keeps(plain, volatile_opts));
    BOOST_TEST(!recovery_store::keeps(socket_packet::disconnect("/"), {}));
}

BOOST_AUTO_TEST_CASE(restore_gives_the_session_and_the_events_after_the_offset_that_reach_its_rooms)
{
    auto seen = event("seen", 0);
    send(seen);
    std::vector<std::string> offsets;
    for (auto [name, opts] : std::vector<std::pair<std::string, corio::broadcast_options>>{
             {"all", to({})},
             {"room", to({"r"})},
             {"other_room", to({"x"})},
             {"excluded", to({}, {"r"})},
             {"own", to({"A"})},
         }) {
        auto p = event(name, 1);
        store.stamp(p, opts, ten_bytes, o, t);
        offsets.push_back(offset_of(p));
    }
    // Offsets are distinct and appended as the last argument.
    BOOST_TEST(std::set<std::string>(offsets.begin(), offsets.end()).size() == offsets.size());
    store.persist(session("A", {"A", "r"}), o, t);

    auto restored = store.restore("pid-A", offset_of(seen), o, t, drops);
    BOOST_TEST_REQUIRE(restored.has_value());
    BOOST_TEST(restored->session.sid == "A");
    BOOST_TEST(json::serialize(restored->session.data) == R"({"user":"A"})");
    std::vector<std::string> names;
    for (const auto& p : restored->missed)
        names.push_back(std::string(p.data->as_array().front().as_string()));
    BOOST_TEST((names == std::vector<std::string>{"all", "room", "own"}));
    BOOST_TEST(offset_of(restored->missed.front()) == offsets.front());
    // A session is restored once.
    BOOST_TEST(!store.restore("pid-A", offset_of(seen), o, t, drops).has_value());
    BOOST_TEST(drops.empty());
}

BOOST_AUTO_TEST_CASE(an_unknown_pid_or_offset_restores_nothing)
{
    auto p = event("e", 1);
    send(p);
    store.persist(session("A", {"A"}), o, t);
    BOOST_TEST(!store.restore("pid-B", offset_of(p), o, t, drops).has_value());
    for (const std::string& bad : std::vector<std::string>{"", "x", "99", "-1", "0x", "0" + offset_of(p)})
        BOOST_TEST(!store.restore("pid-A", bad, o, t, drops).has_value(), bad);
    // The session is still there for a good offset.
    BOOST_TEST(store.restore("pid-A", offset_of(p), o, t, drops).has_value());
}

BOOST_AUTO_TEST_CASE(the_store_is_bounded_by_packets_and_bytes_and_counts_what_it_drops)
{
    o.max_packets = 3;
    o.max_bytes = 25;
    std::vector<std::string> offsets;
    std::size_t over_limit = 0;
    for (int i = 0; i < 5; ++i) {
        auto p = event("e", i);
        over_limit += send(p).packets_over_limit;
        offsets.push_back(offset_of(p));
    }
    // 25 bytes hold two packets of ten.
    BOOST_TEST(store.packets() == 2u);
    BOOST_TEST(store.bytes() == 20u);
    BOOST_TEST(over_limit == 3u);
    store.persist(session("A", {"A"}), o, t);
    BOOST_TEST(!store.restore("pid-A", offsets[2], o, t, drops).has_value());
    auto restored = store.restore("pid-A", offsets[3], o, t, drops);
    BOOST_TEST_REQUIRE(restored.has_value());
    BOOST_TEST(restored->missed.size() == 1u);

    o.max_packets = 1;
    o.max_bytes = 1'000;
    auto p = event("e", 9);
    BOOST_TEST(send(p).packets_over_limit == 2u);
    BOOST_TEST(store.packets() == 1u);
}

BOOST_AUTO_TEST_CASE(packets_and_sessions_expire_after_the_max_disconnection_duration)
{
    auto old_packet = event("old", 1);
    send(old_packet);
    store.persist(session("A", {"A"}), o, t);
    store.persist(session("B", {"B"}), o, t + 600ms);
    auto fresh = event("fresh", 1);
    auto expired = send(fresh, 1001ms);
    BOOST_TEST(expired.packets_expired == 1u);
    BOOST_TEST(expired.sessions_expired == 1u);
    BOOST_TEST(store.packets() == 1u);
    BOOST_TEST(!store.restore("pid-A", offset_of(fresh), o, t + 1001ms, drops).has_value());
    BOOST_TEST(store.restore("pid-B", offset_of(fresh), o, t + 1001ms, drops).has_value());
    BOOST_TEST(store.sessions() == 0u);
}

BOOST_AUTO_TEST_CASE(a_session_persisted_again_expires_from_its_last_persist)
{
    auto p = event("e", 1);
    send(p);
    store.persist(session("A", {"A"}), o, t);
    BOOST_TEST(store.restore("pid-A", offset_of(p), o, t + 100ms, drops).has_value());
    store.persist(session("A", {"A"}), o, t + 900ms);
    auto q = event("e", 2);
    send(q, 1500ms);
    BOOST_TEST(store.restore("pid-A", offset_of(q), o, t + 1500ms, drops).has_value());
    BOOST_TEST(drops.sessions_expired == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(connection_state_recovery, server_fixture)

BOOST_AUTO_TEST_CASE(off_by_default_the_connect_answer_has_no_pid_and_events_no_offset)
{
    io.of("/").on("hi", [](corio::context& ctx) { ctx.emit("hello", 1); });
    auto c = client();
    BOOST_TEST_REQUIRE(c->connected());
    BOOST_TEST(c->pid().empty());
    c->emit("hi");
    auto hello = c->wait_for("hello");
    BOOST_TEST_REQUIRE(hello.has_value());
    BOOST_TEST(json::serialize(hello->args.values()) == "[1]");
}

BOOST_AUTO_TEST_CASE(a_lost_connection_is_recovered_with_its_id_rooms_data_and_missed_events)
{
    std::vector<std::string> ran;
    std::vector<bool> recovered;
    auto root = io.of("/");
    root.state_recovery(recovery_on());
    root.use([&](corio::context&) { ran.push_back("middleware"); });
    root.on_connect([&](corio::context& ctx) { recovered.push_back(ctx.recovered()); });
    root.on("join", [](corio::context& ctx, std::string room) {
        ctx.join(room);
        ctx.set_shared_data(json::object{{"name", "ada"}});
        ctx.emit("joined", room);
    });
    root.on("to_room", [](corio::context& ctx, std::string room, int n) { ctx.to(std::move(room)).emit("relay", n); });
    root.on("to_all", [](corio::context& ctx, int n) { ctx.broadcast().emit("all", n); });
    root.on("whoami", [](corio::context& ctx) {
        return json::object{{"rooms", json::value_from(ctx.rooms())}, {"data", ctx.shared_data()}};
    });

    auto a = client();
    BOOST_TEST_REQUIRE(a->connected());
    const auto sid = a->sid();
    const auto pid = a->pid();
    BOOST_TEST(!pid.empty());
    a->emit("join", "r");
    auto joined = a->wait_for("joined");
    BOOST_TEST_REQUIRE(joined.has_value());
    // The socket's own emit carries an offset too.
    BOOST_TEST(joined->args.values().size() == 2u);
    const auto offset = offset_of(joined->args);
    a->close();
    BOOST_TEST_REQUIRE(drive_until([&] { return io.stats().recovery_sessions_kept == 1; }));

    auto b = client();
    b->emit("to_room", "r", 1);
    b->emit("to_all", 2);
    b->emit("to_room", "elsewhere", 3);
    b->emit("to_room", "r", 4);
    BOOST_TEST_REQUIRE(drive_until([&] { return io.stats().broadcasts == 4; }));

    ran.clear();
    auto back = client({.auth = {{"pid", pid}, {"offset", offset}}});
    BOOST_TEST_REQUIRE(back->connected());
    BOOST_TEST(back->sid() == sid);
    BOOST_TEST(back->pid() == pid);
    BOOST_TEST(ran.empty()); // skip_middlewares
    BOOST_TEST((recovered == std::vector<bool>{false, false, true}));
    std::vector<std::string> missed;
    for (const auto& e : back->get_received())
        missed.push_back(e.event + json::serialize(e.args.values().front()));
    BOOST_TEST((missed == std::vector<std::string>{"relay1", "all2", "relay4"}));
    auto me = back->emit_with_ack("whoami");
    BOOST_TEST_REQUIRE(me.has_value());
    const auto& answer = me->values().front().as_object();
    BOOST_TEST(json::serialize(answer.at("data")) == R"({"name":"ada"})");
    auto rooms = json::value_to<std::vector<std::string>>(answer.at("rooms"));
    BOOST_TEST((std::set<std::string>(rooms.begin(), rooms.end()) == std::set<std::string>{sid, "r"}));
    BOOST_TEST(io.stats().recoveries == 1u);
}

BOOST_AUTO_TEST_CASE(an_unknown_session_or_one_left_on_purpose_gets_a_new_id)
{
    auto root = io.of("/");
    root.state_recovery(recovery_on());
    std::vector<bool> recovered;
    root.on_connect([&](corio::context& ctx) { recovered.push_back(ctx.recovered()); });
    root.on("hi", [](corio::context& ctx) { ctx.emit("hello", "x"); });

    auto unknown = client({.auth = {{"pid", "nobody"}, {"offset", "0"}}});
    BOOST_TEST_REQUIRE(unknown->connected());
    BOOST_TEST(!unknown->pid().empty());
    BOOST_TEST(unknown->pid() != "nobody");

    unknown->emit("hi");
    auto hello = unknown->wait_for("hello");
    BOOST_TEST_REQUIRE(hello.has_value());
    const auto sid = unknown->sid();
    const auto pid = unknown->pid();
    // Leaving the namespace is not a lost connection: nothing is kept.
    unknown->disconnect();
    BOOST_TEST(drive_until([&] { return io.of("/").socket_count() == 0; }));
    auto again = client({.auth = {{"pid", pid}, {"offset", offset_of(hello->args)}}});
    BOOST_TEST_REQUIRE(again->connected());
    BOOST_TEST(again->sid() != sid);
    BOOST_TEST((recovered == std::vector<bool>{false, false}));
    BOOST_TEST(io.stats().recoveries_failed == 2u);
    BOOST_TEST(io.stats().recovery_sessions_kept == 0u);
}

BOOST_AUTO_TEST_CASE(acks_and_volatile_emits_carry_no_offset)
{
    auto root = io.of("/");
    root.state_recovery(recovery_on());
    root.on("ping", [](corio::context& ctx) {
        ctx.to(ctx.id()).include_self().volatile_().emit("v", 1);
        return 2;
    });
    auto c = client();
    auto answer = c->emit_with_ack("ping");
    BOOST_TEST_REQUIRE(answer.has_value());
    BOOST_TEST(json::serialize(answer->values()) == "[2]");
    for (const auto& e : c->get_received())
        BOOST_TEST(json::serialize(e.args.values()) == "[1]");
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

struct recovery_everywhere : io_driver {
    static corio::server_options options()
    {
        auto o = server_fixture::options();
        o.recovery = recovery_on();
        return o;
    }
    corio::server io{ioc.get_executor(), options()};
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(connection_state_recovery_options, recovery_everywhere)

BOOST_AUTO_TEST_CASE(a_shutdown_keeps_the_sessions_where_recovery_is_on)
{
    // Whether the client is told goodbye needs a real transport:
    // e2e_cluster_recovery's rolling restart checks that it is not.
    io.of("/quiet").state_recovery({});
    std::vector<corio::disconnect_reason> reasons;
    io.of("/").on_disconnect([&](corio::context&, corio::disconnect_reason r) { reasons.push_back(r); });
    io.of("/").on("hi", [](corio::context& ctx) { ctx.emit("hello", 1); });
    corio::testing::client c(io, ioc);
    BOOST_TEST_REQUIRE(c.connect("/quiet"));
    c.emit("hi");
    BOOST_TEST_REQUIRE(c.wait_for("hello").has_value());

    bool shut = false;
    net::co_spawn(ioc, io.shutdown(1s), [&](std::exception_ptr) { shut = true; });
    BOOST_TEST_REQUIRE(drive_until([&] { return shut; }));
    BOOST_TEST((reasons == std::vector{corio::disconnect_reason::server_shutting_down}));
    BOOST_TEST(io.stats().recovery_sessions_kept == 1u); // /'s, not /quiet's
}

BOOST_AUTO_TEST_CASE(server_options_turn_it_on_everywhere_and_a_namespace_may_opt_out)
{
    io.of("/quiet").state_recovery({});
    io.of("/other");
    corio::testing::client c(io, ioc);
    BOOST_TEST(!c.pid().empty());
    BOOST_TEST_REQUIRE(c.connect("/quiet"));
    BOOST_TEST(c.pid("/quiet").empty());
    BOOST_TEST(c.connect("/other"));
    BOOST_TEST(!c.pid("/other").empty());
}

BOOST_AUTO_TEST_SUITE_END()
