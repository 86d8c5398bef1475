#include "server_fixture.hpp"

#include <boost/test/unit_test.hpp>

using namespace corio_test;

BOOST_FIXTURE_TEST_SUITE(namespaces, server_fixture)

BOOST_AUTO_TEST_CASE(unknown_namespace_is_refused_with_invalid_namespace)
{
    auto c = client({.nsp = "/nowhere"});
    BOOST_TEST(!c->connected("/nowhere"));
    BOOST_TEST(json::serialize(*c->connect_error("/nowhere")) == R"({"message":"Invalid namespace"})");
}

BOOST_AUTO_TEST_CASE(namespaces_multiplex_over_one_session_and_leave_independently)
{
    io.of("/").on("where", [](corio::context& ctx) { return ctx.nsp(); });
    io.of("/chat").on("where", [](corio::context& ctx) { return ctx.nsp(); });
    auto c = client();
    BOOST_TEST_REQUIRE(c->connect("/chat"));
    BOOST_TEST(c->sid("/") != c->sid("/chat"));
    BOOST_TEST(str(*c->emit_with_ack_to("/chat", "where", {}), 0) == "/chat");
    c->disconnect("/chat");
    BOOST_TEST(str(*c->emit_with_ack("where"), 0) == "/");
    BOOST_TEST(io.of("/chat").socket_count() == 0u);
    BOOST_TEST(io.of("/").socket_count() == 1u);
}

BOOST_AUTO_TEST_CASE(dynamic_namespaces_each_become_their_own_namespace)
{
    int setups = 0;
    io.of_dynamic([](std::string_view name) { return name.starts_with("/room-"); },
                  [&](corio::nsp ns) {
                      ++setups;
                      ns.on("name", [](corio::context& ctx) { return ctx.nsp(); });
                  });
    auto a = client({.nsp = "/room-a"});
    auto b = client({.nsp = "/room-b"});
    auto a2 = client({.nsp = "/room-a"});
    BOOST_TEST(str(*a->emit_with_ack("name"), 0) == "/room-a");
    BOOST_TEST(str(*b->emit_with_ack("name"), 0) == "/room-b");
    BOOST_TEST(setups == 2);
    BOOST_TEST(io.of("/room-a").socket_count() == 2u);
    auto other = client({.nsp = "/other"});
    BOOST_TEST(!other->connected("/other"));
}

BOOST_AUTO_TEST_CASE(connect_timeout_closes_a_client_that_joins_no_namespace)
{
    corio::server_options o = options();
    o.connect_timeout = 50ms;
    corio::server short_io(ioc.get_executor(), o);
    corio::testing::client c(short_io, ioc, {.connect = false});
    BOOST_TEST(drive_until([&] { return c.engine_closed(); }));
}

BOOST_AUTO_TEST_SUITE_END()
