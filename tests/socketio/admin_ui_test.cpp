// The Admin UI instrumentation (corio/admin_ui.hpp) with in-process clients:
// credentials and bcrypt, login and session, the read-only and production
// modes. tests/e2e/admin_ui*.test.mjs drive it with the real client and UI.

#include "server_fixture.hpp"

#include <corio/admin_ui.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>

using namespace corio_test;

namespace {

// @socket.io/admin-ui's own test vector.
constexpr std::string_view password = "changeit";
constexpr std::string_view hash = "$2b$10$nu1FHRkuxkZkqID.31gz4uQsyERZAn.m4IIruysTsHDODBtrqS5Me";

corio::admin_ui_options with_login(corio::admin_ui_options o = {})
{
    o.auth = corio::admin_ui_credentials{"admin", std::string(hash)};
    return o;
}

boost::json::object login(std::string_view pw = password)
{
    return {{"username", "admin"}, {"password", pw}};
}

std::vector<std::string> features(corio::testing::client& c)
{
    auto config = c.wait_for("config", "/admin");
    BOOST_TEST_REQUIRE(config.has_value());
    std::vector<std::string> out;
    for (auto& f : config->args.values().at(0).as_object().at("supportedFeatures").as_array())
        out.emplace_back(f.as_string());
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(admin_ui_credentials)

BOOST_AUTO_TEST_CASE(bcrypt_hashes_are_checked_with_libcrypt)
{
    BOOST_TEST(corio::bcrypt_matches(password, hash));
    BOOST_TEST(!corio::bcrypt_matches("changeiT", hash));
    BOOST_TEST(!corio::bcrypt_matches("", hash));
    BOOST_TEST(!corio::bcrypt_matches(std::string_view("changeit\0x", 10), hash));
    // Not bcrypt: never passed to crypt_rn, so never a DES or MD5 match.
    BOOST_TEST(!corio::bcrypt_matches("x", "$1$abc$OGyl6dDvZCDiGmIVbeuCq/"));
    BOOST_TEST(!corio::bcrypt_matches("x", "abQ9KY.KfrYrc"));
}

BOOST_AUTO_TEST_CASE(the_apps_option_is_user_colon_hash)
{
    auto c = corio::parse_admin_ui_credentials("admin:" + std::string(hash));
    BOOST_TEST_REQUIRE(c.has_value());
    BOOST_TEST(c->username == "admin");
    BOOST_TEST(c->password_hash == hash);
    for (std::string bad : {std::string(":") + std::string(hash), std::string("admin:"), std::string("admin"),
                            std::string("admin:$1$abc$OGyl6dDvZCDiGmIVbeuCq/"), "admin:" + std::string(hash) + "x"})
        BOOST_TEST_CONTEXT(bad)
        {
            BOOST_TEST(!corio::parse_admin_ui_credentials(bad).has_value());
        }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(admin_ui, server_fixture)

BOOST_AUTO_TEST_CASE(a_hash_that_is_not_bcrypt_is_refused_at_once)
{
    corio::admin_ui_options o;
    o.auth = corio::admin_ui_credentials{"admin", "plain text"};
    BOOST_CHECK_THROW(corio::instrument_admin_ui(io, o), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(login_then_session_then_config_and_a_session_lets_a_reload_in)
{
    corio::instrument_admin_ui(io, with_login());
    auto wrong = client({.nsp = "/admin", .auth = login("wrong")});
    BOOST_TEST_REQUIRE(!wrong->connected("/admin"));
    BOOST_TEST(wrong->connect_error("/admin").value() == (boost::json::object{{"message", "invalid credentials"}}));

    auto ui = client({.nsp = "/admin", .auth = login()});
    BOOST_TEST_REQUIRE(ui->connected("/admin"));
    auto session = ui->wait_for("session", "/admin");
    BOOST_TEST_REQUIRE(session.has_value());
    auto id = str(session->args, 0);
    BOOST_TEST(id.size() == 16u);
    BOOST_TEST(features(*ui) == (std::vector<std::string>{"AGGREGATED_EVENTS", "ALL_EVENTS", "DISCONNECT", "EMIT",
                                                          "JOIN", "LEAVE", "MDISCONNECT", "MJOIN", "MLEAVE"}),
               boost::test_tools::per_element());
    BOOST_TEST(ui->wait_for("all_sockets", "/admin").has_value());

    auto reloaded = client({.nsp = "/admin", .auth = {{"sessionId", id}}});
    BOOST_TEST(reloaded->connected("/admin"));
    auto forged = client({.nsp = "/admin", .auth = {{"sessionId", "0000000000000000"}}});
    BOOST_TEST(!forged->connected("/admin"));
}

BOOST_AUTO_TEST_CASE(read_only_production_mode_offers_no_command_and_reports_no_socket)
{
    corio::admin_ui_options o;
    o.mode = corio::admin_ui_mode::production;
    o.read_only = true;
    o.namespace_name = "watch"; // the leading slash is added
    corio::instrument_admin_ui(io, o);
    auto ui = client({.nsp = "/watch"});
    BOOST_TEST_REQUIRE(ui->connected("/watch"));
    BOOST_TEST(ui->wait_for("config", "/watch").has_value());
    auto user = client();
    BOOST_TEST_REQUIRE(user->connected());
    // Commands have no handler: the socket stays.
    ui->emit_to("/watch", "_disconnect", corio::arguments::of("/", false, user->sid()));
    ui->run_until_idle();
    BOOST_TEST(user->connected());
    for (auto& e : ui->get_received("/watch"))
        BOOST_TEST((e.event == "config" || e.event == "server_stats"), e.event);
}

BOOST_AUTO_TEST_CASE(commands_reach_the_sockets_they_name)
{
    corio::instrument_admin_ui(io, {});
    auto ui = client({.nsp = "/admin"});
    BOOST_TEST_REQUIRE(ui->connected("/admin"));
    auto a = client();
    auto b = client();
    BOOST_TEST_REQUIRE((a->connected() && b->connected()));

    ui->emit_to("/admin", "join", corio::arguments::of("/", "team", a->sid()));
    BOOST_TEST_REQUIRE(drive_until([&] { return io.of("/").rooms() == std::vector<std::string>{"team"}; }));
    ui->emit_to("/admin", "join", corio::arguments::of("/", "everyone"));
    ui->emit_to("/admin", "leave", corio::arguments::of("/", "team"));
    ui->emit_to("/admin", "_disconnect", corio::arguments::of("/", false, b->sid()));
    BOOST_TEST_REQUIRE(drive_until([&] { return b->server_disconnected(); }));
    BOOST_TEST(a->connected());
    BOOST_TEST(io.of("/").rooms() == std::vector<std::string>{"everyone"}, boost::test_tools::per_element());
    // An unknown namespace is not created by a command.
    ui->emit_to("/admin", "join", corio::arguments::of("/made-up", "r"));
    ui->run_until_idle();
    for (auto& n : io.namespaces())
        BOOST_TEST(n.name() != "/made-up");
}

BOOST_AUTO_TEST_SUITE_END()
