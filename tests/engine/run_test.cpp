// corio::engine::run on several threads, one io_context each: connections
// take the threads in turn, and a session stays on its thread whichever
// connection its client's requests come on.

#include <corio/engine/run.hpp>

#include "test_server.hpp"

#include <boost/test/unit_test.hpp>

#include <map>
#include <mutex>
#include <thread>

using namespace corio_test;

namespace {

/// Echoes, and records the thread each session's messages arrive on.
class thread_recorder final : public corio::engine::handler {
public:
    std::shared_ptr<corio::engine::session_handler> on_open(const std::shared_ptr<corio::engine::session>& s) override
    {
        return std::make_shared<member>(*this, s);
    }

    /// The threads `sid`'s messages arrived on, one per message.
    std::vector<std::thread::id> threads_of(const std::string& sid)
    {
        std::lock_guard lock(mutex_);
        return threads_[sid];
    }

private:
    class member final : public corio::engine::session_handler {
    public:
        member(thread_recorder& recorder, const std::shared_ptr<corio::engine::session>& s)
            : recorder_(recorder), session_(s), id_(s->id())
        {
        }
        void on_message(corio::protocol::packet&& m) override
        {
            recorder_.record(id_);
            if (auto s = session_.lock())
                s->send(std::move(m));
        }
        void on_close(corio::engine::close_reason) override {}

    private:
        thread_recorder& recorder_;
        std::weak_ptr<corio::engine::session> session_;
        std::string id_;
    };

    void record(const std::string& sid)
    {
        std::lock_guard lock(mutex_);
        threads_[sid].push_back(std::this_thread::get_id());
    }

    std::mutex mutex_;
    std::map<std::string, std::vector<std::thread::id>> threads_;
};

/// The one thread all of `ids` are, or a default id if they are several.
std::thread::id only_thread(const std::vector<std::thread::id>& ids)
{
    BOOST_TEST_REQUIRE(!ids.empty());
    for (auto id : ids)
        if (id != ids.front())
            return {};
    return ids.front();
}

} // namespace

BOOST_AUTO_TEST_SUITE(run_on_threads)

BOOST_AUTO_TEST_CASE(connections_take_the_threads_in_turn_and_keep_theirs)
{
    thread_recorder recorder;
    test_server s(fast_options(), &recorder, {}, 2);
    std::vector<std::unique_ptr<ws_client>> clients;
    std::vector<std::string> sids;
    for (int i = 0; i < 4; ++i) {
        clients.push_back(std::make_unique<ws_client>(s.port(), query(s.path(), "websocket")));
        sids.push_back(sid_of(clients.back()->read()));
    }
    for (int round = 0; round < 3; ++round)
        for (auto& c : clients) {
            c->send_text("4hello");
            BOOST_TEST_REQUIRE(c->next() == "4hello");
        }
    std::vector<std::thread::id> threads;
    for (auto& sid : sids)
        threads.push_back(only_thread(recorder.threads_of(sid)));
    for (auto id : threads)
        BOOST_TEST((id != std::thread::id() && id != std::this_thread::get_id()));
    BOOST_TEST((threads[0] != threads[1]));
    BOOST_TEST((threads[0] == threads[2]));
    BOOST_TEST((threads[1] == threads[3]));
}

BOOST_AUTO_TEST_CASE(a_polling_session_stays_on_its_thread_across_connections_and_its_upgrade)
{
    thread_recorder recorder;
    test_server s(fast_options(), &recorder, {}, 2);
    // Each request comes on a new connection, so on the other thread than
    // the one before: the handshake's, which the session takes, then the
    // other, and so on.
    auto sid = open_polling(s);
    BOOST_TEST(http_request(s.port(), http::verb::post, query(s.path(), "polling", sid), "4by post").body() == "ok");
    BOOST_TEST(http_request(s.port(), http::verb::get, query(s.path(), "polling", sid)).body() == "4by post");
    // The upgrade's connection comes to the other thread, and moves to the
    // session's.
    ws_client ws(s.port(), query(s.path(), "websocket", sid));
    ws.send_text("2probe");
    BOOST_TEST(ws.read() == "3probe");
    ws.send_text("5");
    ws.send_text("4by websocket");
    BOOST_TEST(ws.next() == "4by websocket");
    auto threads = recorder.threads_of(sid);
    BOOST_TEST(threads.size() == 2u);
    BOOST_TEST((only_thread(threads) != std::thread::id()));
}

BOOST_AUTO_TEST_CASE(started_is_called_once_on_the_calling_thread)
{
    net::io_context ioc;
    int calls = 0;
    std::thread::id caller;
    corio::engine::run(ioc, 3, [&] {
        ++calls;
        caller = std::this_thread::get_id();
        ioc.stop();
    });
    BOOST_TEST(calls == 1);
    BOOST_TEST((caller == std::this_thread::get_id()));
}

BOOST_AUTO_TEST_SUITE_END()
