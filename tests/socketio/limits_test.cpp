// The Socket.IO layer's limits (server_options::limits, engine.limits'
// attachment bytes, dynamic namespace cleanup): each one's error or close
// reason, and its counter in server_stats. Tiny limits, in-process clients
// (raw packets through corio::testing::client::send_text / send_binary).

#include "server_fixture.hpp"

#include <corio/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/json/array.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace corio_test;

namespace {

/// A server with its own options, and a record of why its sockets left.
struct limits_fixture : io_driver {
    std::unique_ptr<corio::server> io;
    std::vector<corio::disconnect_reason> reasons;

    corio::server& make(corio::server_options o)
    {
        o.log = corio::logger::off();
        io = std::make_unique<corio::server>(ioc.get_executor(), std::move(o));
        record_disconnects(io->of("/"));
        return *io;
    }

    void record_disconnects(corio::nsp ns)
    {
        ns.on_disconnect([this](corio::context&, corio::disconnect_reason r) { reasons.push_back(r); });
    }

    std::unique_ptr<corio::testing::client> client(corio::testing::client_options o = {})
    {
        return std::make_unique<corio::testing::client>(*io, ioc, std::move(o));
    }

    bool left_with(corio::disconnect_reason r)
    {
        return drive_until([&] { return std::find(reasons.begin(), reasons.end(), r) != reasons.end(); });
    }
};

// A gate that handlers wait on until the test opens it. Free functions and
// globals, not capturing lambdas: g++ 12 miscompiles capturing coroutine
// lambdas.
struct gate_state {
    std::unique_ptr<net::steady_timer> timer;
    int running = 0;
    int most_running = 0;
    int finished = 0;
};
gate_state gate;

// Keeps the gate closed for a test case: the gate's timer belongs to the
// case's io_context, so it goes when the case ends, before that io_context.
struct closed_gate {
    explicit closed_gate(net::io_context& ioc)
    {
        gate.timer = std::make_unique<net::steady_timer>(ioc, net::steady_timer::time_point::max());
    }
    closed_gate(const closed_gate&) = delete;
    closed_gate& operator=(const closed_gate&) = delete;
    ~closed_gate() { gate = {}; }
};

void open_gate()
{
    // Wakes the waiting handlers, and lets later ones through at once.
    gate.timer->expires_at(net::steady_timer::time_point::min());
}

net::awaitable<void> wait_at_gate(corio::context&)
{
    ++gate.running;
    gate.most_running = std::max(gate.most_running, gate.running);
    co_await gate.timer->async_wait(net::as_tuple(net::use_awaitable));
    --gate.running;
    ++gate.finished;
}

std::string placeholders(int n)
{
    std::string out;
    for (int i = 0; i < n; ++i)
        out += R"(,{"_placeholder":true,"num":)" + std::to_string(i) + "}";
    return out;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(limits, limits_fixture)

BOOST_AUTO_TEST_CASE(attachments_over_their_byte_bound_close_the_connection)
{
    corio::server_options o;
    o.engine.limits.max_attachment_bytes = 10;
    auto& s = make(o);
    int uploads = 0;
    s.of("/").on("up", [&](corio::context&, corio::binary, corio::binary) { ++uploads; });
    auto c = client();
    // At the bound: handled.
    c->send_text("52-[\"up\"" + placeholders(2) + "]");
    c->send_binary("12345");
    c->send_binary("12345");
    BOOST_TEST(uploads == 1);
    BOOST_TEST(!c->engine_closed());

    // One byte over, before the last attachment: closed at once.
    c->send_text("53-[\"up\"" + placeholders(3) + "]");
    c->send_binary("123456");
    c->send_binary("12345");
    BOOST_TEST(drive_until([&] { return c->engine_closed(); }));
    BOOST_TEST(left_with(corio::disconnect_reason::attachments_too_large));
    BOOST_TEST(corio::to_string(corio::disconnect_reason::attachments_too_large) == "attachments too large");
    BOOST_TEST(s.stats().attachments_too_large == 1u);
    BOOST_TEST(uploads == 1);
}

BOOST_AUTO_TEST_CASE(attachments_that_do_not_arrive_in_time_close_the_connection)
{
    corio::server_options o;
    o.limits.attachment_timeout = 100ms;
    auto& s = make(o);
    int uploads = 0;
    s.of("/").on("up", [&](corio::context&, corio::binary) { ++uploads; });
    auto c = client();
    // A packet whose attachment arrives disarms the timer.
    c->send_text("51-[\"up\"" + placeholders(1) + "]");
    c->send_binary("1");
    BOOST_TEST(uploads == 1);

    // One of two attachments, and then nothing.
    c->send_text("52-[\"up\"" + placeholders(2) + "]");
    c->send_binary("1");
    BOOST_TEST(left_with(corio::disconnect_reason::attachment_timeout));
    BOOST_TEST(c->engine_closed());
    BOOST_TEST(s.stats().attachment_timeouts == 1u);
    BOOST_TEST(s.stats().attachments_too_large == 0u);
    BOOST_TEST(uploads == 1);
}

BOOST_AUTO_TEST_CASE(an_event_named_by_a_number_reaches_the_handler_of_its_text)
{
    auto& s = make({});
    std::vector<std::string> seen;
    s.of("/").on("1", [&](corio::context&, int n) { seen.push_back("1:" + std::to_string(n)); });
    s.of("/").on("1.5", [&](corio::context&) { seen.push_back("1.5"); });
    s.of("/").on_any([&](corio::context& ctx, corio::arguments) { seen.push_back("any:" + std::string(ctx.event())); });
    auto c = client();
    c->send_text("2[1,2]");
    c->send_text("2[1.5]");
    BOOST_TEST(!c->engine_closed());
    const std::vector<std::string> expected{"any:1", "1:2", "any:1.5", "1.5"};
    BOOST_TEST(seen == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(empty_dynamic_namespaces_are_removed)
{
    auto& s = make({});
    int setups = 0;
    // Each namespace's handler holds a copy: once every namespace is gone,
    // handlers and all, only this one is left. The handler holds its own
    // namespace too, as one that emits to it does: that must not keep it.
    auto held = std::make_shared<int>(0);
    s.of_dynamic([](std::string_view name) { return name.starts_with("/dyn-"); },
                 [&](corio::nsp ns) {
                     ++setups;
                     ns.on("name", [held, ns](corio::context& ctx) { return ctx.nsp(); });
                 });
    constexpr int count = 5000;
    for (int i = 0; i < count; ++i) {
        auto c = client({.nsp = "/dyn-" + std::to_string(i)});
        BOOST_TEST_REQUIRE(c->connected("/dyn-" + std::to_string(i)));
    }
    BOOST_TEST(drive_until([&] { return s.stats().dynamic_namespaces_removed == count; }));
    BOOST_TEST(s.stats().namespaces == 1u); // "/" alone
    BOOST_TEST(setups == count);
    BOOST_TEST(held.use_count() == 1);

    // Made again, and set up again, at the next connect.
    auto again = client({.nsp = "/dyn-7"});
    BOOST_TEST(setups == count + 1);
    BOOST_TEST(str(*again->emit_with_ack("name"), 0) == "/dyn-7");
    // A namespace stays while one socket is left in it.
    auto second = client({.nsp = "/dyn-7"});
    again.reset();
    BOOST_TEST(drive_until([&] { return s.stats().dynamic_namespaces_removed == count; }));
    BOOST_TEST(str(*second->emit_with_ack("name"), 0) == "/dyn-7");
    BOOST_TEST(s.stats().namespaces == 2u);
    second.reset();
    BOOST_TEST(drive_until([&] { return s.stats().namespaces == 1u; }));
    BOOST_TEST(s.stats().dynamic_namespaces_removed == count + 1u);
    BOOST_TEST(held.use_count() == 1);
}

BOOST_AUTO_TEST_CASE(a_dynamic_namespace_whose_connects_were_refused_is_removed_too)
{
    auto& s = make({});
    s.of_dynamic([](std::string_view name) { return name.starts_with("/dyn-"); },
                 [](corio::nsp ns) { ns.use([](corio::context&) { return corio::refuse("no"); }); });
    auto c = client({.connect = false});
    for (int i = 0; i < 50; ++i)
        BOOST_TEST(!c->connect("/dyn-" + std::to_string(i)));
    BOOST_TEST(drive_until([&] { return s.stats().namespaces == 1u; }));
    BOOST_TEST(s.stats().dynamic_namespaces_removed == 50u);
}

BOOST_AUTO_TEST_CASE(dynamic_namespaces_stay_when_cleanup_is_off)
{
    corio::server_options o;
    o.cleanup_empty_dynamic_namespaces = false;
    auto& s = make(o);
    s.of_dynamic([](std::string_view name) { return name.starts_with("/dyn-"); }, [](corio::nsp) {});
    auto probe = client();
    for (int i = 0; i < 10; ++i)
        client({.nsp = "/dyn-" + std::to_string(i)});
    probe->run_until_idle();
    BOOST_TEST(s.stats().namespaces == 11u);
    BOOST_TEST(s.stats().dynamic_namespaces_removed == 0u);
}

BOOST_AUTO_TEST_CASE(namespaces_per_connection_are_bounded)
{
    corio::server_options o;
    o.limits.max_namespaces_per_connection = 2;
    auto& s = make(o);
    s.of("/a");
    s.of("/b");
    s.of("/").on("ping", [](corio::context&) { return "pong"; });
    auto c = client();
    BOOST_TEST(c->connect("/a"));
    BOOST_TEST(!c->connect("/b"));
    BOOST_TEST_REQUIRE(c->connect_error("/b").has_value());
    BOOST_TEST(c->connect_error("/b")->at("message").as_string() == "too many namespaces");
    BOOST_TEST(s.stats().namespace_limit_refusals == 1u);
    // The connection and its namespaces carry on; leaving one makes room.
    BOOST_TEST(str(*c->emit_with_ack("ping"), 0) == "pong");
    c->disconnect("/a");
    BOOST_TEST(c->connect("/b"));
}

BOOST_AUTO_TEST_CASE(rooms_per_socket_are_bounded)
{
    corio::server_options o;
    o.limits.max_rooms_per_socket = 2;
    auto& s = make(o);
    s.of("/").on("join", [](corio::context& ctx, std::string room) -> std::string {
        auto joined = ctx.join(std::move(room));
        if (joined)
            return "joined";
        return joined.error() == corio::error::too_many_rooms ? "too many rooms" : "other error";
    });
    auto c = client();
    BOOST_TEST(str(*c->emit_with_ack("join", "a"), 0) == "joined");
    BOOST_TEST(str(*c->emit_with_ack("join", "b"), 0) == "joined");
    BOOST_TEST(str(*c->emit_with_ack("join", "c"), 0) == "too many rooms");
    // Already a member: no new room, so no refusal.
    BOOST_TEST(str(*c->emit_with_ack("join", "a"), 0) == "joined");
    BOOST_TEST(s.stats().room_limit_refusals == 1u);
    const auto rooms = s.of("/").rooms();
    BOOST_TEST(rooms.size() == 2u);
}

BOOST_AUTO_TEST_CASE(pending_acks_per_socket_are_bounded)
{
    corio::server_options o;
    o.limits.max_pending_acks = 2;
    auto& s = make(o);
    std::optional<corio::socket_ref> socket;
    s.of("/").on_connect([&](corio::context& ctx) { socket = ctx; });
    auto c = client(); // answers no ack request
    BOOST_TEST_REQUIRE(socket.has_value());
    std::vector<corio::ack_result> answers;
    for (int i = 0; i < 2; ++i)
        net::co_spawn(ioc, socket->emit_with_ack(60s, "question", i),
                      [&](std::exception_ptr, corio::ack_result r) { answers.push_back(std::move(r)); });
    c->run_until_idle();
    BOOST_TEST(answers.empty());
    const auto third = await(socket->emit_with_ack(60s, "question", 2));
    BOOST_TEST((third.error() == corio::error::too_many_pending_acks));
    BOOST_TEST(s.stats().ack_limit_refusals == 1u);
    // The two asked still wait; they end when the socket leaves.
    BOOST_TEST(c->get_received().size() == 2u);
    c.reset();
    BOOST_TEST(drive_until([&] { return answers.size() == 2; }));
    for (const auto& a : answers)
        BOOST_TEST((a.error() == corio::error::socket_disconnected));
}

BOOST_AUTO_TEST_CASE(events_over_their_rate_are_dropped_and_counted)
{
    corio::server_options o;
    // Two at once, then one an hour: no refill during the test.
    o.limits.events = {.per_second = 1.0 / 3600, .burst = 2};
    o.limits.event_rates["free"] = {}; // unlimited
    o.limits.event_rates["chat"] = {.per_second = 1.0 / 3600, .burst = 1};
    auto& s = make(o);
    int events = 0;
    int free = 0;
    int chats = 0;
    s.of("/").on("e", [&](corio::context&) { ++events; });
    s.of("/").on("free", [&](corio::context&) { ++free; });
    s.of("/").on("chat", [&](corio::context&) { ++chats; });
    auto c = client();
    for (int i = 0; i < 4; ++i)
        c->emit("e");
    for (int i = 0; i < 5; ++i)
        c->emit("free");
    c->emit("chat");
    c->emit("chat");
    BOOST_TEST(events == 2);
    BOOST_TEST(free == 5);
    BOOST_TEST(chats == 1);
    BOOST_TEST(s.stats().events_rate_limited == 3u);
    // An ack asked for is answered with the error.
    const auto answer = c->emit_with_ack("e");
    BOOST_TEST_REQUIRE(answer.has_value());
    BOOST_TEST(answer->values().at(0).at("error").as_string() == "rate limited");
    BOOST_TEST(answer->values().at(0).at("event").as_string() == "e");
    BOOST_TEST(s.stats().events_rate_limited == 4u);
    BOOST_TEST(!c->engine_closed());
}

BOOST_AUTO_TEST_CASE(concurrent_handlers_per_socket_are_bounded)
{
    closed_gate closed(ioc);
    corio::server_options o;
    o.limits.max_concurrent_handlers = 2;
    auto& s = make(o);
    s.of("/").concurrent_handlers(true).on("wait", &wait_at_gate);
    auto c = client();
    for (int i = 0; i < 5; ++i)
        c->emit("wait");
    BOOST_TEST(gate.running == 2);
    open_gate();
    BOOST_TEST(drive_until([&] { return gate.finished == 5; }));
    BOOST_TEST(gate.most_running == 2);
}

BOOST_AUTO_TEST_CASE(an_event_queue_over_its_bound_closes_the_connection)
{
    closed_gate closed(ioc);
    corio::server_options o;
    o.limits.max_queued_events = 3;
    auto& s = make(o);
    s.of("/").on("wait", &wait_at_gate);
    auto c = client();
    // One runs, three wait: at the bound.
    for (int i = 0; i < 4; ++i)
        c->emit("wait");
    BOOST_TEST(gate.running == 1);
    BOOST_TEST(!c->engine_closed());
    c->emit("wait");
    BOOST_TEST(left_with(corio::disconnect_reason::event_queue_full));
    BOOST_TEST(drive_until([&] { return c->engine_closed(); }));
    BOOST_TEST(s.stats().event_queue_full == 1u);
    open_gate();
}

BOOST_AUTO_TEST_SUITE_END()
