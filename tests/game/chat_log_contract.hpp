#pragma once
// What every chat_log must do, written once and run against each
// (sqlite_chat_log in chat_log_test.cpp, redis_room_store against a real
// redis-server in cluster_test.cpp).

#include "store_contract.hpp"

#include "play/chat_log.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

namespace corio_game_test {

/// A chat log and the io_context its operations run on.
struct chat_log_under_test {
    boost::asio::io_context& ioc;
    corio_game::chat_log& log;

    corio_game::chat_message append(const std::string& code, const std::string& text, std::size_t keep)
    {
        auto r =
            run(ioc, log.append(code, corio_game::chat_message{.from = "alice", .text = text, .at = 1'700'000'000'000},
                                keep));
        BOOST_TEST_REQUIRE(r.has_value(), r.error().message());
        return std::move(*r);
    }
    std::vector<corio_game::chat_message> recent(const std::string& code, std::size_t limit)
    {
        auto r = run(ioc, log.recent(code, limit));
        BOOST_TEST_REQUIRE(r.has_value(), r.error().message());
        return std::move(*r);
    }
    void clear(const std::string& code)
    {
        auto failed = run(ioc, log.clear(code));
        BOOST_TEST_REQUIRE(!failed, failed.message());
    }
};

inline std::vector<std::string> texts(const std::vector<corio_game::chat_message>& messages)
{
    std::vector<std::string> out;
    for (const auto& m : messages)
        out.push_back(m.text);
    return out;
}

/// The newest `keep` messages, oldest first, with increasing ids; each room
/// apart; clear forgets one room; markup and any text are kept as they are.
inline void check_chat_log(chat_log_under_test s)
{
    using corio_game::chat_message;
    BOOST_TEST(s.recent("K7QX", 50).empty());

    std::vector<std::int64_t> ids;
    for (int i = 1; i <= 7; ++i)
        ids.push_back(s.append("K7QX", "message " + std::to_string(i), 5).id);
    for (std::size_t i = 1; i < ids.size(); ++i)
        BOOST_TEST(ids[i] > ids[i - 1]);
    BOOST_TEST(ids.front() > 0);

    // Bounded to the last 5, in the order said.
    auto kept = s.recent("K7QX", 50);
    BOOST_TEST(texts(kept) ==
                   (std::vector<std::string>{"message 3", "message 4", "message 5", "message 6", "message 7"}),
               boost::test_tools::per_element());
    BOOST_TEST_REQUIRE(kept.size() == 5u);
    BOOST_TEST(kept.front().id == ids[2]);
    BOOST_TEST(kept.back().id == ids[6]);
    BOOST_TEST(kept.back().from == "alice");
    BOOST_TEST(kept.back().at == 1'700'000'000'000);
    // A smaller read gives the newest.
    BOOST_TEST(texts(s.recent("K7QX", 2)) == (std::vector<std::string>{"message 6", "message 7"}),
               boost::test_tools::per_element());
    BOOST_TEST(s.recent("K7QX", 0).empty());

    // Another room is apart, and its ids go on increasing.
    const std::string markup = R"x(<img src=x onerror="alert(1)"> & <b>bold</b> 'q' ✓ "a b")x";
    auto other = s.append("ABCD", markup, 5);
    BOOST_TEST(other.id > ids.back());
    auto abcd = s.recent("ABCD", 50);
    BOOST_TEST_REQUIRE(abcd.size() == 1u);
    BOOST_TEST(abcd[0].text == markup);
    BOOST_TEST(s.recent("K7QX", 50).size() == 5u);

    // Clearing forgets one room only; a new room under the code starts empty
    // and its ids are new ones.
    s.clear("K7QX");
    BOOST_TEST(s.recent("K7QX", 50).empty());
    BOOST_TEST(s.recent("ABCD", 50).size() == 1u);
    auto again = s.append("K7QX", "new room", 5);
    BOOST_TEST(again.id > other.id);
    BOOST_TEST(texts(s.recent("K7QX", 50)) == std::vector<std::string>{"new room"}, boost::test_tools::per_element());
    s.clear("NONE"); // nothing to forget: fine

    // A lower bound applies at the next message.
    for (int i = 0; i < 3; ++i)
        s.append("ABCD", "more", 5);
    s.append("ABCD", "last", 2);
    BOOST_TEST(texts(s.recent("ABCD", 50)) == (std::vector<std::string>{"more", "last"}),
               boost::test_tools::per_element());
}

} // namespace corio_game_test
