// Writes held on each thread of run(ioc, threads) and sent together, by a
// batched_writes or once the ready handlers have run: every client gets
// every message whole and in order, including one whose socket takes only
// part of a write.

#include "test_server.hpp"

#include "engine/send_ring.hpp"
#include "engine/write_batch.hpp"

#include <corio/engine/batched_writes.hpp>
#include <corio/protocol/engine_packet.hpp>

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <mutex>

using namespace corio_test;

namespace {

/// Sends each message it gets to every open session, its sender included,
/// within one batched_writes: a broadcast, as the Socket.IO layer makes.
class broadcaster final : public corio::engine::handler {
public:
    std::shared_ptr<corio::engine::session_handler> on_open(const std::shared_ptr<corio::engine::session>& s) override
    {
        std::lock_guard lock(mutex_);
        sessions_.push_back(s);
        return std::make_shared<member>(*this);
    }

private:
    class member final : public corio::engine::session_handler {
    public:
        explicit member(broadcaster& b) : broadcaster_(b) {}
        void on_message(corio::protocol::packet&& m) override { broadcaster_.to_all(m); }
        void on_close(corio::engine::close_reason) override {}

    private:
        broadcaster& broadcaster_;
    };

    void to_all(const corio::protocol::packet& m)
    {
        std::vector<std::shared_ptr<corio::engine::session>> to;
        {
            std::lock_guard lock(mutex_);
            for (auto& w : sessions_)
                if (auto s = w.lock())
                    to.push_back(std::move(s));
        }
        corio::engine::batched_writes batch;
        for (auto& s : to)
            s->send(m);
    }

    std::mutex mutex_;
    std::vector<std::weak_ptr<corio::engine::session>> sessions_;
};

void skip_open_packet(ws_client& ws)
{
    BOOST_TEST_REQUIRE(ws.read().front() == '0');
}

/// `n` WebSocket clients of `s`, past their open packets.
std::vector<std::unique_ptr<ws_client>> open_clients(test_server& s, int n)
{
    std::vector<std::unique_ptr<ws_client>> clients;
    for (int i = 0; i < n; ++i) {
        clients.push_back(std::make_unique<ws_client>(s.port(), query(s.path(), "websocket")));
        skip_open_packet(*clients.back());
    }
    return clients;
}

bool kernel_has_io_uring()
{
    return corio::engine::detail::send_ring(8).valid();
}

} // namespace

BOOST_AUTO_TEST_SUITE(batched_writes)

BOOST_AUTO_TEST_CASE(a_broadcast_reaches_every_client_in_order)
{
    broadcaster b;
    test_server s(fast_options(), &b, {}, 1);
    auto clients = open_clients(s, 20);
    const auto before = corio::engine::detail::held_writes_sent();
    // Each client sends in turn; all get every message, in the order sent.
    for (int round = 0; round < 10; ++round) {
        const auto text = "4round " + std::to_string(round);
        clients[round % clients.size()]->send_text(text);
        for (auto& c : clients)
            BOOST_TEST(c->next() == text);
    }
    // Every message was held, then sent by the ring or, where it could not
    // submit, by its connection.
    const auto after = corio::engine::detail::held_writes_sent();
    const auto held = after.held - before.held;
    BOOST_TEST(held >= 10 * clients.size(), "held " << held << ", of which " << after.whole - before.whole
                                                    << " sent whole by the ring or a sendmsg");
}

BOOST_AUTO_TEST_CASE(a_client_whose_socket_is_full_gets_the_rest_later_whole_and_in_order)
{
    auto o = fast_options();
    o.ping_interval = 60s; // the test, not the heartbeat, decides when the silent client reads
    o.ping_timeout = 60s;
    o.limits.max_payload = 1024 * 1024;
    o.max_queued_bytes = 256 * 1024 * 1024;
    broadcaster b;
    test_server s(o, &b, {}, 1);
    ws_client silent(s.port(), query(s.path(), "websocket"));
    skip_open_packet(silent);
    ws_client reader(s.port(), query(s.path(), "websocket"));
    skip_open_packet(reader);

    // 8 KiB messages (small enough to be held), in step with the reader,
    // until the silent client's socket has taken part of a batched write or
    // nothing (at most 8,192 messages, 64 MiB: far more than a socket's
    // buffers).
    const std::string filler(8 * 1024, 'x');
    const auto before = corio::engine::detail::held_writes_sent();
    const bool batched = kernel_has_io_uring();
    int sent = 0;
    bool in_part = false;
    while (sent < 8192 && !in_part) {
        const auto text = "4" + std::to_string(sent) + filler;
        reader.send_text(text);
        if (reader.next() != text)
            BOOST_FAIL("the reader missed message " << sent);
        ++sent;
        in_part = corio::engine::detail::held_writes_sent().in_part > before.in_part;
    }
    if (batched)
        BOOST_TEST_REQUIRE(in_part, "no batched write went out in part");
    BOOST_TEST_MESSAGE("the silent client's socket was full after " << sent << " messages of 8 KiB");
    // Two more, queued behind the rest of the write in flight.
    for (int extra = 0; extra < 2; ++extra, ++sent) {
        const auto text = "4" + std::to_string(sent) + filler;
        reader.send_text(text);
        BOOST_TEST_REQUIRE(reader.next() == text);
    }
    for (int i = 0; i < sent; ++i) {
        const auto got = silent.next();
        if (got != "4" + std::to_string(i) + filler)
            BOOST_FAIL("the silent client's message " << i << " is missing or damaged: " << got.size() << " bytes, "
                                                      << got.substr(0, 8));
    }
}

BOOST_AUTO_TEST_CASE(outside_a_batch_writes_are_held_until_the_ready_handlers_have_run)
{
    test_server s(fast_options(), nullptr, {}, 1); // the recording echo
    auto clients = open_clients(s, 10);
    const auto before = corio::engine::detail::held_writes_sent();
    for (int round = 0; round < 5; ++round) {
        for (auto& c : clients)
            c->send_text("4echo " + std::to_string(round));
        for (auto& c : clients)
            BOOST_TEST(c->next() == "4echo " + std::to_string(round));
    }
    // Every echo was held, and went out alone or with others (by the ring,
    // or, when it could not submit, by the connection itself).
    const auto after = corio::engine::detail::held_writes_sent();
    const auto held = after.held - before.held;
    const auto whole = after.whole - before.whole;
    BOOST_TEST(held >= 5 * clients.size(), "held " << held << ", of which " << whole << " sent whole");
}

// Long-polling answers (the handshake's, a POST's "ok", a GET's packets)
// are held too, and each reaches its request whole.
BOOST_AUTO_TEST_CASE(polling_answers_are_held)
{
    test_server s(fast_options(), nullptr, {}, 1); // the recording echo
    const auto before = corio::engine::detail::held_writes_sent();
    for (int client = 0; client < 3; ++client) {
        const auto sid = open_polling(s);
        const auto text = "4echo " + std::to_string(client);
        const auto posted = http_request(s.port(), http::verb::post, query(s.path(), "polling", sid), text);
        BOOST_TEST(posted.body() == "ok");
        BOOST_TEST(http_request(s.port(), http::verb::get, query(s.path(), "polling", sid)).body() == text);
    }
    BOOST_TEST(corio::engine::detail::held_writes_sent().held - before.held >= 3u * 3u);
}

BOOST_AUTO_TEST_CASE(a_large_broadcast_is_held)
{
    auto o = fast_options();
    o.limits.max_payload = 1024 * 1024;
    broadcaster b;
    test_server s(o, &b, {}, 1);
    auto clients = open_clients(s, 3);
    const auto before = corio::engine::detail::held_writes_sent();
    const std::string large = "4" + std::string(64 * 1024, 'x');
    clients.front()->send_text(large);
    for (auto& c : clients)
        BOOST_TEST_REQUIRE(c->next() == large);
    BOOST_TEST(corio::engine::detail::held_writes_sent().held - before.held == clients.size());
}

BOOST_AUTO_TEST_CASE(a_large_write_alone_goes_out_at_once)
{
    auto o = fast_options();
    o.limits.max_payload = 1024 * 1024;
    test_server s(o, nullptr, {}, 1); // the recording echo
    auto clients = open_clients(s, 2);
    const auto before = corio::engine::detail::held_writes_sent();
    const std::string large = "4echo " + std::string(64 * 1024, 'x');
    for (int round = 0; round < 3; ++round) {
        for (auto& c : clients)
            c->send_text(large);
        for (auto& c : clients)
            BOOST_TEST_REQUIRE(c->next() == large);
    }
    BOOST_TEST(corio::engine::detail::held_writes_sent().held == before.held);
}

BOOST_AUTO_TEST_CASE(each_thread_holds_its_own_connections_writes)
{
    broadcaster b;
    test_server s(fast_options(), &b); // two threads, an io_context each
    auto clients = open_clients(s, 2); // one on each
    const auto before = corio::engine::detail::held_writes_sent();
    clients.front()->send_text("4hello");
    for (auto& c : clients)
        BOOST_TEST_REQUIRE(c->next() == "4hello");
    // The sender's thread held its own write; the other's went to the
    // other thread, which held it there.
    BOOST_TEST(corio::engine::detail::held_writes_sent().held - before.held == 2u);
}

BOOST_AUTO_TEST_CASE(a_thread_that_shares_its_io_context_writes_at_once)
{
    net::io_context ioc;
    broadcaster b;
    corio::engine::server server(ioc.get_executor(), fast_options(), b);
    corio::engine::listener listener(ioc);
    listener.add(server);
    listener.listen("127.0.0.1", 0);
    std::thread first([&] { ioc.run(); });
    std::thread second([&] { ioc.run(); });
    {
        ws_client a(listener.port(), query(server.options().path, "websocket"));
        skip_open_packet(a);
        const auto before = corio::engine::detail::held_writes_sent();
        a.send_text("4hello");
        BOOST_TEST(a.next() == "4hello");
        BOOST_TEST(corio::engine::detail::held_writes_sent().held == before.held);
    }
    // As test_server stops: every session finishes first.
    net::co_spawn(ioc, server.async_close_all(corio::engine::close_reason::server_close, std::chrono::seconds(2)),
                  net::use_future)
        .wait_for(std::chrono::seconds(3));
    listener.stop();
    ioc.stop();
    first.join();
    second.join();
}

BOOST_AUTO_TEST_SUITE_END()
