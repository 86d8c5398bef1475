#pragma once
// What every room_store must do, written once and run against each store
// (memory_room_store in room_store_test.cpp, redis_room_store against a real
// redis-server in cluster_test.cpp), and a helper that runs a store's
// coroutines to completion on a test's io_context.

#include "play/room.hpp"
#include "play/room_store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <exception>
#include <optional>
#include <string>

namespace corio_game_test {

template <class T>
boost::asio::awaitable<void> store_into(boost::asio::awaitable<T> task, std::optional<T>* out)
{
    *out = co_await std::move(task);
}

/// Runs `task` on `ioc` (driving it from this thread) until it completes;
/// fails the test after `bound`.
template <class T>
T run(boost::asio::io_context& ioc, boost::asio::awaitable<T> task,
      std::chrono::milliseconds bound = std::chrono::seconds(5))
{
    std::optional<T> out;
    std::exception_ptr error;
    bool done = false;
    boost::asio::co_spawn(ioc, store_into(std::move(task), &out), [&](std::exception_ptr e) {
        error = e;
        done = true;
    });
    auto deadline = std::chrono::steady_clock::now() + bound;
    while (!done && std::chrono::steady_clock::now() < deadline) {
        ioc.run_one_for(std::chrono::milliseconds(10));
        if (ioc.stopped())
            ioc.restart();
    }
    if (error)
        std::rethrow_exception(error);
    BOOST_TEST_REQUIRE(done, "the store did not answer within " << bound.count() << " ms");
    return std::move(*out);
}

/// A store and the io_context its operations run on.
struct store_under_test {
    boost::asio::io_context& ioc;
    corio_game::room_store& store;

    corio_game::room_snapshot load(const std::string& code)
    {
        auto r = run(ioc, store.load(code));
        BOOST_TEST_REQUIRE(r.has_value(), r.error().message());
        return std::move(*r);
    }
    corio_game::room_snapshot load_user_room(std::int64_t user_id)
    {
        auto r = run(ioc, store.load_user_room(user_id));
        BOOST_TEST_REQUIRE(r.has_value(), r.error().message());
        return std::move(*r);
    }
    corio_game::commit_result commit(corio_game::room_change change)
    {
        auto r = run(ioc, store.commit(std::move(change)));
        BOOST_TEST_REQUIRE(r.has_value(), r.error().message());
        return std::move(*r);
    }
    corio_game::room_list list()
    {
        auto r = run(ioc, store.list());
        BOOST_TEST_REQUIRE(r.has_value(), r.error().message());
        return std::move(*r);
    }
    corio_game::presence connected(std::int64_t user_id)
    {
        auto r = run(ioc, store.socket_connected(user_id));
        BOOST_TEST_REQUIRE(r.has_value(), r.error().message());
        return *r;
    }
    corio_game::presence disconnected(std::int64_t user_id)
    {
        auto r = run(ioc, store.socket_disconnected(user_id));
        BOOST_TEST_REQUIRE(r.has_value(), r.error().message());
        return *r;
    }
};

inline corio_game::room_change create(const corio_game::room& r, std::int64_t host, std::size_t max_rooms = 0)
{
    corio_game::room_change c{.code = r.code(), .expected = 0, .next = r, .max_rooms = max_rooms, .want_list = true};
    c.enter = {host};
    return c;
}

/// Creating, changing and closing a room: versions, conflicts, memberships
/// and the list.
inline void check_room_lifecycle(store_under_test s)
{
    using namespace corio_game;
    room r("K7QX", seat{1, "alice"});
    auto created = s.commit(create(r, 1));
    BOOST_TEST_REQUIRE((created.status == commit_status::done));
    BOOST_TEST(created.version > 0u);
    BOOST_TEST_REQUIRE(created.list.has_value());
    BOOST_TEST(created.list->rooms.size() == 1u);
    BOOST_TEST(created.list->version == created.version);

    // The same code again: taken.
    BOOST_TEST((s.commit(create(room("K7QX", seat{2, "bob"}), 2)).status == commit_status::conflict));
    BOOST_TEST(!s.load_user_room(2).found.has_value());

    auto mine = s.load_user_room(1);
    BOOST_TEST_REQUIRE(mine.found.has_value());
    BOOST_TEST(mine.found->value.code() == "K7QX");
    BOOST_TEST(mine.found->version == created.version);
    BOOST_TEST(s.load("K7QX").found->version == created.version);

    // bob joins; a change from the old version afterwards is refused.
    auto joined_room = mine.found->value;
    joined_room.take_seat(seat{2, "bob"});
    room_change join{.code = "K7QX", .expected = created.version, .next = joined_room};
    join.enter = {2};
    auto joined = s.commit(join);
    BOOST_TEST_REQUIRE((joined.status == commit_status::done));
    BOOST_TEST(joined.version > created.version);
    BOOST_TEST(!joined.list.has_value());
    BOOST_TEST((s.commit(join).status == commit_status::conflict));

    auto both = s.load_user_room(2);
    BOOST_TEST_REQUIRE(both.found.has_value());
    BOOST_TEST((both.found->value.status() == room_status::playing));
    BOOST_TEST(to_string(both.found->value.color_of(2)) == "yellow");

    // A move survives the store: the board is rebuilt from it.
    auto moved = both.found->value;
    BOOST_TEST(std::holds_alternative<std::optional<game_result>>(moved.play(1, 3)));
    auto after_move = s.commit(room_change{.code = "K7QX", .expected = joined.version, .next = moved});
    BOOST_TEST_REQUIRE((after_move.status == commit_status::done));
    auto reread = s.load("K7QX");
    BOOST_TEST(to_string(reread.found->value.game().at(3, 0)) == "red");
    BOOST_TEST(to_string(reread.found->value.game().turn()) == "yellow");

    // carol cannot enter a second room while she is in one.
    room other("ABCD", seat{3, "carol"});
    BOOST_TEST_REQUIRE((s.commit(create(other, 3)).status == commit_status::done));
    auto carol_watches = reread.found->value;
    carol_watches.add_spectator(seat{3, "carol"});
    room_change watch{.code = "K7QX", .expected = reread.found->version, .next = carol_watches};
    watch.enter = {3};
    BOOST_TEST((s.commit(watch).status == commit_status::user_busy));

    // Closing a room lets its users go.
    room_change close{.code = "ABCD", .expected = s.load("ABCD").found->version, .want_list = true};
    close.leave = {3};
    auto closed = s.commit(close);
    BOOST_TEST_REQUIRE((closed.status == commit_status::done));
    BOOST_TEST(closed.list->rooms.size() == 1u);
    BOOST_TEST(!s.load("ABCD").found.has_value());
    BOOST_TEST(!s.load_user_room(3).found.has_value());
    // Now carol is free to watch.
    BOOST_TEST((s.commit(watch).status == commit_status::done));
    BOOST_TEST(s.load_user_room(3).found->value.has_spectator(3));

    auto listed = s.list();
    BOOST_TEST_REQUIRE(listed.rooms.size() == 1u);
    BOOST_TEST(listed.rooms[0].code == "K7QX");
    BOOST_TEST((listed.rooms[0].status == room_status::playing));
    BOOST_TEST(listed.rooms[0].spectators == 1u);
    BOOST_TEST(listed.version > closed.version);
}

/// max_rooms, and presence: counts, and `absent` refused while a user has a socket.
inline void check_limits_and_presence(store_under_test s)
{
    using namespace corio_game;
    BOOST_TEST_REQUIRE((s.commit(create(room("AAAA", seat{1, "alice"}), 1, 2)).status == commit_status::done));
    BOOST_TEST_REQUIRE((s.commit(create(room("BBBB", seat{2, "bob"}), 2, 2)).status == commit_status::done));
    BOOST_TEST((s.commit(create(room("CCCC", seat{3, "carol"}), 3, 2)).status == commit_status::too_many_rooms));

    auto first = s.connected(1);
    BOOST_TEST(first.user_sockets == 1u);
    BOOST_TEST(first.online == 1u);
    auto second_tab = s.connected(1);
    BOOST_TEST(second_tab.user_sockets == 2u);
    BOOST_TEST(second_tab.online == 1u);
    BOOST_TEST(second_tab.version > first.version);
    BOOST_TEST(s.connected(2).online == 2u);

    auto away = s.load("AAAA");
    auto marked = away.found->value;
    marked.mark_away(1, away.now + std::chrono::seconds(30));
    room_change mark{.code = "AAAA", .expected = away.found->version, .next = marked};
    mark.absent = {1};
    BOOST_TEST((s.commit(mark).status == commit_status::user_present));
    BOOST_TEST(s.disconnected(1).user_sockets == 1u);
    BOOST_TEST((s.commit(mark).status == commit_status::user_present));
    auto gone = s.disconnected(1);
    BOOST_TEST(gone.user_sockets == 0u);
    BOOST_TEST(gone.online == 1u);
    BOOST_TEST((s.commit(mark).status == commit_status::done));
    auto reread = s.load("AAAA");
    BOOST_TEST(reread.found->value.is_away(1));
    BOOST_TEST((reread.found->value.next_deadline() == marked.next_deadline()));
}

} // namespace corio_game_test
