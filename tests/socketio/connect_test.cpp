#include "server_fixture.hpp"

#include <boost/test/unit_test.hpp>

using namespace corio_test;

BOOST_FIXTURE_TEST_SUITE(connect_and_disconnect, server_fixture)

BOOST_AUTO_TEST_CASE(connect_handler_sees_auth_and_its_emits_follow_the_connect)
{
    io.of("/").on_connect([](corio::context& ctx, json::object auth) {
        ctx.emit("hello", auth.at("name"));
    });
    auto c = client({.auth = {{"name", "ada"}}});
    BOOST_TEST_REQUIRE(c->connected());
    auto hello = c->wait_for("hello");
    BOOST_TEST_REQUIRE(hello.has_value());
    BOOST_TEST(str(hello->args, 0) == "ada");
}

BOOST_AUTO_TEST_CASE(refusal_reaches_the_client_with_its_data)
{
    io.of("/").on_connect([](corio::context& ctx) -> net::awaitable<corio::connect_verdict> {
        if (ctx.handshake().auth.contains("token"))
            co_return corio::accept();
        co_return corio::refuse_with(json::object{{"message", "unauthorized"}, {"data", {{"retry", false}}}});
    });
    auto refused = client();
    BOOST_TEST(!refused->connected());
    BOOST_TEST(json::serialize(*refused->connect_error()) ==
               R"({"message":"unauthorized","data":{"retry":false}})");
    auto accepted = client({.auth = {{"token", "t"}}});
    BOOST_TEST(accepted->connected());
    BOOST_TEST(io.of("/").socket_count() == 1u);
}

BOOST_AUTO_TEST_CASE(middlewares_run_server_first_then_namespace_and_the_first_refusal_wins)
{
    std::vector<std::string> ran;
    io.use([&](corio::context&) { ran.push_back("server"); });
    io.of("/").use([&](corio::context& ctx) {
        ran.push_back("namespace");
        return ctx.handshake().header("x-user").has_value();
    });
    io.of("/").on_connect([&](corio::context&) { ran.push_back("connect"); });
    auto anonymous = client();
    BOOST_TEST(!anonymous->connected());
    BOOST_TEST((ran == std::vector<std::string>{"server", "namespace"}));
    ran.clear();
    auto known = client({.headers = {{"x-user", "ada"}}});
    BOOST_TEST(known->connected());
    BOOST_TEST((ran == std::vector<std::string>{"server", "namespace", "connect"}));
}

BOOST_AUTO_TEST_CASE(disconnect_handler_gets_the_reason_and_can_still_read_the_rooms)
{
    std::vector<std::string> seen;
    io.of("/")
        .on("join", [](corio::context& ctx, std::string room) { ctx.join(std::move(room)); return true; })
        .on("leave_me", [](corio::context& ctx) { ctx.disconnect(); })
        .on_disconnect([&](corio::context& ctx, corio::disconnect_reason reason) {
            auto rooms = ctx.rooms();
            bool in_game = std::find(rooms.begin(), rooms.end(), "game") != rooms.end();
            seen.push_back(std::string(corio::to_string(reason)) + (in_game ? " in game" : ""));
        });

    auto a = client();
    a->emit_with_ack("join", "game");
    a->disconnect();
    BOOST_TEST(drive_until([&] { return seen.size() == 1; }));

    auto b = client();
    b->emit("leave_me");
    BOOST_TEST(drive_until([&] { return seen.size() == 2; }));
    BOOST_TEST(b->server_disconnected());
    // Disconnected by the server, a client may still connect again.
    BOOST_TEST(b->connect());

    auto c = client();
    c->emit_with_ack("join", "game");
    c->close(corio::engine::close_reason::ping_timeout);
    BOOST_TEST(drive_until([&] { return seen.size() == 3; }));

    BOOST_TEST((seen == std::vector<std::string>{"io client disconnect in game", "io server disconnect",
                                                 "ping timeout in game"}));
    BOOST_TEST(io.of("/").rooms().empty());
}

BOOST_AUTO_TEST_CASE(session_data_is_typed_and_per_socket)
{
    struct profile {
        std::string name;
        int moves = 0;
    };
    io.of("/")
        .on("name", [](corio::context& ctx, std::string name) { ctx.data<profile>().name = std::move(name); })
        .on("move", [](corio::context& ctx) {
            auto& p = ctx.data<profile>();
            return p.name + ":" + std::to_string(++p.moves);
        });
    auto a = client();
    auto b = client();
    a->emit("name", "ada");
    b->emit("name", "bob");
    a->emit_with_ack("move");
    BOOST_TEST(str(*a->emit_with_ack("move"), 0) == "ada:2");
    BOOST_TEST(str(*b->emit_with_ack("move"), 0) == "bob:1");
}

BOOST_AUTO_TEST_CASE(server_emit_with_ack_gets_the_answer_or_times_out)
{
    std::vector<std::string> results;
    io.of("/").on("ask", [&](corio::context& ctx) -> net::awaitable<void> {
        auto answer = co_await ctx.emit_with_ack("question", 1);
        results.push_back(answer ? std::string(answer->values().at(0).as_string()) : answer.error().message());
    });
    auto polite = client();
    polite->on_ack_request([](const corio::testing::received_event& e) {
        return corio::arguments::of("answer to " + e.event);
    });
    polite->emit("ask");
    BOOST_TEST(drive_until([&] { return results.size() == 1; }));
    auto silent = client();
    silent->emit("ask");
    BOOST_TEST(drive_until([&] { return results.size() == 2; }));
    BOOST_TEST(results.at(0) == "answer to question");
    BOOST_TEST(results.at(1) == corio::make_error_code(corio::error::ack_timeout).message());
}

BOOST_AUTO_TEST_CASE(server_emit_with_ack_takes_a_timeout_of_its_own)
{
    // The fixture's ack_timeout is 500 ms; these asks wait 1500 ms.
    std::vector<std::string> results;
    io.of("/").on("ask", [&](corio::context& ctx) -> net::awaitable<void> {
        auto answer = co_await ctx.emit_with_ack(1500ms, "question", 1);
        results.push_back(answer ? std::string(answer->values().at(0).as_string()) : answer.error().message());
    });
    io.of("/").on("ask_ready_made", [&](corio::context& ctx) -> net::awaitable<void> {
        auto answer = co_await ctx.emit_with_ack_arguments(1500ms, "question", corio::arguments::of(2));
        results.push_back(answer ? std::string(answer->values().at(0).as_string()) : answer.error().message());
    });
    auto polite = client();
    polite->on_ack_request([](const corio::testing::received_event& e) {
        return corio::arguments::of("answer to " + std::to_string(e.args.values().at(0).as_int64()));
    });
    polite->emit("ask");
    polite->emit("ask_ready_made");
    BOOST_TEST(drive_until([&] { return results.size() == 2; }));
    BOOST_TEST((results == std::vector<std::string>{"answer to 1", "answer to 2"}));

    auto silent = client();
    silent->emit("ask");
    // Past the default timeout and still waiting (a timer never fires early,
    // so this cannot pass by luck), then timed out.
    BOOST_TEST(!drive_until([&] { return results.size() == 3; }, 800ms));
    BOOST_TEST(drive_until([&] { return results.size() == 3; }));
    BOOST_TEST(results.at(2) == corio::make_error_code(corio::error::ack_timeout).message());
}

BOOST_AUTO_TEST_SUITE_END()
