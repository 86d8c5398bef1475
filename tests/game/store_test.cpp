#include "store/database.hpp"

#include "store/accounts.hpp"
#include "store/results.hpp"

#include "temp_dir.hpp"

#include <boost/test/unit_test.hpp>

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using corio_game::account_error;
using corio_game::accounts;
using corio_game::database;
using corio_game::password_cost;
using corio_game::user;

using corio_game_test::temp_dir;

// Runs SQL on a database file without corio_game::database, as another
// program (or an older version of this one) would.
void raw_sql(const std::string& path, const char* sql)
{
    sqlite3* db = nullptr;
    BOOST_REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    char* message = nullptr;
    int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
    std::string text = message ? message : "";
    sqlite3_free(message);
    sqlite3_close(db);
    BOOST_REQUIRE_MESSAGE(rc == SQLITE_OK, text);
}

// Wall-clock time that moves only when the test says so.
struct manual_wall_clock {
    std::chrono::system_clock::time_point now = std::chrono::system_clock::time_point(1'700'000'000s);
    corio_game::wall_clock function()
    {
        return [this] { return now; };
    }
};

user must_register(accounts& a, std::string_view name, std::string_view password = "correct horse battery")
{
    auto r = a.register_user(name, password);
    BOOST_REQUIRE(std::holds_alternative<user>(r));
    return std::get<user>(r);
}

account_error error_of(const std::variant<user, account_error>& r)
{
    BOOST_REQUIRE(std::holds_alternative<account_error>(r));
    return std::get<account_error>(r);
}

} // namespace

namespace corio_game {
// Found by Boost.Test (argument-dependent lookup) to print failed comparisons.
std::ostream& boost_test_print_type(std::ostream& os, account_error e)
{
    return os << describe(e);
}
} // namespace corio_game

BOOST_AUTO_TEST_SUITE(store_database)

BOOST_AUTO_TEST_CASE(a_new_file_is_created_at_the_latest_version)
{
    temp_dir dir;
    database db(dir.file("game.db"));
    BOOST_TEST(database::latest_schema_version() >= 1);
    BOOST_TEST(db.schema_version() == database::latest_schema_version());
    BOOST_TEST(fs::exists(dir.file("game.db")));
}

BOOST_AUTO_TEST_CASE(reopening_keeps_the_data_and_does_not_migrate_again)
{
    temp_dir dir;
    std::int64_t id = 0;
    {
        database db(dir.file("game.db"));
        accounts a(db, password_cost::minimal);
        id = must_register(a, "alice").id;
    }
    // A migration that ran again would fail: its CREATE TABLEs exist.
    database db(dir.file("game.db"));
    BOOST_TEST(db.schema_version() == database::latest_schema_version());
    accounts a(db, password_cost::minimal);
    auto r = a.login("alice", "correct horse battery");
    BOOST_REQUIRE(std::holds_alternative<user>(r));
    BOOST_TEST(std::get<user>(r).id == id);
}

BOOST_AUTO_TEST_CASE(a_file_at_version_0_is_upgraded_in_place)
{
    temp_dir dir;
    auto path = dir.file("old.db");
    raw_sql(path, "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('kept');");
    database db(path);
    BOOST_TEST(db.schema_version() == database::latest_schema_version());
    auto c = db.lock();
    auto s = c.prepare("SELECT text FROM notes");
    BOOST_REQUIRE(s.step());
    BOOST_TEST(s.column_text(0) == "kept");
    BOOST_TEST(c.prepare("SELECT count(*) FROM users").step());
}

BOOST_AUTO_TEST_CASE(a_newer_schema_is_refused)
{
    temp_dir dir;
    auto path = dir.file("future.db");
    raw_sql(path, "PRAGMA user_version = 999;");
    BOOST_CHECK_THROW(database db(path), corio_game::database_error);
}

BOOST_AUTO_TEST_CASE(errors_carry_sqlites_message)
{
    database db(":memory:");
    auto c = db.lock();
    try {
        c.execute("SELECT * FROM no_such_table");
        BOOST_FAIL("no error");
    } catch (const corio_game::database_error& e) {
        BOOST_TEST(std::string(e.what()).find("no_such_table") != std::string::npos);
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(store_accounts)

BOOST_AUTO_TEST_CASE(register_then_login)
{
    database db(":memory:");
    accounts a(db, password_cost::minimal);
    auto alice = must_register(a, "Alice");
    BOOST_TEST(alice.id > 0);
    BOOST_TEST(alice.name == "Alice");
    auto r = a.login("alice", "correct horse battery");
    BOOST_REQUIRE(std::holds_alternative<user>(r));
    BOOST_TEST(std::get<user>(r).id == alice.id);
    BOOST_TEST(std::get<user>(r).name == "Alice");
}

BOOST_AUTO_TEST_CASE(names_are_unique_ignoring_case)
{
    database db(":memory:");
    accounts a(db, password_cost::minimal);
    must_register(a, "Bob");
    BOOST_TEST(error_of(a.register_user("bob", "another long one")) == account_error::name_taken);
    BOOST_TEST(error_of(a.register_user("BOB", "another long one")) == account_error::name_taken);
}

BOOST_AUTO_TEST_CASE(names_must_be_3_to_20_plain_characters)
{
    const std::string_view invalid[] = {"",           "ab",           "abcdefghijklmnopqrstu",
                                        "with space", "\xc3\xa9mile", "a/b",
                                        "semi;colon", "dot.ted",      std::string_view("nul\0l", 5)};
    for (auto name : invalid)
        BOOST_TEST_CONTEXT(name)
        {
            BOOST_TEST(!accounts::is_valid_name(name));
        }
    for (std::string_view name : {"abc", "A_b-9", "abcdefghijklmnopqrst"})
        BOOST_TEST_CONTEXT(name)
        {
            BOOST_TEST(accounts::is_valid_name(name));
        }
    database db(":memory:");
    accounts a(db, password_cost::minimal);
    BOOST_TEST(error_of(a.register_user("no", "correct horse battery")) == account_error::invalid_name);
}

BOOST_AUTO_TEST_CASE(weak_passwords_are_refused)
{
    struct weak {
        std::string_view name, password;
    };
    const std::string too_long = std::string(128, 'x') + "y";
    const weak cases[] = {{"alice", "short1!"},                          // 7 characters
                          {"alice", "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"}, // 8 bytes but 4 characters
                          {"alice", "aaaaaaaaaaaa"},                     // one character repeated
                          {"alice", "password"},                         // common
                          {"alice", "PassWord1"},                        // common, ignoring case
                          {"alice", "12345678"},
                          {"alice", "qwerty123"},
                          {"alice", "iloveyou"},
                          {"alice", "my-ALICE-pass"}, // contains the name, ignoring case
                          {"alice", too_long}};
    database db(":memory:");
    accounts a(db, password_cost::minimal);
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.password)
        {
            BOOST_TEST(accounts::password_problem(c.name, c.password).has_value());
            BOOST_TEST(error_of(a.register_user(c.name, c.password)) == account_error::weak_password);
        }
    }
    for (std::string_view good : {"correct horse battery", "Tr0ub4dor&3", "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9tait1234"})
        BOOST_TEST_CONTEXT(good)
        {
            BOOST_TEST(!accounts::password_problem("alice", good).has_value());
        }
}

BOOST_AUTO_TEST_CASE(unknown_names_and_wrong_passwords_are_both_bad_credentials)
{
    database db(":memory:");
    accounts a(db, password_cost::minimal);
    must_register(a, "carol");
    BOOST_TEST(error_of(a.login("carol", "wrong horse battery")) == account_error::bad_credentials);
    BOOST_TEST(error_of(a.login("nobody", "correct horse battery")) == account_error::bad_credentials);
    BOOST_TEST(error_of(a.login("not a name!", "correct horse battery")) == account_error::bad_credentials);
    BOOST_TEST(error_of(a.login("carol", "")) == account_error::bad_credentials);
}

BOOST_AUTO_TEST_CASE(only_argon2id_hashes_are_stored)
{
    database db(":memory:");
    accounts a(db, password_cost::minimal);
    must_register(a, "dave", "correct horse battery");
    auto c = db.lock();
    auto s = c.prepare("SELECT password_hash FROM users WHERE name = ?1", "dave");
    BOOST_REQUIRE(s.step());
    auto hash = s.column_text(0);
    BOOST_TEST(hash.starts_with("$argon2id$"));
    BOOST_TEST(hash.find("correct horse battery") == std::string::npos);
}

// The production work factors are libsodium's interactive profile: Argon2id,
// 64 MiB, 2 passes, one lane (docs/security.md).
BOOST_AUTO_TEST_CASE(interactive_hashes_are_argon2id_64_mib_2_passes)
{
    database db(":memory:");
    accounts a(db, password_cost::interactive);
    must_register(a, "ivy");
    auto c = db.lock();
    auto s = c.prepare("SELECT password_hash FROM users WHERE name = ?1", "ivy");
    BOOST_REQUIRE(s.step());
    BOOST_TEST(s.column_text(0).starts_with("$argon2id$v=19$m=65536,t=2,p=1$"));
}

// A weaker hash (here the test profile's) is upgraded at the next login.
BOOST_AUTO_TEST_CASE(weaker_hashes_are_upgraded_at_login)
{
    database db(":memory:");
    {
        accounts weak(db, password_cost::minimal);
        must_register(weak, "jack");
    }
    accounts strong(db, password_cost::interactive);
    BOOST_REQUIRE(std::holds_alternative<user>(strong.login("jack", "correct horse battery")));
    auto c = db.lock();
    auto s = c.prepare("SELECT password_hash FROM users WHERE name = ?1", "jack");
    BOOST_REQUIRE(s.step());
    BOOST_TEST(s.column_text(0).starts_with("$argon2id$v=19$m=65536,t=2,p=1$"));
}

// Text reaches SQLite only as bound parameters: SQL in a password is just
// characters, and quotes in a name are refused before any query.
BOOST_AUTO_TEST_CASE(sql_in_credentials_is_only_text)
{
    database db(":memory:");
    accounts a(db, password_cost::minimal);
    const std::string password = "x'); DROP TABLE users; --";
    must_register(a, "kim", password);
    BOOST_TEST(std::holds_alternative<user>(a.login("kim", password)));
    BOOST_TEST(error_of(a.login("kim", "' OR '1'='1")) == account_error::bad_credentials);
    BOOST_TEST(error_of(a.login("kim' --", "anything at all")) == account_error::bad_credentials);
    BOOST_TEST(error_of(a.register_user("x' OR 1=1 --", "correct horse battery")) == account_error::invalid_name);
    auto c = db.lock();
    BOOST_TEST(c.prepare("SELECT count(*) FROM users").step());
}

BOOST_AUTO_TEST_CASE(every_account_error_has_a_sentence)
{
    for (auto e : {account_error::invalid_name, account_error::weak_password, account_error::name_taken,
                   account_error::bad_credentials, account_error::not_a_guest}) {
        auto text = corio_game::describe(e);
        BOOST_TEST(text.size() > 10);
        BOOST_TEST(text.back() == '.');
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(store_sessions)

BOOST_AUTO_TEST_CASE(tokens_are_random_base64url_and_stored_hashed)
{
    database db(":memory:");
    accounts a(db, password_cost::minimal);
    auto erin = must_register(a, "erin");
    auto t1 = a.create_session(erin.id);
    auto t2 = a.create_session(erin.id);
    BOOST_TEST(t1.size() == 43u);
    BOOST_TEST(t1 != t2);
    BOOST_TEST(std::all_of(t1.begin(), t1.end(), [](char ch) {
        return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
               ch == '_';
    }));
    auto c = db.lock();
    auto s = c.prepare("SELECT length(token_hash), typeof(token_hash) FROM sessions");
    int rows = 0;
    while (s.step()) {
        ++rows;
        BOOST_TEST(s.column_int(0) == 32);
        BOOST_TEST(s.column_text(1) == "blob");
    }
    BOOST_TEST(rows == 2);
    BOOST_TEST(!c.prepare("SELECT 1 FROM sessions WHERE token_hash = ?1 OR token_hash = ?2", t1, t2).step());
}

BOOST_AUTO_TEST_CASE(a_session_finds_its_user_until_revoked)
{
    database db(":memory:");
    accounts a(db, password_cost::minimal);
    auto frank = must_register(a, "frank");
    auto token = a.create_session(frank.id);
    auto found = a.user_for_session(token);
    BOOST_REQUIRE(found.has_value());
    BOOST_TEST(found->id == frank.id);
    BOOST_TEST(found->name == "frank");
    BOOST_TEST(!a.user_for_session("").has_value());
    BOOST_TEST(!a.user_for_session(std::string(43, 'A')).has_value());
    BOOST_TEST(!a.user_for_session(token.substr(1)).has_value());
    a.revoke_session(token);
    BOOST_TEST(!a.user_for_session(token).has_value());
}

BOOST_AUTO_TEST_CASE(a_session_expires_after_its_lifetime)
{
    manual_wall_clock clock;
    database db(":memory:");
    accounts a(db, password_cost::minimal, 24h, clock.function());
    BOOST_TEST(a.session_lifetime() == 24h);
    auto gina = must_register(a, "gina");
    auto token = a.create_session(gina.id);
    clock.now += 24h - 1s;
    BOOST_TEST(a.user_for_session(token).has_value());
    clock.now += 1s;
    BOOST_TEST(!a.user_for_session(token).has_value());
}

BOOST_AUTO_TEST_CASE(expired_sessions_are_deleted_when_new_ones_are_made)
{
    manual_wall_clock clock;
    database db(":memory:");
    accounts a(db, password_cost::minimal, 1h, clock.function());
    auto hal = must_register(a, "hal");
    a.create_session(hal.id);
    clock.now += 2h;
    a.create_session(hal.id);
    auto c = db.lock();
    auto s = c.prepare("SELECT count(*) FROM sessions");
    BOOST_REQUIRE(s.step());
    BOOST_TEST(s.column_int(0) == 1);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(store_results)

BOOST_AUTO_TEST_CASE(leaderboard_orders_by_wins_then_losses_then_name)
{
    database db(":memory:");
    accounts a(db, password_cost::minimal);
    corio_game::results results(db);
    auto ann = must_register(a, "ann").id;
    auto ben = must_register(a, "ben").id;
    auto cat = must_register(a, "cat").id;
    auto dan = must_register(a, "dan").id;
    auto zed = must_register(a, "zed").id;
    auto amy = must_register(a, "Amy").id;
    must_register(a, "idle");
    results.record({ann, ben, ann, "connect", 7});
    results.record({cat, ann, ann, "connect", 12});
    results.record({ben, cat, ben, "resign", 4});
    results.record({cat, dan, std::nullopt, "draw", 42});
    results.record({dan, ben, dan, "forfeit", 9});
    results.record({zed, amy, std::nullopt, "draw", 42});

    struct row {
        std::string name;
        int wins, losses, draws;
    };
    const std::vector<row> expected = {
        {"ann", 2, 0, 0}, {"dan", 1, 0, 1}, {"ben", 1, 2, 0}, {"Amy", 0, 0, 1}, {"zed", 0, 0, 1}, {"cat", 0, 2, 1},
    };
    auto board = results.leaderboard();
    BOOST_REQUIRE(board.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        BOOST_TEST_CONTEXT("row " << i)
        {
            BOOST_TEST(board[i].name == expected[i].name);
            BOOST_TEST(board[i].wins == expected[i].wins);
            BOOST_TEST(board[i].losses == expected[i].losses);
            BOOST_TEST(board[i].draws == expected[i].draws);
        }
    }
    BOOST_TEST(results.leaderboard(2).size() == 2u);
}

BOOST_AUTO_TEST_CASE(the_winner_must_be_one_of_the_players)
{
    database db(":memory:");
    accounts a(db, password_cost::minimal);
    corio_game::results results(db);
    auto ann = must_register(a, "ann").id;
    auto ben = must_register(a, "ben").id;
    auto cat = must_register(a, "cat").id;
    BOOST_CHECK_THROW(results.record({ann, ben, cat, "connect", 7}), corio_game::database_error);
    BOOST_TEST(results.leaderboard().empty());
}

BOOST_AUTO_TEST_SUITE_END()
