#include <corio/contract.hpp>
#include <corio/typed_nsp.hpp>

#include "server_fixture.hpp"

#include <boost/describe/class.hpp>
#include <boost/mp11/algorithm.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

// What compiles wrongly is pinned by tests/compile_fail/contract_*.cpp.

namespace contract_test {

using namespace corio_test;

struct room_info {
    std::string code;
    int seats = 0;
};
BOOST_DESCRIBE_STRUCT(room_info, (), (code, seats))

struct game_state {
    std::string room;
    std::vector<std::string> players;
};
BOOST_DESCRIBE_STRUCT(game_state, (), (room, players))

struct create_room : corio::client_to_server<"create_room", corio::ack<room_info>(std::string name, int seats)> {};
struct leave : corio::client_to_server<"leave", void(std::optional<std::string> reason)> {};
struct new_game : corio::server_to_client<"new_game", void(game_state state)> {};
struct notice : corio::server_to_client<"notice", void(std::string text, int level)> {};
struct ready : corio::server_to_client<"ready", corio::ack<bool>(std::string room)> {};
using lobby = corio::contract<create_room, leave, new_game, notice, ready>;

// Everything a generator needs is a compile-time value.
static_assert(create_room::name == "create_room");
static_assert(create_room::direction == corio::event_direction::client_to_server);
static_assert(std::is_same_v<create_room::argument_types, boost::mp11::mp_list<std::string, int>>);
static_assert(std::is_same_v<create_room::ack_type, room_info> && create_room::has_ack);
static_assert(std::is_void_v<new_game::ack_type> && !new_game::has_ack);
static_assert(new_game::direction == corio::event_direction::server_to_client);
static_assert(lobby::contains<notice> && !lobby::contains<int>);
static_assert(std::is_same_v<corio::find_event<lobby, "ready", corio::event_direction::server_to_client>::type, ready>);
static_assert(
    std::is_void_v<corio::find_event<lobby, "ready", corio::event_direction::client_to_server>::type>);

BOOST_FIXTURE_TEST_SUITE(contract, server_fixture)

BOOST_AUTO_TEST_CASE(a_generator_walks_every_event_of_a_contract)
{
    std::vector<std::string> seen;
    boost::mp11::mp_for_each<boost::mp11::mp_transform<std::type_identity, lobby::events>>([&](auto e) {
        using event = typename decltype(e)::type;
        seen.push_back(std::string(event::name) +
                       (event::direction == corio::event_direction::client_to_server ? " in/" : " out/") +
                       std::to_string(event::arity) + (event::has_ack ? "/ack" : ""));
    });
    BOOST_TEST((seen == std::vector<std::string>{"create_room in/2/ack", "leave in/1", "new_game out/1",
                                                 "notice out/2", "ready out/1/ack"}));
}

BOOST_AUTO_TEST_CASE(a_typed_handler_receives_typed_arguments_and_acks_with_the_declared_type)
{
    io.of("/").on<create_room>([](corio::context& ctx, const std::string& name, int seats) {
        ctx.join(name);
        return room_info{name, seats};
    });
    auto c = client();
    auto ack = c->emit_with_ack("create_room", "K7QD", 2);
    BOOST_TEST_REQUIRE(ack.has_value());
    BOOST_TEST(json::serialize(ack->values()) == R"([{"code":"K7QD","seats":2}])");
    // The untyped path's argument checks still apply: a wrong type is
    // refused before the handler runs.
    auto refused = c->emit_with_ack("create_room", 42, 2);
    BOOST_TEST_REQUIRE(refused.has_value());
    BOOST_TEST(json::serialize(refused->values()).find("expected a string, got 42") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_coroutine_handler_and_an_event_without_ack)
{
    std::vector<std::string> reasons;
    io.of("/").on<create_room>([](corio::context&, std::string name, int seats) -> net::awaitable<room_info> {
        co_return room_info{std::move(name), seats};
    });
    io.of("/").on<leave>([&](corio::context&, std::optional<std::string> reason) {
        reasons.push_back(reason.value_or("none"));
    });
    auto c = client();
    auto ack = c->emit_with_ack("create_room", "AB12", 4);
    BOOST_TEST_REQUIRE(ack.has_value());
    BOOST_TEST(json::serialize(ack->values()) == R"([{"code":"AB12","seats":4}])");
    c->emit("leave", "bored");
    c->emit("leave");
    BOOST_TEST((reasons == std::vector<std::string>{"bored", "none"}));
}

BOOST_AUTO_TEST_CASE(emit_of_an_event_delivers_its_declared_arguments)
{
    io.of("/").on<create_room>([](corio::context& ctx, std::string name, int seats) {
        ctx.join(name);
        // A string literal converts to the declared std::string.
        ctx.emit<notice>("created", 1);
        ctx.to(name).include_self().emit<new_game>(game_state{name, {ctx.id()}});
        return room_info{name, seats};
    });
    auto a = client();
    auto b = client();
    BOOST_TEST_REQUIRE(a->emit_with_ack("create_room", "K7QD", 2).has_value());
    auto n = a->wait_for("notice");
    BOOST_TEST_REQUIRE(n.has_value());
    BOOST_TEST(json::serialize(n->args.values()) == R"(["created",1])");
    auto g = a->wait_for("new_game");
    BOOST_TEST_REQUIRE(g.has_value());
    BOOST_TEST(json::serialize(g->args.values()) == R"([{"room":"K7QD","players":[")" + a->sid() + R"("]}])");

    // From the namespace, to every socket.
    io.of("/").emit<notice>(std::string("closing"), 3);
    auto on_b = b->wait_for("notice");
    BOOST_TEST_REQUIRE(on_b.has_value());
    BOOST_TEST(json::serialize(on_b->args.values()) == R"(["closing",3])");
}

BOOST_AUTO_TEST_CASE(emit_with_ack_of_an_event_returns_the_clients_answer)
{
    auto c = client();
    c->on_ack_request([](const corio::testing::received_event& e) {
        return corio::arguments::of(e.event == "ready" && e.args.values().at(0) == "K7QD");
    });
    auto socket = await(io.of("/").fetch_sockets());
    BOOST_TEST_REQUIRE(socket.has_value());
    BOOST_TEST_REQUIRE(socket->size() == 1u);
    auto all = await(io.of("/").all().emit_with_ack<ready>(1s, "K7QD"));
    BOOST_TEST_REQUIRE(all.has_value());
    BOOST_TEST_REQUIRE(all->size() == 1u);
    BOOST_TEST(json::serialize(all->at(0).values()) == "[true]");
}

BOOST_AUTO_TEST_CASE(a_typed_namespace_takes_its_events_by_type_or_by_name)
{
    corio::typed_nsp<lobby> typed(io.of("/"));
    typed.on<"create_room">([](corio::context& ctx, std::string name, int seats) -> net::awaitable<room_info> {
        auto answer = co_await ctx.emit_with_ack<ready>(1s, name);
        co_return room_info{name, answer && answer->values().at(0) == true ? seats : 0};
    });
    typed.on<leave>([](corio::context& ctx, std::optional<std::string>) { ctx.emit<notice>("bye", 0); });
    auto c = client();
    c->on_ack_request([](const corio::testing::received_event&) { return corio::arguments::of(true); });
    auto ack = c->emit_with_ack("create_room", "ZZ99", 3);
    BOOST_TEST_REQUIRE(ack.has_value());
    BOOST_TEST(json::serialize(ack->values()) == R"([{"code":"ZZ99","seats":3}])");
    c->emit("leave");
    BOOST_TEST(c->wait_for("notice").has_value());

    typed.emit<"new_game">(game_state{"ZZ99", {"x"}});
    typed.emit<notice>("all", 2);
    auto g = c->wait_for("new_game");
    BOOST_TEST_REQUIRE(g.has_value());
    BOOST_TEST(json::serialize(g->args.values()) == R"([{"room":"ZZ99","players":["x"]}])");
    auto n = c->wait_for("notice");
    BOOST_TEST_REQUIRE(n.has_value());
    BOOST_TEST(json::serialize(n->args.values()) == R"(["all",2])");
    BOOST_TEST(typed.untyped().name() == "/");
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace contract_test
