// The per-session handler that handler::on_open returns: the engine calls it
// for its session, lets go of it after on_close, and closes the session when
// on_open returns none.

#include "test_server.hpp"

#include <boost/beast/websocket/error.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>

using namespace corio_test;
using corio::engine::close_reason;

namespace {

/// Hands out session handlers that echo, hold their session (a cycle only
/// the engine can break) and report their close and their destruction.
class tracking_handler final : public corio::engine::handler {
public:
    std::shared_ptr<corio::engine::session_handler> on_open(const std::shared_ptr<corio::engine::session>& s) override
    {
        return std::make_shared<tracked>(*this, s);
    }

    /// The reason on_close was given, once the handler is also destroyed;
    /// waits up to io_limit.
    std::optional<close_reason> wait_closed_and_destroyed()
    {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, io_limit, [&] { return destroyed_; });
        if (!destroyed_)
            return std::nullopt;
        return reason_;
    }

private:
    class tracked final : public corio::engine::session_handler {
    public:
        tracked(tracking_handler& owner, std::shared_ptr<corio::engine::session> s)
            : owner_(owner), session_(std::move(s))
        {
        }
        ~tracked() override
        {
            std::lock_guard lock(owner_.mutex_);
            owner_.destroyed_ = true;
            owner_.changed_.notify_all();
        }
        void on_message(corio::protocol::packet&& m) override { session_->send(std::move(m)); }
        void on_close(close_reason r) override
        {
            std::lock_guard lock(owner_.mutex_);
            owner_.reason_ = r;
        }

    private:
        tracking_handler& owner_;
        std::shared_ptr<corio::engine::session> session_;
    };

    std::mutex mutex_;
    std::condition_variable changed_;
    std::optional<close_reason> reason_;
    bool destroyed_ = false;
};

/// Refuses every session.
class refusing_handler final : public corio::engine::handler {
public:
    std::shared_ptr<corio::engine::session_handler> on_open(const std::shared_ptr<corio::engine::session>&) override
    {
        ++opened;
        return nullptr;
    }
    std::atomic<int> opened = 0;
};

} // namespace

BOOST_AUTO_TEST_SUITE(session_handlers)

BOOST_AUTO_TEST_CASE(messages_reach_the_session_handler_which_the_engine_lets_go_after_on_close)
{
    tracking_handler h;
    test_server s(fast_options(), &h);
    ws_client ws(s.port(), query(s.path(), "websocket"));
    BOOST_TEST_REQUIRE(ws.read().front() == '0');
    ws.send_text("4hello");
    BOOST_TEST(ws.next() == "4hello");
    ws.send_text("1");
    // It holds its session: only the engine letting go frees the two.
    BOOST_TEST((h.wait_closed_and_destroyed() == close_reason::client_close));
}

BOOST_AUTO_TEST_CASE(a_session_refused_by_on_open_gets_its_open_packet_then_a_close)
{
    refusing_handler h;
    test_server s(fast_options(), &h);
    ws_client ws(s.port(), query(s.path(), "websocket"));
    BOOST_TEST(ws.read().front() == '0');
    BOOST_TEST(ws.read() == "1");
    boost::system::error_code ec;
    ws.read(ec);
    BOOST_TEST((ec == websocket::error::closed));
    BOOST_TEST((ws.reason().code == websocket::close_code::normal));
    BOOST_TEST(h.opened == 1);
}

BOOST_AUTO_TEST_CASE(a_polling_session_refused_by_on_open_answers_its_next_get_with_a_close)
{
    refusing_handler h;
    test_server s(fast_options(), &h);
    auto sid = open_polling(s);
    BOOST_TEST(http_request(s.port(), http::verb::get, query(s.path(), "polling", sid)).body() == "1");
    BOOST_TEST(http_request(s.port(), http::verb::get, query(s.path(), "polling", sid)).result_int() == 400);
}

BOOST_AUTO_TEST_SUITE_END()
