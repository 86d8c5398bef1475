// HTTPS and WSS served by the listener itself (listener_options::tls):
// polling, WebSocket and the upgrade over TLS, certificate reload, and
// clients that never complete a handshake.

#include "test_certificates.hpp"
#include "tls_client.hpp"

#include <corio/log.hpp>

#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>

#include <array>
#include <mutex>
#include <string>
#include <vector>
#include <fstream>
#include <stdexcept>

using namespace corio_test;

namespace {

namespace engine = corio::engine;

engine::listener_options tls_listener(const engine::tls_options& tls,
                                      std::chrono::seconds handshake_timeout = std::chrono::seconds(10))
{
    engine::listener_options lo;
    lo.tls = tls;
    lo.tls->handshake_timeout = handshake_timeout;
    return lo;
}

/// A server with TLS, its CA and its certificate "first".
struct tls_fixture {
    explicit tls_fixture(std::chrono::seconds handshake_timeout = std::chrono::seconds(10))
        : tls(ca.issue("server", "first")), server(fast_options(), nullptr, tls_listener(tls, handshake_timeout))
    {
    }
    test_ca ca;
    engine::tls_options tls;
    test_server server;
};

} // namespace

BOOST_AUTO_TEST_SUITE(loopback_tls)

BOOST_AUTO_TEST_CASE(polling_runs_over_https)
{
    tls_fixture f;
    auto& s = f.server;
    BOOST_TEST(s.listener().tls());
    tls_connection c(s.port(), f.ca.ca_file());
    BOOST_TEST(c.peer_common_name() == "first");
    // One keep-alive TLS connection carries the handshake, a POST and a GET.
    auto open = c.request(http::verb::get, query(s.path(), "polling"));
    BOOST_TEST_REQUIRE(open.result_int() == 200);
    auto sid = sid_of(open.body());
    BOOST_TEST(c.request(http::verb::post, query(s.path(), "polling", sid), "4over tls").body() == "ok");
    BOOST_TEST(c.request(http::verb::get, query(s.path(), "polling", sid)).body() == "4over tls");
    // An answer larger than a TLS record (16 KiB), its head and body given
    // to one write (http_stream::async_write): three echoes in one GET.
    const std::string part = "4" + std::string(8'000, 'y');
    for (int i = 0; i < 3; ++i)
        BOOST_TEST(c.request(http::verb::post, query(s.path(), "polling", sid), part).body() == "ok");
    BOOST_TEST(c.request(http::verb::get, query(s.path(), "polling", sid)).body() ==
               part + "\x1e" + part + "\x1e" + part);
}

BOOST_AUTO_TEST_CASE(websocket_runs_over_wss)
{
    tls_fixture f;
    auto& s = f.server;
    wss_client ws(s.port(), f.ca.ca_file(), query(s.path(), "websocket"));
    BOOST_TEST(ws.next().front() == '0');
    ws.send_text("4hello");
    BOOST_TEST(ws.next() == "4hello");
    // Larger than a TLS record (16 KiB): split over several, and gathered back.
    std::string big = "4" + std::string(9'000, 'x');
    ws.send_text(big);
    ws.send_text("4after");
    BOOST_TEST(ws.next() == big);
    BOOST_TEST(ws.next() == "4after");
}

BOOST_AUTO_TEST_CASE(polling_upgrades_to_wss)
{
    tls_fixture f;
    auto& s = f.server;
    const auto ca = f.ca.ca_file();
    auto sid = sid_of(https_request(s.port(), ca, http::verb::get, query(s.path(), "polling")).body());
    // The probe's connection is another TLS connection, moved to the
    // session's strand once the upgrade request is read.
    wss_client ws(s.port(), ca, query(s.path(), "websocket", sid));
    ws.send_text("2probe");
    BOOST_TEST(ws.read() == "3probe");
    BOOST_TEST(https_request(s.port(), ca, http::verb::get, query(s.path(), "polling", sid)).body() == "6");
    BOOST_TEST(https_request(s.port(), ca, http::verb::post, query(s.path(), "polling", sid), "4during").body() ==
               "ok");
    ws.send_text("5");
    BOOST_TEST(ws.next() == "4during");
    ws.send_text("4after");
    BOOST_TEST(ws.next() == "4after");
    BOOST_TEST((s.handler().find(sid)->transport() == engine::transport_kind::websocket));
}

BOOST_AUTO_TEST_CASE(a_plaintext_client_is_refused_at_once_and_costs_only_its_connection)
{
    tls_fixture f(std::chrono::seconds(60));
    auto& s = f.server;
    wss_client ws(s.port(), f.ca.ca_file(), query(s.path(), "websocket"));
    BOOST_TEST(ws.next().front() == '0');
    std::string received;
    auto ec = send_and_await_hangup(s.port(), "GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: a\r\n\r\n",
                                    received);
    // Within io_limit, far below the handshake timeout: the handshake failed.
    BOOST_TEST(hung_up(ec), ec.message());
    BOOST_TEST(received.find("HTTP/") == std::string::npos);
    ws.send_text("4unaffected");
    BOOST_TEST(ws.next() == "4unaffected");
    BOOST_TEST(https_request(s.port(), f.ca.ca_file(), http::verb::get, query(s.path(), "polling")).result_int() ==
               200);
}

BOOST_AUTO_TEST_CASE(garbage_instead_of_a_handshake_is_refused_at_once)
{
    tls_fixture f(std::chrono::seconds(60));
    auto& s = f.server;
    // A record of type 0xFF is no TLS record at all; then one that claims to
    // be a handshake but holds nonsense.
    for (std::string_view bytes : {std::string_view("\xff\xff\xff\xff\xff\xff\xff\xff", 8),
                                   std::string_view("\x16\x03\x01\x00\x08\x63\x6f\x72\x69\x6f\x21\x21\x21", 13)}) {
        std::string received;
        auto ec = send_and_await_hangup(s.port(), bytes, received);
        BOOST_TEST(hung_up(ec), ec.message());
    }
    BOOST_TEST(https_request(s.port(), f.ca.ca_file(), http::verb::get, query(s.path(), "polling")).result_int() ==
               200);
}

BOOST_AUTO_TEST_CASE(a_failed_handshake_is_a_debug_record_and_a_reload_an_info_one)
{
    struct kept {
        corio::log_level level;
        std::string message, remote, error;
    };
    std::mutex mutex;
    std::vector<kept> records; // outlives the server's threads
    auto keep = [&](const corio::log_record& r) {
        std::lock_guard lock(mutex);
        records.push_back({r.level, std::string(r.message), std::string(r.remote), std::string(r.error)});
    };
    test_ca ca;
    auto lo = tls_listener(ca.issue("server", "first"), std::chrono::seconds(60));
    lo.log = corio::logger(keep, corio::log_level::debug);
    test_server s(fast_options(), nullptr, lo);

    std::string received;
    auto ec = send_and_await_hangup(s.port(), std::string_view("\xff\xff\xff\xff\xff\xff\xff\xff", 8), received);
    BOOST_TEST(hung_up(ec), ec.message());
    s.listener().reload_tls();

    std::lock_guard lock(mutex);
    BOOST_TEST_REQUIRE(records.size() == 2u);
    BOOST_TEST((records[0].level == corio::log_level::debug));
    BOOST_TEST(records[0].message == "TLS handshake failed");
    BOOST_TEST(records[0].remote == "127.0.0.1");
    BOOST_TEST(!records[0].error.empty());
    BOOST_TEST((records[1].level == corio::log_level::info));
    BOOST_TEST(records[1].message == "TLS certificate reloaded");
}

BOOST_AUTO_TEST_CASE(a_failed_handshake_is_not_logged_at_the_default_level)
{
    std::mutex mutex;
    std::vector<std::string> records;
    test_ca ca;
    auto lo = tls_listener(ca.issue("server", "first"), std::chrono::seconds(60));
    lo.log = corio::logger(
        [&](const corio::log_record& r) {
            std::lock_guard lock(mutex);
            records.push_back(corio::format_text(r));
        },
        corio::logger().min_level());
    test_server s(fast_options(), nullptr, lo);
    std::string received;
    auto ec = send_and_await_hangup(s.port(), std::string_view("\xff\xff\xff\xff\xff\xff\xff\xff", 8), received);
    BOOST_TEST(hung_up(ec), ec.message());
    std::lock_guard lock(mutex);
    BOOST_TEST(records.empty());
}

BOOST_AUTO_TEST_CASE(a_handshake_cut_short_is_closed_after_the_handshake_timeout)
{
    tls_fixture f(std::chrono::seconds(1));
    auto& s = f.server;
    const auto started = std::chrono::steady_clock::now();
    net::io_context ioc;
    tcp::socket stalled(ioc);
    stalled.connect({net::ip::make_address("127.0.0.1"), s.port()});
    // The start of a ClientHello whose record promises 200 bytes, then nothing.
    net::write(stalled, net::buffer(std::string_view("\x16\x03\x01\x00\xc8\x01\x00\x00", 8)));
    // Meanwhile the others are served.
    BOOST_TEST(https_request(s.port(), f.ca.ca_file(), http::verb::get, query(s.path(), "polling")).result_int() ==
               200);
    std::array<char, 64> chunk;
    boost::system::error_code ec;
    bool done = false;
    stalled.async_read_some(net::buffer(chunk), [&](boost::system::error_code e, std::size_t) {
        ec = e;
        done = true;
    });
    finish_within(ioc, stalled, done, io_limit, ec);
    const auto waited = std::chrono::steady_clock::now() - started;
    BOOST_TEST(hung_up(ec), ec.message());
    BOOST_TEST(waited >= std::chrono::milliseconds(900));
}

BOOST_AUTO_TEST_CASE(reload_serves_the_new_certificate_to_new_connections_only)
{
    tls_fixture f;
    auto& s = f.server;
    const auto ca = f.ca.ca_file();
    wss_client before(s.port(), ca, query(s.path(), "websocket"));
    BOOST_TEST(before.peer_common_name() == "first");
    BOOST_TEST(before.next().front() == '0');

    // Renewed in place, as certbot or an operator would, then reloaded.
    f.ca.issue("server", "second");
    s.listener().reload_tls();
    tls_connection after(s.port(), ca);
    BOOST_TEST(after.peer_common_name() == "second");
    // The connection opened before keeps its TLS session.
    before.send_text("4still here");
    BOOST_TEST(before.next() == "4still here");

    // A reload that cannot read the files keeps the certificate in use.
    {
        std::ofstream broken(f.tls.private_key_file, std::ios::trunc);
        broken << "not a key\n";
    }
    try {
        s.listener().reload_tls();
        BOOST_FAIL("a reload with a broken key succeeded");
    } catch (const boost::system::system_error& e) {
        BOOST_TEST(std::string(e.what()).find(f.tls.private_key_file) != std::string::npos, e.what());
    }
    tls_connection still(s.port(), ca);
    BOOST_TEST(still.peer_common_name() == "second");
}

BOOST_AUTO_TEST_CASE(a_listener_refuses_certificate_files_it_cannot_use)
{
    test_ca ca;
    auto good = ca.issue("good", "good");
    auto other = ca.issue("other", "other");
    net::io_context ioc;
    auto fails_naming = [&](engine::tls_options tls, const std::string& file) {
        engine::listener_options lo;
        lo.tls = std::move(tls);
        try {
            engine::listener l(ioc, lo);
        } catch (const boost::system::system_error& e) {
            BOOST_TEST(std::string(e.what()).find(file) != std::string::npos, e.what());
            return;
        }
        BOOST_FAIL("the listener accepted " + file);
    };
    auto missing = good;
    missing.certificate_chain_file = ca.path("missing.crt");
    fails_naming(missing, missing.certificate_chain_file);
    auto mismatched = good;
    mismatched.private_key_file = other.private_key_file;
    fails_naming(mismatched, mismatched.private_key_file);
    // Without TLS there is nothing to reload.
    engine::listener plain(ioc);
    BOOST_TEST(!plain.tls());
    BOOST_CHECK_THROW(plain.reload_tls(), std::logic_error);
}

BOOST_AUTO_TEST_CASE(dropping_http_connections_leaves_wss_sessions_alone)
{
    tls_fixture f;
    auto& s = f.server;
    wss_client ws(s.port(), f.ca.ca_file(), query(s.path(), "websocket"));
    BOOST_TEST(ws.next().front() == '0');
    // The TLS stream left the HTTP connection for the session: cutting the
    // HTTP connections must not touch it.
    s.listener().drop_connections();
    ws.send_text("4alive");
    BOOST_TEST(ws.next() == "4alive");
}

BOOST_AUTO_TEST_SUITE_END()
