#pragma once
// What every room_store's quick match queue must do (room_store::match and
// cancel_match), run against the memory store (room_store_test.cpp) and the
// Redis store on a real redis-server (cluster_test.cpp).

#include "store_contract.hpp"

namespace corio_game_test {

inline std::optional<corio_game::match_ticket> match(store_under_test s, const std::string& pool, std::int64_t user_id,
                                                     const std::string& name)
{
    auto r = run(s.ioc, s.store.match(pool, corio_game::match_ticket{user_id, name}));
    BOOST_TEST_REQUIRE(r.has_value(), r.error().message());
    return *r;
}

inline bool cancel_match(store_under_test s, std::int64_t user_id)
{
    auto r = run(s.ioc, s.store.cancel_match(user_id));
    BOOST_TEST_REQUIRE(r.has_value(), r.error().message());
    return *r;
}

/// Pairing first come, first served, per pool; cancel; a player with no
/// socket is never paired; entering a room leaves the queue.
inline void check_quick_match_queue(store_under_test s)
{
    using namespace corio_game;
    for (std::int64_t user = 11; user <= 17; ++user)
        s.connected(user);

    BOOST_TEST(!match(s, "none", 11, "ann").has_value());
    // Asking again does not pair a player with themselves.
    BOOST_TEST(!match(s, "none", 11, "ann").has_value());
    // Another pool (another clock) is another queue.
    BOOST_TEST(!match(s, "60", 12, "ben").has_value());
    auto paired = match(s, "none", 13, "cat");
    BOOST_TEST_REQUIRE(paired.has_value());
    BOOST_TEST(paired->user_id == 11);
    BOOST_TEST(paired->name == "ann");
    // Both are out of the queue: the next one waits.
    BOOST_TEST(!cancel_match(s, 11));
    BOOST_TEST(!cancel_match(s, 13));
    BOOST_TEST(!match(s, "none", 14, "dan").has_value());
    BOOST_TEST(cancel_match(s, 14));
    BOOST_TEST(!cancel_match(s, 14));
    BOOST_TEST(!match(s, "none", 15, "eve").has_value());

    // eve's last socket goes: nobody is paired with her, and she is dropped.
    s.disconnected(15);
    BOOST_TEST(!match(s, "none", 16, "fay").has_value());
    BOOST_TEST(!cancel_match(s, 15));
    BOOST_TEST(cancel_match(s, 16));

    // Entering a room (by code, say) leaves the queue: ben waits no more.
    BOOST_TEST_REQUIRE((s.commit(create(room("QMQM", seat{12, "ben"}), 12)).status == commit_status::done));
    BOOST_TEST(!match(s, "60", 17, "gus").has_value());
    BOOST_TEST(!cancel_match(s, 12));
    BOOST_TEST(cancel_match(s, 17));
}

} // namespace corio_game_test
