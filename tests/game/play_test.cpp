// The game's Socket.IO handlers, driven through corio::testing: real codec,
// real lobby, an in-memory database and a clock the test moves by hand.
#include "game_fixture.hpp"

#include "store_contract.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using corio::testing::client;

constexpr std::string_view code_alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

using game_test::ask;
using game_test::error_of;
using game_test::succeeded;
using game_test::text;

// The lobby keeps its chat in the database.
struct game_fixture : game_test::one_node {
    game_fixture() : one_node({}, true) {}

    /// A signed-in player: an account, a login session, and a connected client.
    struct player {
        corio_game::user user;
        std::string token;
        std::unique_ptr<client> socket;
    };

    player sign_in(const std::string& name)
    {
        auto [user, token] = game_test::sign_up(accounts, name);
        return {user, token, connect(token)};
    }

    std::unique_ptr<client> connect(const std::string& token)
    {
        return game_test::session_client(io, ioc, token, "theme=dark; ");
    }
};

/// The newest arguments of each event received so far; the buffer is emptied.
std::map<std::string, json::value> drain(client& c)
{
    std::map<std::string, json::value> newest;
    for (auto& e : c.get_received())
        newest[e.event] = e.args.values().empty() ? json::value() : e.args.values()[0];
    return newest;
}

/// The newest `event` received so far (everything received is dropped).
std::optional<json::value> latest(client& c, std::string_view event)
{
    auto newest = drain(c);
    auto it = newest.find(std::string(event));
    if (it == newest.end())
        return std::nullopt;
    return it->second;
}

json::object latest_room(client& c)
{
    auto state = latest(c, "room");
    BOOST_TEST_REQUIRE(state.has_value());
    return state->as_object();
}

std::string disc_at(const json::object& state, int column, int row)
{
    return text(state.at("board").as_array().at(row).as_array().at(column));
}

/// alice creates a room, bob joins it by code: a game starts.
std::string start_game(game_fixture::player& alice, game_fixture::player& bob)
{
    auto created = ask(*alice.socket, "create_room");
    BOOST_TEST_REQUIRE(succeeded(created));
    auto code = text(created.at("code"));
    BOOST_TEST_REQUIRE(succeeded(ask(*bob.socket, "join_room", code)));
    return code;
}

/// Plays columns alternately, alice (red) first; every move must succeed.
void play_moves(game_fixture::player& red, game_fixture::player& yellow, std::initializer_list<int> columns)
{
    bool red_turn = true;
    for (int column : columns) {
        auto& mover = red_turn ? red : yellow;
        auto ack = ask(*mover.socket, "move", column);
        BOOST_TEST_REQUIRE(succeeded(ack), "move " << column << ": " << json::serialize(ack));
        red_turn = !red_turn;
    }
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(play, game_fixture)

BOOST_AUTO_TEST_CASE(connect_without_a_live_session_is_refused_as_unauthorized)
{
    corio::testing::client_options no_cookie;
    client anonymous(io, ioc, no_cookie);
    BOOST_TEST(!anonymous.connected());
    BOOST_TEST(json::serialize(anonymous.connect_error().value()) == R"({"message":"unauthorized"})");

    auto alice = sign_in("alice");
    accounts.revoke_session(alice.token);
    corio::testing::client_options revoked;
    revoked.headers = {{"cookie", "corio_session=" + alice.token}};
    client stale(io, ioc, revoked);
    BOOST_TEST(!stale.connected());
    BOOST_TEST(json::serialize(stale.connect_error().value()) == R"({"message":"unauthorized"})");
}

// A page of another origin (a sibling subdomain gets the cookie despite
// SameSite) cannot open a socket as the user; the game's own page can.
BOOST_AUTO_TEST_CASE(connect_from_another_origin_is_refused)
{
    auto alice = sign_in("alice");
    auto with = [&](std::string origin) {
        corio::testing::client_options o;
        o.headers = {{"cookie", "corio_session=" + alice.token}, {"host", "game.example"}, {"origin", origin}};
        return std::make_unique<client>(io, ioc, std::move(o));
    };
    for (std::string origin : {"https://evil.example", "https://x.game.example", "null", "https://game.example.evil"}) {
        BOOST_TEST_CONTEXT(origin)
        {
            auto c = with(origin);
            BOOST_TEST(!c->connected());
            BOOST_TEST(json::serialize(c->connect_error().value()) == R"({"message":"cross-origin"})");
        }
    }
    BOOST_TEST(with("https://game.example")->connected());
    BOOST_TEST(with("http://GAME.example")->connected());
}

BOOST_AUTO_TEST_CASE(a_connect_is_welcomed_with_name_online_count_and_rooms)
{
    auto alice = sign_in("alice");
    auto welcome = alice.socket->wait_for("welcome");
    BOOST_TEST_REQUIRE(welcome.has_value());
    BOOST_TEST(json::serialize(welcome->args.values()) == R"([{"name":"alice"}])");
    BOOST_TEST(json::serialize(*latest(*alice.socket, "online")) == R"({"players":1})");

    // A second tab of the same user is not a second player online.
    auto alice_again = connect(alice.token);
    auto bob = sign_in("bob");
    BOOST_TEST(json::serialize(*latest(*bob.socket, "online")) == R"({"players":2})");
    BOOST_TEST(json::serialize(*latest(*alice.socket, "online")) == R"({"players":2})");
    BOOST_TEST(json::serialize(*latest(*alice_again, "rooms")) == "[]");
    BOOST_TEST(store->online() == 2u);

    bob.socket->close();
    BOOST_TEST(json::serialize(*latest(*alice.socket, "online")) == R"({"players":1})");
}

BOOST_AUTO_TEST_CASE(create_answers_a_code_and_the_waiting_message)
{
    auto alice = sign_in("alice");
    auto bob = sign_in("bob");
    auto created = ask(*alice.socket, "create_room");
    BOOST_TEST_REQUIRE(succeeded(created));
    auto code = text(created.at("code"));
    BOOST_TEST(code.size() == 4u);
    BOOST_TEST(code.find_first_not_of(code_alphabet) == std::string::npos);
    BOOST_TEST(text(created.at("message")) == "Waiting for player 2, room ID is " + code);

    auto state = latest_room(*alice.socket);
    BOOST_TEST(text(state.at("status")) == "waiting");
    BOOST_TEST(text(state.at("red")) == "alice");
    BOOST_TEST(!state.contains("yellow")); // a free seat is left out

    // The lobby's list updates live.
    auto rooms = latest(*bob.socket, "rooms");
    BOOST_TEST_REQUIRE(rooms.has_value());
    BOOST_TEST(json::serialize(*rooms) ==
               R"([{"code":")" + code + R"(","host":"alice","status":"waiting","players":["alice"],"spectators":0}])");

    BOOST_TEST(error_of(ask(*alice.socket, "create_room")) == "You are already in room " + code + ".");
}

BOOST_AUTO_TEST_CASE(codes_are_unique_among_live_rooms)
{
    std::vector<game_fixture::player> hosts;
    std::set<std::string> codes;
    for (int i = 0; i < 40; ++i) {
        hosts.push_back(sign_in("host" + std::to_string(i)));
        codes.insert(text(ask(*hosts.back().socket, "create_room").at("code")));
    }
    BOOST_TEST(codes.size() == 40u);
    BOOST_TEST(store->room_count() == 40u);
}

BOOST_AUTO_TEST_CASE(join_by_code_starts_the_game_for_both)
{
    auto alice = sign_in("alice");
    auto bob = sign_in("bob");
    auto code = text(ask(*alice.socket, "create_room").at("code"));

    // Codes are typed by people: case and surrounding blanks do not matter.
    std::string typed = " " + code + " ";
    std::ranges::transform(typed, typed.begin(), [](unsigned char c) { return std::tolower(c); });
    auto joined = ask(*bob.socket, "join_room", typed);
    BOOST_TEST_REQUIRE(succeeded(joined));
    BOOST_TEST(text(joined.at("code")) == code);

    for (auto* c : {alice.socket.get(), bob.socket.get()}) {
        auto state = latest_room(*c);
        BOOST_TEST(text(state.at("status")) == "playing");
        BOOST_TEST(text(state.at("red")) == "alice");
        BOOST_TEST(text(state.at("yellow")) == "bob");
        BOOST_TEST(text(state.at("turn")) == "red");
        BOOST_TEST(text(state.at("message")) == "alice to play");
    }
}

BOOST_AUTO_TEST_CASE(join_errors_are_clear)
{
    auto alice = sign_in("alice");
    auto bob = sign_in("bob");
    auto carol = sign_in("carol");
    BOOST_TEST(error_of(ask(*bob.socket, "join_room", "ZZZZ")) == "There is no room ZZZZ.");
    BOOST_TEST(error_of(ask(*bob.socket, "join_room", "<b>")) == "Room codes are 4 letters or digits, like K7QX.");
    BOOST_TEST(error_of(ask(*bob.socket, "join_room", "O0I1")) == "Room codes are 4 letters or digits, like K7QX.");
    BOOST_TEST(error_of(ask(*bob.socket, "join_room", 42)) == "invalid arguments");

    auto code = start_game(alice, bob);
    auto full = ask(*carol.socket, "join_room", code);
    BOOST_TEST(error_of(full) == "Room " + code + " is full.");
    BOOST_TEST(full.at("full") == json::value(true));

    auto other = text(ask(*carol.socket, "create_room").at("code"));
    BOOST_TEST(error_of(ask(*bob.socket, "join_room", other)) == "You are already in room " + code + ".");
}

BOOST_AUTO_TEST_CASE(a_whole_game_to_a_win_is_recorded)
{
    auto alice = sign_in("alice");
    auto bob = sign_in("bob");
    start_game(alice, bob);
    play_moves(alice, bob, {0, 1, 0, 1, 0, 1});
    BOOST_TEST(disc_at(latest_room(*bob.socket), 0, 2) == "red");
    play_moves(alice, bob, {0});

    for (auto* c : {alice.socket.get(), bob.socket.get()}) {
        auto state = latest_room(*c);
        BOOST_TEST(text(state.at("status")) == "over");
        BOOST_TEST(text(state.at("winner")) == "red");
        BOOST_TEST(text(state.at("ending")) == "connect");
        BOOST_TEST(text(state.at("message")) == "alice wins!");
        BOOST_TEST(state.at("line").as_array().size() == 4u);
        BOOST_TEST(text(state.at("turn")) == "");
        BOOST_TEST(state.at("moves").as_int64() == 7);
    }
    BOOST_TEST(error_of(ask(*bob.socket, "move", 1)) == "The game is over.");

    auto board = results.leaderboard();
    BOOST_TEST_REQUIRE(board.size() == 2u);
    BOOST_TEST(board[0].name == "alice");
    BOOST_TEST(board[0].wins == 1);
    BOOST_TEST(board[1].name == "bob");
    BOOST_TEST(board[1].losses == 1);
}

BOOST_AUTO_TEST_CASE(wrong_turn_and_malformed_moves_are_rejected_and_change_nothing)
{
    auto alice = sign_in("alice");
    auto bob = sign_in("bob");
    auto carol = sign_in("carol");
    BOOST_TEST(error_of(ask(*carol.socket, "move", 3)) == "You are not in a room.");
    auto code = start_game(alice, bob);

    BOOST_TEST(error_of(ask(*bob.socket, "move", 3)) == "It is not your turn.");
    BOOST_TEST(error_of(ask(*alice.socket, "move", 7)) == "There is no such column.");
    BOOST_TEST(error_of(ask(*alice.socket, "move", -1)) == "There is no such column.");
    auto not_a_number = ask(*alice.socket, "move", "three");
    BOOST_TEST(error_of(not_a_number) == "invalid arguments");
    BOOST_TEST(text(not_a_number.at("event")) == "move");
    BOOST_TEST(error_of(ask(*alice.socket, "move", json::object{{"column", 1}})) == "invalid arguments");
    BOOST_TEST(error_of(ask(*alice.socket, "move")) == "invalid arguments");

    BOOST_TEST(succeeded(ask(*carol.socket, "watch_room", code)));
    BOOST_TEST(error_of(ask(*carol.socket, "move", 3)) == "Spectators cannot play.");

    auto state = latest_room(*alice.socket);
    BOOST_TEST(state.at("moves").as_int64() == 0);
    BOOST_TEST(text(state.at("turn")) == "red");

    play_moves(alice, bob, {2, 2, 2, 2, 2, 2});
    BOOST_TEST(error_of(ask(*alice.socket, "move", 2)) == "That column is full.");
    BOOST_TEST(alice.socket->connected());
}

BOOST_AUTO_TEST_CASE(a_spectator_sees_every_move_and_cannot_join_the_game)
{
    auto alice = sign_in("alice");
    auto bob = sign_in("bob");
    auto carol = sign_in("carol");
    auto code = start_game(alice, bob);
    BOOST_TEST(succeeded(ask(*carol.socket, "watch_room", code)));
    auto seen = drain(*carol.socket);
    BOOST_TEST(text(seen.at("room").at("status")) == "playing");
    BOOST_TEST(json::serialize(seen.at("room").at("spectators")) == R"(["carol"])");
    BOOST_TEST(seen.at("rooms").as_array().at(0).at("spectators").as_int64() == 1);

    play_moves(alice, bob, {3, 4});
    auto state = latest_room(*carol.socket);
    BOOST_TEST(disc_at(state, 3, 0) == "red");
    BOOST_TEST(disc_at(state, 4, 0) == "yellow");
    BOOST_TEST(json::serialize(state.at("last")) == R"({"column":4,"row":0})");
    BOOST_TEST(error_of(ask(*carol.socket, "watch_room", code)) == "You are already in room " + code + ".");

    // A spectator who drops out leaves the room at once.
    carol.socket->close();
    BOOST_TEST(json::serialize(latest_room(*alice.socket).at("spectators")) == "[]");
}

BOOST_AUTO_TEST_CASE(rematch_starts_a_new_game_with_colours_swapped)
{
    auto alice = sign_in("alice");
    auto bob = sign_in("bob");
    start_game(alice, bob);
    BOOST_TEST(error_of(ask(*alice.socket, "rematch")) == "The game is not over yet.");
    play_moves(alice, bob, {0, 1, 0, 1, 0, 1, 0});

    auto offered = ask(*bob.socket, "rematch");
    BOOST_TEST(offered.at("started") == json::value(false));
    BOOST_TEST(json::serialize(latest_room(*alice.socket).at("rematch")) == R"(["yellow"])");

    auto accepted = ask(*alice.socket, "rematch");
    BOOST_TEST(accepted.at("started") == json::value(true));
    auto state = latest_room(*bob.socket);
    BOOST_TEST(text(state.at("status")) == "playing");
    BOOST_TEST(text(state.at("red")) == "bob");
    BOOST_TEST(text(state.at("yellow")) == "alice");
    BOOST_TEST(state.at("moves").as_int64() == 0);
    BOOST_TEST(json::serialize(state.at("rematch")) == "[]");

    // bob (now red) opens the second game.
    BOOST_TEST(error_of(ask(*alice.socket, "move", 3)) == "It is not your turn.");
    play_moves(bob, alice, {3, 3, 4, 4, 5, 5, 6});
    BOOST_TEST(text(latest_room(*alice.socket).at("message")) == "bob wins!");

    auto board = results.leaderboard();
    BOOST_TEST_REQUIRE(board.size() == 2u);
    BOOST_TEST(board[0].wins == 1);
    BOOST_TEST(board[1].wins == 1);
}

BOOST_AUTO_TEST_CASE(chat_reaches_the_room_as_plain_text)
{
    auto alice = sign_in("alice");
    auto bob = sign_in("bob");
    auto carol = sign_in("carol");
    BOOST_TEST(error_of(ask(*alice.socket, "chat", "hi")) == "Join a room to chat.");
    start_game(alice, bob);

    // Markup is data: it arrives exactly as typed (the page shows it with
    // textContent). Control characters become spaces.
    const std::string markup = R"x(<img src=x onerror="alert(1)"> & <b>bold</b> "quotes" 'single' ✓)x";
    BOOST_TEST(succeeded(ask(*alice.socket, "chat", markup)));
    auto said = bob.socket->wait_for("chat");
    BOOST_TEST_REQUIRE(said.has_value());
    const auto& message = said->args.values().at(0).as_object();
    BOOST_TEST(text(message.at("from")) == "alice");
    BOOST_TEST(text(message.at("text")) == markup);
    BOOST_TEST(message.at("at").is_int64());
    BOOST_TEST(text(alice.socket->wait_for("chat")->args.values().at(0).at("text")) == markup); // her own echo

    BOOST_TEST(succeeded(ask(*bob.socket, "chat", "  two\nlines\r\x1b[31m  ")));
    BOOST_TEST(text(alice.socket->wait_for("chat")->args.values().at(0).at("text")) == "two lines  [31m");

    // Outside the room nobody hears it.
    BOOST_TEST(!latest(*carol.socket, "chat").has_value());

    BOOST_TEST(error_of(ask(*alice.socket, "chat", " \t ")) == "Say something first.");
    BOOST_TEST(error_of(ask(*alice.socket, "chat", std::string(201, 'x'))) == "Messages are at most 200 characters.");
    BOOST_TEST(succeeded(ask(*alice.socket, "chat", std::string(200, 'x'))));
    BOOST_TEST(error_of(ask(*alice.socket, "chat", json::array{1, 2})) == "invalid arguments");
}

BOOST_AUTO_TEST_CASE(chat_is_rate_limited_per_user)
{
    auto alice = sign_in("alice");
    auto bob = sign_in("bob");
    start_game(alice, bob);
    for (int i = 0; i < 5; ++i)
        BOOST_TEST(succeeded(ask(*alice.socket, "chat", "message " + std::to_string(i))));
    BOOST_TEST(error_of(ask(*alice.socket, "chat", "one too many")) == "You are sending messages too fast.");
    clock.advance(5s);
    BOOST_TEST(succeeded(ask(*alice.socket, "chat", "later")));
}

BOOST_AUTO_TEST_CASE(chat_and_moves_replay_after_a_reload_and_to_newcomers)
{
    auto alice = sign_in("alice");
    auto bob = sign_in("bob");
    auto code = start_game(alice, bob);
    play_moves(alice, bob, {3, 4, 3});
    const std::string markup = "<img src=x onerror=alert(1)> <b>bold</b>";
    BOOST_TEST(succeeded(ask(*alice.socket, "chat", "hello")));
    BOOST_TEST(succeeded(ask(*bob.socket, "chat", markup)));
    auto live = bob.socket->wait_for("chat");
    BOOST_TEST_REQUIRE(live.has_value());
    auto first_id = live->args.values().at(0).at("id").as_int64();
    BOOST_TEST(first_id > 0);

    // bob reloads: the room with the moves of this game, then its chat.
    bob.socket->close();
    auto reloaded = connect(bob.token);
    auto seen = drain(*reloaded);
    BOOST_TEST(json::serialize(seen.at("room").at("columns")) == "[3,4,3]");
    const auto& history = seen.at("chat_log").as_object();
    BOOST_TEST(text(history.at("code")) == code);
    const auto& messages = history.at("messages").as_array();
    BOOST_TEST_REQUIRE(messages.size() == 2u);
    BOOST_TEST(text(messages[0].at("from")) == "alice");
    BOOST_TEST(text(messages[0].at("text")) == "hello");
    BOOST_TEST(messages[0].at("id").as_int64() == first_id);
    BOOST_TEST(text(messages[1].at("from")) == "bob");
    BOOST_TEST(text(messages[1].at("text")) == markup); // data, as typed
    BOOST_TEST(messages[1].at("id").as_int64() > first_id);

    // A spectator who comes in later reads the conversation too.
    auto carol = sign_in("carol");
    BOOST_TEST(!drain(*carol.socket).contains("chat_log")); // in no room: nothing to replay
    BOOST_TEST(succeeded(ask(*carol.socket, "watch_room", code)));
    auto watched = drain(*carol.socket);
    BOOST_TEST(watched.at("chat_log").at("messages").as_array().size() == 2u);
    BOOST_TEST(json::serialize(watched.at("room").at("columns")) == "[3,4,3]");

    // A rematch starts a new list of moves; the chat goes on.
    for (int column : {4, 3, 4, 3})
        BOOST_TEST_REQUIRE(succeeded(ask(column == 4 ? *reloaded : *alice.socket, "move", column)));
    BOOST_TEST(text(latest_room(*alice.socket).at("winner")) == "red");
    BOOST_TEST(succeeded(ask(*alice.socket, "rematch")));
    BOOST_TEST(succeeded(ask(*reloaded, "rematch")));
    auto next = latest_room(*alice.socket);
    BOOST_TEST(text(next.at("status")) == "playing");
    BOOST_TEST(json::serialize(next.at("columns")) == "[]");
    auto again = connect(alice.token);
    BOOST_TEST(drain(*again).at("chat_log").at("messages").as_array().size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_closed_rooms_chat_is_forgotten)
{
    auto alice = sign_in("alice");
    auto code = text(ask(*alice.socket, "create_room").at("code"));
    BOOST_TEST(succeeded(ask(*alice.socket, "chat", "anyone?")));
    BOOST_TEST(corio_game_test::run(ioc, chat->recent(code, 50))->size() == 1u);
    BOOST_TEST(succeeded(ask(*alice.socket, "leave_room")));
    BOOST_TEST(corio_game_test::run(ioc, chat->recent(code, 50))->empty());
}

BOOST_AUTO_TEST_CASE(chat_that_cannot_be_kept_is_refused_and_not_said)
{
    auto alice = sign_in("alice");
    auto bob = sign_in("bob");
    start_game(alice, bob);
    db.lock().execute("DROP TABLE chat_messages");
    BOOST_TEST(error_of(ask(*alice.socket, "chat", "lost?")) ==
               "The game is unavailable right now; try again in a moment.");
    BOOST_TEST(!latest(*bob.socket, "chat").has_value());
    // The game goes on, and a reload still resumes it (with no chat to replay).
    BOOST_TEST(succeeded(ask(*alice.socket, "move", 0)));
    auto reloaded = connect(bob.token);
    auto seen = drain(*reloaded);
    BOOST_TEST(json::serialize(seen.at("room").at("columns")) == "[0]");
    BOOST_TEST(!seen.contains("chat_log"));
}

BOOST_AUTO_TEST_CASE(a_player_who_does_not_come_back_in_time_forfeits)
{
    auto alice = sign_in("alice");
    auto bob = sign_in("bob");
    start_game(alice, bob);
    play_moves(alice, bob, {3, 3});

    bob.socket->close();
    auto state = latest_room(*alice.socket);
    BOOST_TEST(text(state.at("status")) == "playing");
    BOOST_TEST(json::serialize(state.at("away")) == R"([{"color":"yellow","name":"bob","seconds":30}])");
    BOOST_TEST(text(state.at("message")) == "bob disconnected: 30 s to come back");

    clock.advance(29'999ms);
    BOOST_TEST(!latest(*alice.socket, "room").has_value());
    BOOST_TEST(results.leaderboard().empty());

    clock.advance(1ms);
    state = latest_room(*alice.socket);
    BOOST_TEST(text(state.at("status")) == "over");
    BOOST_TEST(text(state.at("winner")) == "red");
    BOOST_TEST(text(state.at("ending")) == "forfeit");
    BOOST_TEST(!state.contains("yellow")); // a free seat is left out
    BOOST_TEST(text(state.at("message")) ==
               "bob did not come back; alice wins. Waiting for player 2, room ID is " + text(state.at("code")));
    auto board = results.leaderboard();
    BOOST_TEST_REQUIRE(board.size() == 2u);
    BOOST_TEST(board[0].name == "alice");
    BOOST_TEST(board[0].wins == 1);
    BOOST_TEST(board[1].losses == 1);

    // The seat is free again: a new player 2 starts a new game.
    auto carol = sign_in("carol");
    BOOST_TEST(succeeded(ask(*carol.socket, "join_room", text(state.at("code")))));
    BOOST_TEST(text(latest_room(*alice.socket).at("status")) == "playing");
}

BOOST_AUTO_TEST_CASE(a_reload_within_the_grace_period_resumes_the_game)
{
    auto alice = sign_in("alice");
    auto bob = sign_in("bob");
    auto code = start_game(alice, bob);
    play_moves(alice, bob, {3, 4, 3});

    bob.socket->close();
    clock.advance(20s);

    auto reloaded = connect(bob.token);
    auto state = latest_room(*reloaded);
    BOOST_TEST(text(state.at("code")) == code);
    BOOST_TEST(state.at("moves").as_int64() == 3);
    BOOST_TEST(disc_at(state, 3, 1) == "red");
    BOOST_TEST(json::serialize(state.at("away")) == "[]");
    BOOST_TEST(json::serialize(latest_room(*alice.socket).at("away")) == "[]");

    clock.advance(1min);
    BOOST_TEST(!latest(*alice.socket, "room").has_value());
    BOOST_TEST(succeeded(ask(*reloaded, "move", 4)));
    BOOST_TEST(text(latest_room(*alice.socket).at("turn")) == "red");
}

BOOST_AUTO_TEST_CASE(leaving_a_game_resigns_it)
{
    auto alice = sign_in("alice");
    auto bob = sign_in("bob");
    start_game(alice, bob);
    play_moves(alice, bob, {0});
    BOOST_TEST(succeeded(ask(*bob.socket, "leave_room")));
    auto state = latest_room(*alice.socket);
    BOOST_TEST(text(state.at("ending")) == "resign");
    BOOST_TEST(text(state.at("winner")) == "red");
    BOOST_TEST(text(state.at("message")).starts_with("bob left; alice wins."));
    BOOST_TEST(error_of(ask(*bob.socket, "leave_room")) == "You are not in a room.");
    BOOST_TEST(results.leaderboard().at(0).name == "alice");
}

BOOST_AUTO_TEST_CASE(a_room_closes_when_its_last_player_leaves)
{
    auto alice = sign_in("alice");
    auto carol = sign_in("carol");
    auto code = text(ask(*alice.socket, "create_room").at("code"));
    BOOST_TEST(succeeded(ask(*carol.socket, "watch_room", code)));

    BOOST_TEST(succeeded(ask(*alice.socket, "leave_room")));
    auto closed = carol.socket->wait_for("room_closed");
    BOOST_TEST_REQUIRE(closed.has_value());
    BOOST_TEST(text(closed->args.values().at(0).at("code")) == code);
    BOOST_TEST(json::serialize(*latest(*carol.socket, "rooms")) == "[]");
    BOOST_TEST(store->room_count() == 0u);
    // carol is back in the lobby and may start a room of her own.
    BOOST_TEST(succeeded(ask(*carol.socket, "create_room")));
}

BOOST_AUTO_TEST_CASE(a_waiting_host_who_does_not_come_back_closes_the_room)
{
    auto alice = sign_in("alice");
    auto bob = sign_in("bob");
    ask(*alice.socket, "create_room");
    alice.socket->close();
    clock.advance(30s);
    BOOST_TEST(json::serialize(*latest(*bob.socket, "rooms")) == "[]");
    BOOST_TEST(results.leaderboard().empty());
}

BOOST_AUTO_TEST_CASE(logging_out_disconnects_the_users_sockets)
{
    auto alice = sign_in("alice");
    auto second_tab = connect(alice.token);
    lobby->disconnect_user(alice.user.id);
    alice.socket->run_until_idle();
    BOOST_TEST(alice.socket->server_disconnected());
    BOOST_TEST(second_tab->server_disconnected());
    BOOST_TEST(store->online() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
