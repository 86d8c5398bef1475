// memory_adapter driven directly, with sockets that only count what reaches
// them: a broadcast reads each room's snapshot of members, which every join
// and leave drops, so these check that a broadcast sees each change, and that
// joins, leaves and broadcasts on several threads agree (run under TSan).

#include <corio/memory_adapter.hpp>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

class counting_socket final : public corio::local_socket {
public:
    explicit counting_socket(std::string id) : id_(std::move(id)) {}

    const std::string& id() const noexcept override { return id_; }
    bool connected() const noexcept override { return connected_.load(); }
    void deliver(const corio::protocol::socket_packet&, const corio::protocol::encoded_socket_packet&,
                 bool) override
    {
        ++delivered;
    }
    void deliver_with_ack(const corio::protocol::socket_packet&, const corio::protocol::encoded_socket_packet&,
                          std::chrono::milliseconds, std::function<void(corio::socket_ack_result)>) override
    {
        ++delivered;
    }
    void disconnect(bool) override { connected_ = false; }
    corio::socket_info describe() const override { return {id_, {}, {}, {}}; }

    std::atomic<int> delivered = 0;
    std::atomic<bool> connected_ = true;

private:
    std::string id_;
};

class quiet_namespace final : public corio::local_namespace {
public:
    const std::string& name() const noexcept override { return name_; }
    void on_server_event(corio::arguments, bool, std::function<void(corio::arguments)>) override {}

private:
    std::string name_ = "/";
};

struct adapter_fixture {
    quiet_namespace nsp;
    corio::memory_adapter adapter{nsp};
    std::vector<std::shared_ptr<counting_socket>> sockets;
    corio::protocol::socket_packet packet;

    /// Adds `n` sockets, s0, s1, ...
    void add(int n)
    {
        for (int i = 0; i < n; ++i) {
            auto s = std::make_shared<counting_socket>("s" + std::to_string(sockets.size()));
            adapter.add_socket(s);
            sockets.push_back(s);
        }
    }
    void send(std::set<std::string> rooms, std::set<std::string> except = {})
    {
        corio::broadcast_options opts;
        opts.rooms = std::move(rooms);
        opts.except = std::move(except);
        adapter.broadcast(packet, opts);
    }
    /// Runs `change` on one thread while two others broadcast with `opts`
    /// until it returns.
    template <class Change>
    void broadcast_from_two_threads_during(corio::broadcast_options opts, Change change)
    {
        std::atomic<bool> done = false;
        std::thread changing([&] {
            change();
            done = true;
        });
        auto broadcasts = [&] {
            while (!done)
                adapter.broadcast(packet, opts);
        };
        std::thread first(broadcasts);
        std::thread second(broadcasts);
        changing.join();
        first.join();
        second.join();
    }
    /// The sockets each broadcast reached since the last call, by id.
    std::set<std::string> reached()
    {
        std::set<std::string> out;
        for (const auto& s : sockets)
            if (s->delivered.exchange(0) > 0)
                out.insert(s->id());
        return out;
    }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(memory_adapter_rooms, adapter_fixture)

// Eight members: over the size below which a room is copied, so the room
// keeps a snapshot between broadcasts.
BOOST_AUTO_TEST_CASE(a_broadcast_sees_every_join_and_leave_since_the_last)
{
    add(10);
    for (int i = 0; i < 8; ++i)
        adapter.join(sockets[i]->id(), "big");
    send({"big"});
    BOOST_TEST((reached() == std::set<std::string>{"s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7"}));
    send({"big"}); // the same snapshot
    BOOST_TEST(reached().size() == 8u);

    adapter.join("s8", "big");
    send({"big"});
    BOOST_TEST(reached().count("s8") == 1u);

    adapter.leave("s0", "big");
    adapter.remove_socket("s1");
    send({"big"});
    BOOST_TEST((reached() == std::set<std::string>{"s2", "s3", "s4", "s5", "s6", "s7", "s8"}));
}

// A socket's own room is kept apart from the rooms it joins (a flag, not a
// name in its set), yet it leaves and rejoins it as any other room.
BOOST_AUTO_TEST_CASE(a_socket_leaves_and_rejoins_its_own_room)
{
    add(2);
    adapter.join("s0", "a");
    BOOST_TEST((adapter.rooms_of("s0") == std::vector<std::string>{"s0", "a"}));

    adapter.leave("s0", "s0");
    BOOST_TEST((adapter.rooms_of("s0") == std::vector<std::string>{"a"}));
    send({"s0"});
    BOOST_TEST(reached().empty());
    send({"a"});
    BOOST_TEST((reached() == std::set<std::string>{"s0"}));
    auto rooms = adapter.local_rooms();
    BOOST_TEST((std::set<std::string>(rooms.begin(), rooms.end()) == std::set<std::string>{"a", "s1"}));

    adapter.join("s0", "s0");
    send({"s0"});
    BOOST_TEST((reached() == std::set<std::string>{"s0"}));

    adapter.leave("s0", "s0");
    adapter.remove_socket("s0"); // from "a" only
    rooms = adapter.local_rooms();
    BOOST_TEST((rooms == std::vector<std::string>{"s1"}));
    send({"a"});
    BOOST_TEST(reached().empty());
}

BOOST_AUTO_TEST_CASE(except_rooms_union_of_rooms_and_every_socket)
{
    add(10);
    for (int i = 0; i < 8; ++i)
        adapter.join(sockets[i]->id(), "big");
    for (int i = 6; i < 10; ++i)
        adapter.join(sockets[i]->id(), "small");
    adapter.join("s2", "muted");
    adapter.join("s3", "muted");

    send({"big"}, {"muted", "s4"});
    BOOST_TEST((reached() == std::set<std::string>{"s0", "s1", "s5", "s6", "s7"}));
    // s6 and s7 are in both rooms: reached once each.
    send({"big", "small"});
    BOOST_TEST(reached().size() == 10u);
    for (const auto& s : sockets)
        BOOST_TEST(s->delivered.load() == 0);
    send({"small"}, {"big"});
    BOOST_TEST((reached() == std::set<std::string>{"s8", "s9"}));

    send({});
    BOOST_TEST(reached().size() == 10u);
    add(1);
    send({}, {"small"});
    BOOST_TEST((reached() == std::set<std::string>{"s0", "s1", "s2", "s3", "s4", "s5", "s10"}));
    adapter.remove_socket("s10");
    send({});
    BOOST_TEST(reached().count("s10") == 0u);
}

// A socket in its middlewares or leaving stays in its rooms but is not
// reached, whether its room's snapshot was taken before or after.
BOOST_AUTO_TEST_CASE(sockets_not_connected_are_skipped_at_each_broadcast)
{
    add(8);
    for (const auto& s : sockets)
        adapter.join(s->id(), "big");
    send({"big"});
    BOOST_TEST(reached().size() == 8u);
    sockets[3]->connected_ = false;
    send({"big"});
    BOOST_TEST(reached().count("s3") == 0u);
    send({});
    BOOST_TEST(reached().count("s3") == 0u);
    sockets[3]->connected_ = true;
    send({"big"});
    BOOST_TEST(reached().count("s3") == 1u);
}

BOOST_AUTO_TEST_CASE(broadcast_with_acks_counts_the_sockets_asked)
{
    add(8);
    for (int i = 0; i < 6; ++i)
        adapter.join(sockets[i]->id(), "big");
    corio::broadcast_options opts;
    opts.rooms = {"big"};
    opts.except = {"s0"};
    struct counting_sink final : corio::broadcast_ack_sink {
        void expect_servers(std::size_t) override {}
        void server_sent(std::size_t n) override { sent += n; }
        void answer(corio::arguments) override {}
        void fail(boost::system::error_code) override {}
        std::size_t sent = 0;
    };
    auto sink = std::make_shared<counting_sink>();
    adapter.broadcast_with_ack(packet, opts, std::chrono::seconds(1), sink);
    BOOST_TEST(sink->sent == 5u);
    BOOST_TEST(reached().size() == 5u);
}

// Joins and leaves on one thread, broadcasts on two others: each broadcast
// reaches a set of the room's members of some moment, and once the joins
// are done one broadcast reaches exactly the final members.
BOOST_AUTO_TEST_CASE(joins_and_broadcasts_on_several_threads)
{
    add(64);
    corio::broadcast_options opts;
    opts.rooms = {"big"};
    broadcast_from_two_threads_during(opts, [&] {
        for (int round = 0; round < 200; ++round)
            for (int i = 0; i < 64; ++i) {
                if ((i + round) % 3 == 0)
                    adapter.leave(sockets[i]->id(), "big");
                else
                    adapter.join(sockets[i]->id(), "big");
            }
    });

    reached();
    send({"big"});
    std::set<std::string> members;
    for (int i = 0; i < 64; ++i)
        if ((i + 199) % 3 != 0)
            members.insert(sockets[i]->id());
    BOOST_TEST((reached() == members));
}

// Sockets come and go on one thread while two others broadcast to every
// socket, except a room: the list of every socket is dropped and taken again
// as they do.
BOOST_AUTO_TEST_CASE(sockets_come_and_go_while_others_broadcast_to_all)
{
    add(16);
    for (int i = 0; i < 4; ++i)
        adapter.join(sockets[i]->id(), "muted");
    corio::broadcast_options opts;
    opts.except = {"muted"};
    broadcast_from_two_threads_during(opts, [&] {
        for (int round = 0; round < 300; ++round) {
            auto s = std::make_shared<counting_socket>("extra" + std::to_string(round));
            adapter.add_socket(s);
            adapter.join(s->id(), "muted");
            adapter.remove_socket(s->id());
        }
    });

    reached();
    send({}, {"muted"});
    std::set<std::string> expected;
    for (int i = 4; i < 16; ++i)
        expected.insert(sockets[i]->id());
    BOOST_TEST((reached() == expected));
}

BOOST_AUTO_TEST_SUITE_END()
