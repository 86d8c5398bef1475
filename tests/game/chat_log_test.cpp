// The single node's chat log in SQLite (play/sqlite_chat_log.hpp) against
// the contract every chat log meets (chat_log_contract.hpp).
#include "play/sqlite_chat_log.hpp"

#include "chat_log_contract.hpp"
#include "temp_dir.hpp"

#include "store/database.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(sqlite_chat_log)

BOOST_AUTO_TEST_CASE(meets_the_chat_log_contract)
{
    boost::asio::io_context ioc;
    corio_game::database db(":memory:");
    corio_game::sqlite_chat_log log(db);
    corio_game_test::check_chat_log({ioc, log});
}

BOOST_AUTO_TEST_CASE(what_a_previous_run_left_is_dropped_and_ids_are_not_reused)
{
    corio_game_test::temp_dir dir;
    boost::asio::io_context ioc;
    std::int64_t first = 0;
    {
        corio_game::database db(dir.file("game.db"));
        corio_game::sqlite_chat_log log(db);
        first = corio_game_test::chat_log_under_test{ioc, log}.append("K7QX", "before the restart", 50).id;
    }
    // The rooms of a single node were in its memory: none survived the
    // restart, so neither does their chat.
    corio_game::database db(dir.file("game.db"));
    corio_game::sqlite_chat_log log(db);
    corio_game_test::chat_log_under_test s{ioc, log};
    BOOST_TEST(s.recent("K7QX", 50).empty());
    BOOST_TEST(s.append("K7QX", "after", 50).id > first);
}

BOOST_AUTO_TEST_CASE(a_failing_database_is_an_error_not_an_exception)
{
    boost::asio::io_context ioc;
    corio_game::database db(":memory:");
    corio_game::sqlite_chat_log log(db);
    db.lock().execute("DROP TABLE chat_messages");
    auto appended = corio_game_test::run(ioc, log.append("K7QX", corio_game::chat_message{.text = "x"}, 50));
    BOOST_TEST(appended.has_error());
    auto read = corio_game_test::run(ioc, log.recent("K7QX", 50));
    BOOST_TEST(read.has_error());
    BOOST_TEST(corio_game_test::run(ioc, log.clear("K7QX")).failed());
}

BOOST_AUTO_TEST_SUITE_END()
