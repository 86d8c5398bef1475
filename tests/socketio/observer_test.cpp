// server_observer: what a server reports of every namespace's sockets, in
// order: connects, rooms joined and left (the id room too, and by cluster
// operations), events both ways when asked for, and disconnects.

#include "server_fixture.hpp"

#include <corio/server_observer.hpp>

#include <boost/test/unit_test.hpp>

#include <mutex>
#include <string>
#include <vector>

using namespace corio_test;

namespace {

/// Writes each call as one line: "connected /chat", "joined / r1", ...
class recorder final : public corio::server_observer {
public:
    explicit recorder(bool events) : events_(events) {}

    void socket_connected(const corio::socket_ref& s) override { add("connected " + s.nsp()); }
    void socket_disconnected(const corio::socket_ref& s, corio::disconnect_reason r) override
    {
        add("disconnected " + s.nsp() + " " + std::string(corio::to_string(r)));
    }
    void room_joined(std::string_view nsp, std::string_view room, std::string_view sid) override
    {
        add("joined " + std::string(nsp) + " " + (room == sid ? "<own>" : std::string(room)));
    }
    void room_left(std::string_view nsp, std::string_view room, std::string_view sid) override
    {
        add("left " + std::string(nsp) + " " + (room == sid ? "<own>" : std::string(room)));
    }
    bool wants_events() const override { return events_; }
    void event_received(const corio::socket_ref& s, std::string_view event, const corio::arguments& args) override
    {
        add("received " + s.nsp() + " " + std::string(event) + " " + std::to_string(args.size()));
    }
    void event_sent(const corio::socket_ref& s, std::string_view event, const corio::arguments& args) override
    {
        add("sent " + s.nsp() + " " + std::string(event) + " " + std::to_string(args.size()));
    }

    std::vector<std::string> lines()
    {
        std::lock_guard lock(mutex_);
        return lines_;
    }
    bool has(const std::string& line)
    {
        auto all = lines();
        return std::find(all.begin(), all.end(), line) != all.end();
    }

private:
    void add(std::string line)
    {
        std::lock_guard lock(mutex_);
        lines_.push_back(std::move(line));
    }
    bool events_;
    std::mutex mutex_;
    std::vector<std::string> lines_;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(observer, server_fixture)

BOOST_AUTO_TEST_CASE(a_socket_life_is_reported_in_order)
{
    auto seen = std::make_shared<recorder>(true);
    io.observe(seen);
    io.of("/chat").on("hello", [](corio::context& ctx, std::string room) {
        (void)ctx.join(room);
        ctx.emit("welcome", room);
    });
    auto c = client({.nsp = "/chat"});
    BOOST_TEST_REQUIRE(c->connected("/chat"));
    c->emit("hello", "r1");
    BOOST_TEST_REQUIRE(c->wait_for("welcome", "/chat").has_value());
    io.of("/chat").to("r1").sockets_leave("r1");
    BOOST_TEST_REQUIRE(drive_until([&] { return seen->has("left /chat r1"); }));
    c->disconnect("/chat");
    BOOST_TEST_REQUIRE(drive_until([&] { return seen->has("left /chat <own>"); }));

    std::vector<std::string> expected{
        "joined /chat <own>",
        "connected /chat",
        "received /chat hello 1",
        "joined /chat r1",
        "sent /chat welcome 1",
        "left /chat r1",
        "disconnected /chat io client disconnect",
        "left /chat <own>",
    };
    BOOST_TEST(seen->lines() == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(events_are_reported_only_when_asked_for)
{
    auto seen = std::make_shared<recorder>(false);
    io.observe(seen);
    io.of("/").on("ping", [](corio::context& ctx) { ctx.emit("pong"); });
    auto c = client();
    c->emit("ping");
    BOOST_TEST_REQUIRE(c->wait_for("pong").has_value());
    for (const auto& line : seen->lines())
        BOOST_TEST((line.find("received") == std::string::npos && line.find("sent") == std::string::npos), line);
    BOOST_TEST(seen->has("connected /"));
}

BOOST_AUTO_TEST_CASE(a_refused_socket_leaves_its_own_room_and_is_never_connected)
{
    auto seen = std::make_shared<recorder>(true);
    io.observe(seen);
    io.of("/private").use([](corio::context&) { return corio::refuse("no"); });
    auto c = client({.nsp = "/private"});
    BOOST_TEST_REQUIRE(!c->connected("/private"));
    BOOST_TEST_REQUIRE(drive_until([&] { return seen->has("left /private <own>"); }));
    BOOST_TEST(!seen->has("connected /private"));
    BOOST_TEST(!seen->has("disconnected /private io client disconnect"));
}

BOOST_AUTO_TEST_SUITE_END()
