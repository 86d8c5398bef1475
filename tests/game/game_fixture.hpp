// What the tests of the game's Socket.IO handlers share: one node as main()
// builds it without Redis (memory room store, in-memory database, a clock the
// test moves by hand), players signed in with a login session, and reading
// acks. cluster_test.cpp builds its own nodes and uses the rest.
#pragma once

#include "play/clock.hpp"
#include "play/handlers.hpp"
#include "play/lobby.hpp"
#include "play/memory_room_store.hpp"
#include "play/sqlite_chat_log.hpp"
#include "store/accounts.hpp"
#include "store/database.hpp"
#include "store/results.hpp"

#include <corio/server.hpp>
#include <corio/testing/client.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace game_test {

/// Server options that log nothing: the tests read acks and events, not logs.
inline corio::server_options quiet()
{
    corio::server_options o;
    o.log = corio::logger::off();
    return o;
}

/// Registers `name` (the test's password) and opens a login session for it.
struct session {
    corio_game::user user;
    std::string token;
};
inline session sign_up(corio_game::accounts& accounts, const std::string& name)
{
    auto registered = accounts.register_user(name, "correct horse battery");
    auto* u = std::get_if<corio_game::user>(&registered);
    BOOST_TEST_REQUIRE(u);
    return {*u, accounts.create_session(u->id)};
}

/// A client of `server` whose handshake carries the login cookie of `token`
/// (after `other_cookies`, e.g. "theme=dark; "); it must be connected.
inline std::unique_ptr<corio::testing::client> session_client(corio::server& server, boost::asio::io_context& ioc,
                                                              const std::string& token,
                                                              const std::string& other_cookies = {})
{
    corio::testing::client_options o;
    o.headers = {{"cookie", other_cookies + std::string(corio_game::session_cookie_name) + "=" + token}};
    auto c = std::make_unique<corio::testing::client>(server, ioc, std::move(o));
    BOOST_TEST_REQUIRE(c->connected());
    return c;
}

/// One node: the lobby (with `options`, and with `chat_in_db` its chat kept
/// in the database) and the game's handlers registered; the lobby stops
/// before the node goes.
struct one_node {
    boost::asio::io_context ioc;
    corio::server io{ioc.get_executor(), quiet()};
    corio_game::database db{":memory:"};
    corio_game::accounts accounts{db, corio_game::password_cost::minimal};
    corio_game::results results{db};
    corio_game::manual_clock clock;
    std::shared_ptr<corio_game::memory_room_store> store = std::make_shared<corio_game::memory_room_store>(clock);
    std::shared_ptr<corio_game::sqlite_chat_log> chat; // null without chat_in_db
    std::shared_ptr<corio_game::lobby> lobby;

    explicit one_node(corio_game::lobby_options options = {}, bool chat_in_db = false)
        : chat(chat_in_db ? std::make_shared<corio_game::sqlite_chat_log>(db) : nullptr),
          lobby(std::make_shared<corio_game::lobby>(io.of("/"), store, results, clock, ioc.get_executor(),
                                                    with_chat(std::move(options))))
    {
        corio_game::register_game_handlers(io, accounts, lobby);
    }
    ~one_node() { lobby->stop(); }
    one_node(const one_node&) = delete;
    one_node& operator=(const one_node&) = delete;

private:
    corio_game::lobby_options with_chat(corio_game::lobby_options options) const
    {
        if (chat)
            options.chat_store = chat;
        return options;
    }
};

/// The ack of `event`: the game acks with one argument, a JSON object.
template <class... Args>
boost::json::object ask(corio::testing::client& c, std::string_view event, Args&&... args)
{
    auto answer = c.emit_with_ack(event, std::forward<Args>(args)...);
    BOOST_TEST_REQUIRE(answer.has_value(), "no ack for " << event);
    BOOST_TEST_REQUIRE(answer->size() == 1u);
    BOOST_TEST_REQUIRE(answer->values()[0].is_object());
    return answer->values()[0].as_object();
}

/// An ack that says ok and no error.
inline bool succeeded(const boost::json::object& ack) { return ack.contains("ok") && !ack.contains("error"); }

/// The sentence of an ack's error; empty if it has none.
inline std::string error_of(const boost::json::object& ack)
{
    auto* e = ack.if_contains("error");
    return e && e->is_string() ? std::string(e->as_string()) : std::string();
}

/// A JSON string as a std::string.
inline std::string text(const boost::json::value& v) { return std::string(v.as_string()); }

} // namespace game_test
