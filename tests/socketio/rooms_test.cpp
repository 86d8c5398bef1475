#include "server_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <mutex>
#include <set>
#include <thread>

using namespace corio_test;

namespace {

// Installs join/leave/say handlers, and one that broadcasts as told.
void setup(corio::server& io)
{
    io.of("/")
        .on("join", [](corio::context& ctx, std::string room) { ctx.join(std::move(room)); return true; })
        .on("leave", [](corio::context& ctx, std::string room) { ctx.leave(room); return true; })
        .on("to", [](corio::context& ctx, std::string room, std::string text) {
            ctx.to(std::move(room)).emit("said", text);
            return true;
        })
        .on("to_including_me", [](corio::context& ctx, std::string room, std::string text) {
            ctx.to(std::move(room)).include_self().emit("said", text);
            return true;
        })
        .on("broadcast", [](corio::context& ctx, std::string text) {
            ctx.broadcast().emit("said", text);
            return true;
        });
}

std::size_t said_count(corio::testing::client& c)
{
    auto events = c.get_received();
    return std::count_if(events.begin(), events.end(), [](auto& e) { return e.event == "said"; });
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(rooms, server_fixture)

BOOST_AUTO_TEST_CASE(every_socket_is_in_its_own_room_and_rooms_empty_away)
{
    setup(io);
    auto a = client();
    io.of("/").on("my_rooms", [](corio::context& ctx) { return ctx.rooms(); });
    a->emit_with_ack("join", "r1");
    auto rooms = a->emit_with_ack("my_rooms")->values().at(0).as_array();
    std::set<std::string> names;
    for (auto& r : rooms)
        names.insert(std::string(r.as_string()));
    BOOST_TEST((names == std::set<std::string>{a->sid(), "r1"}));
    BOOST_TEST((io.of("/").rooms() == std::vector<std::string>{"r1"}));
    a->emit_with_ack("leave", "r1");
    BOOST_TEST(io.of("/").rooms().empty());
}

BOOST_AUTO_TEST_CASE(to_room_reaches_members_but_not_the_sender_unless_asked)
{
    setup(io);
    auto a = client();
    auto b = client();
    auto outsider = client();
    a->emit_with_ack("join", "r");
    b->emit_with_ack("join", "r");
    a->emit_with_ack("to", "r", "hi");
    BOOST_TEST(said_count(*a) == 0u);
    BOOST_TEST(said_count(*b) == 1u);
    BOOST_TEST(said_count(*outsider) == 0u);
    a->emit_with_ack("to_including_me", "r", "hi");
    BOOST_TEST(said_count(*a) == 1u);
    BOOST_TEST(said_count(*b) == 1u);
    a->emit_with_ack("broadcast", "all");
    BOOST_TEST(said_count(*a) == 0u);
    BOOST_TEST(said_count(*b) == 1u);
    BOOST_TEST(said_count(*outsider) == 1u);
}

BOOST_AUTO_TEST_CASE(union_of_rooms_except_and_skip_from_outside_any_handler)
{
    setup(io);
    auto a = client();
    auto b = client();
    auto c = client();
    a->emit_with_ack("join", "red");
    b->emit_with_ack("join", "blue");
    c->emit_with_ack("join", "blue");
    c->emit_with_ack("join", "muted");

    // From another thread, as a background job would.
    std::thread([&] { io.to("red").to("blue").except("muted").emit("said", "news"); }).join();
    BOOST_TEST(drive_until([&] { return said_count(*a) == 1u; }));
    BOOST_TEST(said_count(*b) == 1u);
    BOOST_TEST(said_count(*c) == 0u);

    io.of("/").to("blue").skip(b->sid()).emit("said", "psst");
    c->run_until_idle();
    BOOST_TEST(said_count(*b) == 0u);
    BOOST_TEST(said_count(*c) == 1u);
}

BOOST_AUTO_TEST_CASE(server_side_join_leave_fetch_and_disconnect)
{
    setup(io);
    auto a = client();
    auto b = client();
    a->emit_with_ack("join", "lobby");
    b->emit_with_ack("join", "lobby");
    auto count = [&](std::string room) { return await(io.of("/").to(std::move(room)).fetch_sockets())->size(); };
    io.of("/").to("lobby").sockets_join("game");
    BOOST_TEST(count("game") == 2u);
    io.of("/").to("game").skip(a->sid()).sockets_leave("game");
    auto in_game = await(io.of("/").to("game").fetch_sockets());
    BOOST_TEST_REQUIRE(in_game->size() == 1u);
    BOOST_TEST((*in_game)[0].id() == a->sid());
    auto rooms = (*in_game)[0].rooms();
    std::sort(rooms.begin(), rooms.end());
    std::vector<std::string> expected{a->sid(), "game", "lobby"};
    std::sort(expected.begin(), expected.end());
    BOOST_TEST(rooms == expected);
    io.of("/").close_room("game");
    BOOST_TEST(count("game") == 0u);
    BOOST_TEST((io.of("/").rooms() == std::vector<std::string>{"lobby"}));
    io.of("/").to("lobby").disconnect_sockets();
    BOOST_TEST(drive_until([&] { return a->server_disconnected() && b->server_disconnected(); }));
    BOOST_TEST(drive_until([&] { return io.of("/").rooms().empty(); }));
}

BOOST_AUTO_TEST_CASE(broadcast_with_acks_collects_every_answer)
{
    setup(io);
    auto a = client();
    auto b = client();
    auto silent = client();
    for (auto* c : {a.get(), b.get(), silent.get()})
        c->emit_with_ack("join", "poll");
    a->on_ack_request([](const auto&) { return corio::arguments::of("yes"); });
    b->on_ack_request([](const auto&) { return corio::arguments::of("no"); });

    auto answered = await(io.of("/").to("poll").except(silent->sid()).emit_with_ack(1s, "vote", "?"));
    BOOST_TEST_REQUIRE(answered.has_value());
    std::multiset<std::string> votes;
    for (auto& args : *answered)
        votes.insert(str(args, 0));
    BOOST_TEST((votes == std::multiset<std::string>{"no", "yes"}));

    // One socket never answers: the whole operation times out, as socket.io's emitWithAck.
    auto partial = await(io.of("/").to("poll").emit_with_ack(200ms, "vote", "?"));
    BOOST_TEST((partial.error() == corio::error::ack_timeout));

    // Without a timeout of its own: server_options::ack_timeout (500 ms here),
    // as a socket's emit_with_ack.
    auto by_default = await(io.of("/").to("poll").emit_with_ack("vote", "?"));
    BOOST_TEST((by_default.error() == corio::error::ack_timeout));
    auto ready_made = await(io.of("/").to("poll").except(silent->sid()).emit_with_ack_arguments(
        "vote", corio::arguments::of("?")));
    BOOST_TEST_REQUIRE(ready_made.has_value());
    BOOST_TEST(ready_made->size() == 2u);

    // Nobody to ask: done at once, with no answers.
    auto none = await(io.of("/").to("nobody").emit_with_ack(10s, "vote", "?"));
    BOOST_TEST_REQUIRE(none.has_value());
    BOOST_TEST(none->empty());
}

BOOST_AUTO_TEST_CASE(graceful_shutdown_lets_handlers_finish_then_disconnects)
{
    bool finished = false;
    std::vector<corio::disconnect_reason> reasons;
    io.of("/")
        .on("work", [&](corio::context&) -> net::awaitable<void> {
            co_await corio::sleep(50ms);
            finished = true;
        })
        .on_disconnect([&](corio::context&, corio::disconnect_reason r) { reasons.push_back(r); });
    bool task_stopped = false;
    io.spawn([&]() -> net::awaitable<void> {
        try {
            co_await corio::sleep(10s);
        } catch (const boost::system::system_error&) {
            task_stopped = true;
            throw;
        }
    });
    auto c = client();
    c->emit("work");
    c->run_until_idle();
    bool shut = false;
    net::co_spawn(ioc, io.shutdown(1s), [&](std::exception_ptr) { shut = true; });
    BOOST_TEST(drive_until([&] { return shut && !reasons.empty() && task_stopped; }));
    BOOST_TEST(finished);
    BOOST_TEST(task_stopped);
    BOOST_TEST((reasons == std::vector{corio::disconnect_reason::server_shutting_down}));
    // New connections are refused while shut down.
    auto late = client();
    BOOST_TEST(!late->connected());
}

BOOST_AUTO_TEST_CASE(outgoing_hooks_see_each_recipient_of_broadcasts_with_and_without_acks)
{
    setup(io);
    std::mutex mutex;
    std::multiset<std::string> seen; // "event:sid"
    io.of("/").on_any_outgoing([&](const corio::socket_ref& s, std::string_view event, const corio::arguments&) {
        std::lock_guard lock(mutex);
        seen.insert(std::string(event) + ":" + s.id());
    });
    auto a = client();
    auto b = client();
    a->emit_with_ack("join", "r");
    b->emit_with_ack("join", "r");
    a->on_ack_request([](const auto&) { return corio::arguments::of(1); });
    b->on_ack_request([](const auto&) { return corio::arguments::of(2); });

    io.of("/").to("r").emit("plain");
    BOOST_TEST(await(io.of("/").to("r").emit_with_ack(1s, "asked")).has_value());
    std::lock_guard lock(mutex);
    BOOST_TEST((seen == std::multiset<std::string>{"plain:" + a->sid(), "plain:" + b->sid(), "asked:" + a->sid(),
                                                   "asked:" + b->sid()}));
}

BOOST_AUTO_TEST_SUITE_END()
