// Guest accounts in storage: creation under the name rules, no login without
// a password, the upgrade to a full account (same id, results kept), and the
// leaderboards that keep guests apart. The HTTP side (rate limits, cookies)
// is in web_test.cpp's web_guests suite.
#include "store/accounts.hpp"

#include "store/database.hpp"
#include "store/results.hpp"

#include "temp_dir.hpp"

#include <boost/test/unit_test.hpp>

#include <sqlite3.h>

#include <chrono>
#include <ostream>
#include <string>

namespace {

using corio_game::account_error;
using corio_game::accounts;
using corio_game::database;
using corio_game::password_cost;
using corio_game::user;

constexpr std::string_view guest_password = "correct horse battery";

user made(const std::variant<user, account_error>& r)
{
    BOOST_REQUIRE(std::holds_alternative<user>(r));
    return std::get<user>(r);
}

account_error refusal_of(const std::variant<user, account_error>& r)
{
    BOOST_REQUIRE(std::holds_alternative<account_error>(r));
    return std::get<account_error>(r);
}

} // namespace

namespace corio_game {
std::ostream& boost_test_print_type(std::ostream& os, account_error e);
} // namespace corio_game

BOOST_AUTO_TEST_SUITE(store_guests)

BOOST_AUTO_TEST_CASE(a_guest_has_a_name_and_a_session_but_no_login)
{
    database db(":memory:");
    accounts a(db, password_cost::minimal);
    auto g = made(a.create_guest("Visitor_1"));
    BOOST_TEST(g.guest);
    BOOST_TEST(g.name == "Visitor_1");
    auto token = a.create_session(g.id);
    auto found = a.user_for_session(token);
    BOOST_REQUIRE(found.has_value());
    BOOST_TEST(found->id == g.id);
    BOOST_TEST(found->guest);
    // No password to log in with: the empty one is refused like any other.
    BOOST_TEST(refusal_of(a.login("Visitor_1", "")) == account_error::bad_credentials);
    BOOST_TEST(refusal_of(a.login("Visitor_1", guest_password)) == account_error::bad_credentials);
    // A full account's session says so.
    auto full = made(a.register_user("member", guest_password));
    BOOST_TEST(!full.guest);
    BOOST_TEST(!a.user_for_session(a.create_session(full.id))->guest);
}

BOOST_AUTO_TEST_CASE(guest_names_follow_the_name_rules)
{
    database db(":memory:");
    accounts a(db, password_cost::minimal);
    for (std::string_view bad : {"", "ab", "a b", "twenty-one-characters", "<b>x</b>", "名前です", "x' OR 1=1 --"})
        BOOST_TEST(refusal_of(a.create_guest(bad)) == account_error::invalid_name, bad);
    BOOST_TEST(made(a.create_guest("abc")).name == "abc");
    BOOST_TEST(made(a.create_guest("twenty-characters-ok")).guest);
}

BOOST_AUTO_TEST_CASE(guest_names_never_clash_with_accounts_or_other_guests)
{
    database db(":memory:");
    accounts a(db, password_cost::minimal);
    made(a.register_user("alice", guest_password));
    BOOST_TEST(refusal_of(a.create_guest("alice")) == account_error::name_taken);
    BOOST_TEST(refusal_of(a.create_guest("ALICE")) == account_error::name_taken);
    made(a.create_guest("wanderer"));
    BOOST_TEST(refusal_of(a.create_guest("Wanderer")) == account_error::name_taken);
    // Nor can someone register a guest's name and take over its identity.
    BOOST_TEST(refusal_of(a.register_user("WANDERER", guest_password)) == account_error::name_taken);
}

BOOST_AUTO_TEST_CASE(an_upgrade_keeps_the_id_the_session_and_the_results)
{
    database db(":memory:");
    accounts a(db, password_cost::minimal);
    corio_game::results results(db);
    auto g = made(a.create_guest("rover"));
    auto host = made(a.register_user("host", guest_password));
    results.record({g.id, host.id, g.id, "connect", 7});
    auto token = a.create_session(g.id);

    auto up = made(a.upgrade_guest(g.id, guest_password));
    BOOST_TEST(up.id == g.id);
    BOOST_TEST(up.name == "rover");
    BOOST_TEST(!up.guest);
    auto still = a.user_for_session(token);
    BOOST_REQUIRE(still.has_value());
    BOOST_TEST(still->id == g.id);
    BOOST_TEST(!still->guest);
    // Now a password logs in, and the win moved to the main leaderboard.
    BOOST_TEST(made(a.login("Rover", guest_password)).id == g.id);
    auto board = results.leaderboard();
    BOOST_REQUIRE(board.size() == 2u);
    BOOST_TEST(board[0].name == "rover");
    BOOST_TEST(board[0].wins == 1);
    BOOST_TEST(results.guest_leaderboard().empty());
}

BOOST_AUTO_TEST_CASE(upgrade_refusals)
{
    database db(":memory:");
    accounts a(db, password_cost::minimal);
    auto g = made(a.create_guest("rover"));
    BOOST_TEST(refusal_of(a.upgrade_guest(g.id, "short")) == account_error::weak_password);
    BOOST_TEST(refusal_of(a.upgrade_guest(g.id, "rover-and-more")) == account_error::weak_password);
    BOOST_TEST(a.user_for_session(a.create_session(g.id))->guest);
    made(a.upgrade_guest(g.id, guest_password));
    // Once only: an account with a password is not a guest any more.
    BOOST_TEST(refusal_of(a.upgrade_guest(g.id, "another good phrase")) == account_error::not_a_guest);
    BOOST_TEST(made(a.login("rover", guest_password)).id == g.id);
    auto full = made(a.register_user("member", guest_password));
    BOOST_TEST(refusal_of(a.upgrade_guest(full.id, "another good phrase")) == account_error::not_a_guest);
    BOOST_TEST(refusal_of(a.upgrade_guest(987654, guest_password)) == account_error::not_a_guest);
}

BOOST_AUTO_TEST_CASE(guests_are_ranked_apart)
{
    database db(":memory:");
    accounts a(db, password_cost::minimal);
    corio_game::results results(db);
    auto ann = made(a.register_user("ann", guest_password)).id;
    auto gus = made(a.create_guest("gus")).id;
    auto gia = made(a.create_guest("gia")).id;
    results.record({ann, gus, gus, "connect", 9});
    results.record({gus, gia, std::nullopt, "draw", 42});
    auto main = results.leaderboard();
    BOOST_REQUIRE(main.size() == 1u);
    BOOST_TEST(main[0].name == "ann");
    BOOST_TEST(main[0].losses == 1);
    auto guests = results.guest_leaderboard();
    BOOST_REQUIRE(guests.size() == 2u);
    BOOST_TEST(guests[0].name == "gus");
    BOOST_TEST(guests[0].wins == 1);
    BOOST_TEST(guests[0].draws == 1);
    BOOST_TEST(guests[1].name == "gia");
    BOOST_TEST(guests[1].draws == 1);
}

BOOST_AUTO_TEST_CASE(abandoned_guests_give_their_names_back)
{
    using namespace std::chrono_literals;
    auto now = std::chrono::system_clock::time_point(1'700'000'000s);
    database db(":memory:");
    accounts a(db, password_cost::minimal, 24h * 30, [&now] { return now; });
    corio_game::results results(db);
    auto idle = made(a.create_guest("idle"));
    a.create_session(idle.id);
    auto player = made(a.create_guest("player"));
    auto host = made(a.register_user("host", guest_password));
    results.record({player.id, host.id, host.id, "connect", 7});
    // While their sessions may live, the names stay taken.
    now += 24h * 30 - 1s;
    BOOST_TEST(refusal_of(a.create_guest("idle")) == account_error::name_taken);
    now += 1s;
    auto again = made(a.create_guest("idle"));
    BOOST_TEST(again.id != 0);
    // A guest with results keeps them, and the name; full accounts are never touched.
    BOOST_TEST(refusal_of(a.create_guest("player")) == account_error::name_taken);
    BOOST_TEST(results.guest_leaderboard().front().name == "player");
    BOOST_TEST(made(a.login("host", guest_password)).id == host.id);
}

BOOST_AUTO_TEST_CASE(accounts_made_before_guests_existed_are_full_accounts)
{
    corio_game_test::temp_dir dir;
    auto path = dir.file("old.db");
    {
        // A database at schema version 1, as the previous release left it.
        sqlite3* raw = nullptr;
        BOOST_REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
        const char* sql = "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE, "
                          "password_hash TEXT NOT NULL, created_at INTEGER NOT NULL);"
                          "CREATE TABLE sessions (token_hash BLOB PRIMARY KEY, user_id INTEGER NOT NULL, "
                          "created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;"
                          "CREATE TABLE games (id INTEGER PRIMARY KEY, red_user INTEGER NOT NULL, yellow_user "
                          "INTEGER NOT NULL, winner_user INTEGER, ending TEXT NOT NULL, moves INTEGER NOT NULL, "
                          "ended_at INTEGER NOT NULL);"
                          "INSERT INTO users VALUES (1, 'oldtimer', 'x', 0);"
                          "PRAGMA user_version = 1;";
        BOOST_REQUIRE(sqlite3_exec(raw, sql, nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(raw);
    }
    database db(path);
    BOOST_TEST(db.schema_version() == database::latest_schema_version());
    accounts a(db, password_cost::minimal);
    auto found = a.user_for_session(a.create_session(1));
    BOOST_REQUIRE(found.has_value());
    BOOST_TEST(found->name == "oldtimer");
    BOOST_TEST(!found->guest);
    BOOST_TEST(refusal_of(a.upgrade_guest(1, guest_password)) == account_error::not_a_guest);
}

BOOST_AUTO_TEST_SUITE_END()
