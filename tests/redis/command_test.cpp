// The command connection against a real redis-server: binary-safe values,
// pipelining, replies of every kind, SELECT, Unix sockets.

#include "redis_loop.hpp"
#include "redis_server.hpp"

#include <corio/redis/connection.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <optional>
#include <utility>
#include <string>
#include <thread>
#include <vector>

namespace redis = corio::redis;
using namespace corio_test;
using namespace std::string_literals;
using kind = redis::reply::kind;

BOOST_AUTO_TEST_SUITE(command)

BOOST_AUTO_TEST_CASE(set_and_get_are_binary_safe)
{
    redis_server server;
    redis_loop loop;
    auto c = loop.connect(server.tcp());

    std::string all_bytes;
    for (int i = 0; i < 256; ++i)
        all_bytes += static_cast<char>(i);
    std::string key = "k\0\r\n\xff"s;
    auto set = loop.exec(*c, {"SET", key, all_bytes + "\r\n$3\r\n"});
    BOOST_REQUIRE(set);
    BOOST_TEST((set->type == kind::status && set->str == "OK"));
    auto get = loop.exec(*c, {"GET", key});
    BOOST_REQUIRE(get);
    BOOST_TEST((get->type == kind::string));
    BOOST_TEST(get->str == all_bytes + "\r\n$3\r\n");

    // 1 MiB, more than one read and one hiredis buffer.
    std::string big(1 << 20, '\0');
    for (std::size_t i = 0; i < big.size(); ++i)
        big[i] = static_cast<char>((i * 7919) >> 3);
    BOOST_REQUIRE(loop.exec(*c, {"SET", "big", big}));
    auto back = loop.exec(*c, {"GET", "big"});
    BOOST_REQUIRE(back);
    BOOST_TEST(back->str.size() == big.size());
    BOOST_TEST((back->str == big));

    auto missing = loop.exec(*c, {"GET", "missing"});
    BOOST_REQUIRE(missing);
    BOOST_TEST((missing->type == kind::nil));
    c->close();
}

BOOST_AUTO_TEST_CASE(ten_thousand_pipelined_commands_answer_in_order)
{
    redis_server server;
    redis_loop loop;
    auto c = loop.connect(server.tcp());

    constexpr int n = 10'000;
    std::vector<std::int64_t> got;
    got.reserve(n);
    for (int i = 0; i < n; ++i)
        c->exec({"INCR", "counter"}, [&](boost::system::result<redis::reply> r) {
            got.push_back(r && r->type == kind::integer ? r->integer : -1);
        });
    BOOST_REQUIRE(loop.drive_until([&] { return got.size() == n; }, 20'000ms));
    bool in_order = true;
    for (int i = 0; i < n; ++i)
        in_order = in_order && got[i] == i + 1;
    BOOST_TEST(in_order);
    c->close();
}

BOOST_AUTO_TEST_CASE(error_replies_are_replies)
{
    redis_server server;
    redis_loop loop;
    auto c = loop.connect(server.tcp());

    BOOST_REQUIRE(loop.exec(*c, {"SET", "s", "v"}));
    auto wrong_type = loop.exec(*c, {"LPUSH", "s", "x"});
    BOOST_REQUIRE(wrong_type);
    BOOST_TEST(wrong_type->is_error());
    BOOST_TEST(wrong_type->str.starts_with("WRONGTYPE"));
    auto unknown = loop.exec(*c, {"NO-SUCH-COMMAND"});
    BOOST_REQUIRE(unknown);
    BOOST_TEST(unknown->is_error());
    // The connection goes on.
    auto ping = loop.exec(*c, {"PING"});
    BOOST_REQUIRE(ping);
    BOOST_TEST(ping->str == "PONG");
    BOOST_TEST(c->connected());
    c->close();
}

BOOST_AUTO_TEST_CASE(arrays_with_nils)
{
    redis_server server;
    redis_loop loop;
    auto c = loop.connect(server.tcp());

    BOOST_REQUIRE(loop.exec(*c, {"RPUSH", "list", "a", "", "c\0"s}));
    auto range = loop.exec(*c, {"LRANGE", "list", "0", "-1"});
    BOOST_REQUIRE(range);
    BOOST_REQUIRE((range->type == kind::array && range->elements.size() == 3u));
    BOOST_TEST(range->elements[0].str == "a");
    BOOST_TEST(range->elements[1].str == "");
    BOOST_TEST(range->elements[2].str == "c\0"s);

    auto mget = loop.exec(*c, {"MGET", "nope", "list"});
    BOOST_REQUIRE(mget);
    BOOST_REQUIRE(mget->elements.size() == 2u);
    BOOST_TEST((mget->elements[0].type == kind::nil));
    // Redis answers MGET of a list with a nil too.
    BOOST_TEST((mget->elements[1].type == kind::nil));
    c->close();
}

BOOST_AUTO_TEST_CASE(select_keeps_databases_apart)
{
    redis_server server;
    redis_loop loop;
    auto db0 = loop.connect(server.tcp());
    auto where = server.tcp();
    where.db = 3;
    auto db3 = loop.connect(where);

    BOOST_REQUIRE(loop.exec(*db3, {"SET", "k", "in three"}));
    auto from0 = loop.exec(*db0, {"GET", "k"});
    BOOST_REQUIRE(from0);
    BOOST_TEST((from0->type == kind::nil));
    auto from3 = loop.exec(*db3, {"GET", "k"});
    BOOST_REQUIRE(from3);
    BOOST_TEST(from3->str == "in three");
    auto size3 = loop.exec(*db0, {"EVAL", "redis.call('SELECT', 3); return redis.call('DBSIZE')", "0"});
    BOOST_REQUIRE(size3);
    BOOST_TEST(size3->integer == 1);
    db0->close();
    db3->close();
}

BOOST_AUTO_TEST_CASE(a_database_redis_refuses_keeps_it_down)
{
    redis_server server;
    redis_loop loop;
    auto where = server.tcp();
    where.db = 100'000;
    auto c = redis::connection::create(loop.ioc.get_executor(), loop.options(where));
    bool up = false;
    c->on_state([&](bool s) { up = up || s; });
    c->start();
    // Two refusals: it retries, and stays down.
    BOOST_REQUIRE(loop.drive_until([&] { return loop.warnings.size() >= 2; }));
    BOOST_TEST(!up);
    BOOST_TEST(!c->connected());
    BOOST_TEST(loop.warnings[0].find("SELECT") != std::string::npos, loop.warnings[0]);
    c->close();
}

BOOST_AUTO_TEST_CASE(unix_socket)
{
    redis_server server({.unix_socket = true});
    redis_loop loop;
    auto where = redis::parse_url("unix://" + server.unix_path() + "?db=2");
    BOOST_REQUIRE(where);
    auto c = loop.connect(*where);
    BOOST_REQUIRE(loop.exec(*c, {"SET", "over", "unix"}));
    auto info = loop.exec(*c, {"CLIENT", "INFO"});
    BOOST_REQUIRE(info);
    BOOST_TEST(info->str.find("db=2") != std::string::npos, info->str);
    // The TCP side sees the same server.
    auto tcp_where = server.tcp();
    tcp_where.db = 2;
    auto t = loop.connect(tcp_where);
    auto got = loop.exec(*t, {"GET", "over"});
    BOOST_REQUIRE(got);
    BOOST_TEST(got->str == "unix");
    c->close();
    t->close();
}

BOOST_AUTO_TEST_CASE(commands_given_before_start_are_sent_once_up)
{
    redis_server server;
    redis_loop loop;
    auto c = redis::connection::create(loop.ioc.get_executor(), loop.options(server.tcp()));
    std::vector<std::string> got;
    std::vector<bool> states;
    c->on_state([&](bool s) { states.push_back(s); });
    c->exec({"SET", "early", "bird"}, [&](auto r) { got.push_back(r ? r->str : "failed"); });
    c->exec({"GET", "early"}, [&](auto r) { got.push_back(r ? r->str : "failed"); });
    c->start();
    BOOST_REQUIRE(loop.drive_until([&] { return got.size() == 2; }));
    BOOST_TEST(got[0] == "OK");
    BOOST_TEST(got[1] == "bird");
    BOOST_TEST(states == std::vector<bool>{true});
    c->close();
}

BOOST_AUTO_TEST_CASE(async_exec_completes_with_error_code_and_reply)
{
    redis_server server;
    redis_loop loop;
    auto c = loop.connect(server.tcp());
    bool done = false;
    c->async_exec(std::vector<std::string>{"ECHO", "hi"}, [&](boost::system::error_code ec, redis::reply r) {
        BOOST_TEST(!ec);
        BOOST_TEST(r.str == "hi");
        done = true;
    });
    BOOST_REQUIRE(loop.drive_until([&] { return done; }));
    c->close();
    done = false;
    c->async_exec(std::vector<std::string>{"PING"}, [&](boost::system::error_code ec, redis::reply) {
        BOOST_TEST(ec == make_error_code(redis::error::closed));
        done = true;
    });
    BOOST_REQUIRE(loop.drive_until([&] { return done; }));
}

namespace {

// Awaits PING on `conn` from a coroutine on the strand `s`: whether it came
// back on that strand, and the reply's text.
net::awaitable<std::pair<bool, std::string>> ping_from(std::shared_ptr<redis::connection> conn,
                                                       net::strand<net::io_context::executor_type> s)
{
    // A local: g++ 12 miscompiles a braced temporary inside co_await.
    std::vector<std::string> args;
    args.emplace_back("PING");
    redis::reply r = co_await conn->async_exec(std::move(args), net::use_awaitable);
    bool on_strand = s.running_in_this_thread();
    co_return std::pair<bool, std::string>{on_strand, r.str};
}

} // namespace

BOOST_AUTO_TEST_CASE(async_exec_resumes_a_coroutine_on_its_own_executor)
{
    redis_server server;
    redis_loop loop;
    auto c = loop.connect(server.tcp());
    auto s = net::make_strand(loop.ioc);
    std::optional<std::pair<bool, std::string>> got;
    net::co_spawn(s, ping_from(c, s), [&](std::exception_ptr e, std::pair<bool, std::string> r) {
        BOOST_TEST(!e);
        got = r;
    });
    BOOST_REQUIRE(loop.drive_until([&] { return got.has_value(); }));
    BOOST_TEST(got->first);
    BOOST_TEST(got->second == "PONG");
    c->close();
}

BOOST_AUTO_TEST_CASE(an_empty_command_is_refused)
{
    redis_loop loop;
    auto c = redis::connection::create(loop.ioc.get_executor(), loop.options(redis::endpoint{}));
    BOOST_CHECK_THROW(c->exec({}, [](auto) {}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(many_threads_may_exec_at_once)
{
    redis_server server;
    redis_loop loop;
    auto c = loop.connect(server.tcp());
    std::atomic<int> answered{0};
    std::vector<std::thread> threads;
    constexpr int per_thread = 500;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < per_thread; ++i)
                c->exec({"INCR", "shared"}, [&](auto r) {
                    if (r && r->type == kind::integer)
                        ++answered;
                });
        });
    // The io_context runs on a thread of its own while four others exec.
    std::thread runner([&] { loop.drive_until([&] { return answered.load() == 4 * per_thread; }, 10'000ms); });
    for (auto& t : threads)
        t.join();
    runner.join();
    BOOST_REQUIRE(answered.load() == 4 * per_thread);
    auto total = loop.exec(*c, {"GET", "shared"});
    BOOST_REQUIRE(total);
    BOOST_TEST(total->str == std::to_string(4 * per_thread));
    c->close();
}

BOOST_AUTO_TEST_SUITE_END()
