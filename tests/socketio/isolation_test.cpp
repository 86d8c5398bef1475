// What one socket may never receive: another namespace's broadcasts (the
// same room names included), another room's, or what `except` excluded. The
// security review (docs/security.md) relies on these.
#include "server_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>
#include <vector>

using namespace corio_test;

namespace {

// join/leave in `ns`, and a broadcast from inside a handler to the room
// given, except the rooms given (the sender excluded, as ctx.to does).
void setup(corio::nsp ns)
{
    ns.on("join", [](corio::context& ctx, std::string room) {
          ctx.join(std::move(room));
          return true;
      })
        .on("to_except", [](corio::context& ctx, std::string room, std::vector<std::string> except, std::string text) {
            auto op = ctx.to(std::move(room));
            for (auto& e : except)
                op = op.except(std::move(e));
            op.emit("said", text);
            return true;
        })
        .on("broadcast", [](corio::context& ctx, std::string text) {
            ctx.broadcast().emit("said", text);
            return true;
        });
}

// The texts of the "said" events `c` received in `nsp` (taken out of its buffer).
std::vector<std::string> said(corio::testing::client& c, std::string_view nsp = "/")
{
    std::vector<std::string> out;
    for (auto& e : c.get_received(nsp))
        if (e.event == "said")
            out.emplace_back(e.args.values().at(0).as_string());
    return out;
}

using texts = std::vector<std::string>;

} // namespace

BOOST_FIXTURE_TEST_SUITE(isolation, server_fixture)

// Rooms belong to their namespace: "r" in "/" and "r" in "/chat" are two
// rooms, even for one client connected to both.
BOOST_AUTO_TEST_CASE(a_room_name_in_another_namespace_is_another_room)
{
    setup(io.of("/"));
    setup(io.of("/chat"));
    auto root_only = client();
    auto chat_only = client({.nsp = "/chat"});
    auto both = client();
    BOOST_TEST_REQUIRE(both->connect("/chat"));
    root_only->emit_with_ack("join", "r");
    chat_only->emit_with_ack("join", "r");
    // `both` is in "r" of "/" only.
    both->emit_with_ack("join", "r");

    io.of("/chat").to("r").emit("said", "chat news");
    both->run_until_idle();
    BOOST_TEST(said(*chat_only, "/chat") == texts{"chat news"});
    BOOST_TEST(said(*root_only).empty());
    BOOST_TEST(said(*root_only, "/chat").empty());
    BOOST_TEST(said(*both).empty());
    BOOST_TEST(said(*both, "/chat").empty());

    io.of("/").to("r").emit("said", "root news");
    both->run_until_idle();
    BOOST_TEST(said(*root_only) == texts{"root news"});
    BOOST_TEST(said(*both) == texts{"root news"});
    BOOST_TEST(said(*both, "/chat").empty());
    BOOST_TEST(said(*chat_only, "/chat").empty());
    BOOST_TEST(said(*chat_only).empty());
}

// A namespace-wide broadcast reaches that namespace's sockets only, and a
// socket id is a room of its own namespace only.
BOOST_AUTO_TEST_CASE(namespace_broadcasts_and_socket_id_rooms_stay_in_their_namespace)
{
    setup(io.of("/"));
    setup(io.of("/admin"));
    auto admin = client({.nsp = "/admin"});
    auto player = client();
    auto bystander = client();
    BOOST_TEST_REQUIRE(bystander->connect("/admin"));
    // `bystander` has a socket in each namespace, with a different id in each.
    BOOST_TEST(bystander->sid("/") != bystander->sid("/admin"));

    admin->emit_with_ack("broadcast", "admins only");
    io.of("/admin").emit("said", "admins too");
    player->run_until_idle();
    BOOST_TEST(said(*player).empty());
    BOOST_TEST(said(*player, "/admin").empty());
    BOOST_TEST(said(*bystander, "/admin") == (texts{"admins only", "admins too"}));
    BOOST_TEST(said(*bystander).empty());

    // The "/" socket's id names no room in "/admin".
    io.of("/admin").to(player->sid()).emit("said", "wrong namespace");
    io.of("/admin").to(bystander->sid("/")).emit("said", "wrong namespace");
    io.of("/").to(bystander->sid("/admin")).emit("said", "wrong namespace");
    player->run_until_idle();
    BOOST_TEST(said(*player).empty());
    BOOST_TEST(said(*bystander).empty());
    BOOST_TEST(said(*bystander, "/admin").empty());
}

// Room names are compared whole: no prefix, suffix or path matching (there
// are no nested rooms), and `except` removes exactly the sockets in the
// rooms it names, wherever else they are.
BOOST_AUTO_TEST_CASE(rooms_match_by_whole_name_and_except_excludes_exactly)
{
    setup(io.of("/"));
    auto sender = client();
    auto in_game = client();
    auto in_sub = client();
    auto in_prefix = client();
    auto muted = client();
    in_game->emit_with_ack("join", "game");
    in_sub->emit_with_ack("join", "game/1");
    in_prefix->emit_with_ack("join", "gam");
    muted->emit_with_ack("join", "game");
    muted->emit_with_ack("join", "muted");
    muted->emit_with_ack("join", "game/1");

    sender->emit_with_ack("to_except", "game", std::vector<std::string>{"muted"}, "to game");
    sender->run_until_idle();
    BOOST_TEST(said(*in_game) == texts{"to game"});
    BOOST_TEST(said(*in_sub).empty());
    BOOST_TEST(said(*in_prefix).empty());
    BOOST_TEST(said(*muted).empty());
    BOOST_TEST(said(*sender).empty());

    sender->emit_with_ack("to_except", "game/1", std::vector<std::string>{"game"}, "to game/1");
    sender->run_until_idle();
    BOOST_TEST(said(*in_sub) == texts{"to game/1"});
    BOOST_TEST(said(*muted).empty());
    BOOST_TEST(said(*in_game).empty());

    // Excluding a socket id excludes that socket only; a room that nobody is
    // in reaches nobody.
    io.of("/").to("game").except(in_game->sid()).emit("said", "not you");
    io.of("/").to("gamez").emit("said", "nobody");
    sender->run_until_idle();
    BOOST_TEST(said(*muted) == texts{"not you"});
    BOOST_TEST(said(*in_game).empty());
    BOOST_TEST(said(*in_sub).empty());
    BOOST_TEST(said(*in_prefix).empty());
}

// Dynamic namespaces are as separate as static ones: the same room name in
// two of them, and their broadcasts, stay apart.
BOOST_AUTO_TEST_CASE(dynamic_namespaces_do_not_hear_each_other)
{
    io.of_dynamic([](std::string_view name) { return name.starts_with("/team-"); }, [](corio::nsp ns) { setup(ns); });
    setup(io.of("/"));
    auto red1 = client({.nsp = "/team-red"});
    auto red2 = client({.nsp = "/team-red"});
    auto blue = client({.nsp = "/team-blue"});
    auto root = client();
    red2->emit_with_ack("join", "base");
    blue->emit_with_ack("join", "base");
    root->emit_with_ack("join", "base");

    red1->emit_with_ack("broadcast", "red only");
    red1->emit_with_ack("to_except", "base", std::vector<std::string>{}, "red base");
    io.of("/team-blue").to("base").emit("said", "blue base");
    root->run_until_idle();
    BOOST_TEST(said(*red2, "/team-red") == (texts{"red only", "red base"}));
    BOOST_TEST(said(*blue, "/team-blue") == texts{"blue base"});
    BOOST_TEST(said(*blue, "/team-red").empty());
    BOOST_TEST(said(*root).empty());
    BOOST_TEST(said(*root, "/team-red").empty());
    BOOST_TEST(said(*red1, "/team-red").empty());
}

BOOST_AUTO_TEST_SUITE_END()
