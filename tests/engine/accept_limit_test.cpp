// The listener out of file descriptors: a server in a child process whose
// RLIMIT_NOFILE is lowered (never this process's: other tests share it)
// must neither spin nor stop accepting for good. It answers the clients it
// cannot serve 503 at once, and serves new clients once descriptors free up.

#include <corio/engine/listener.hpp>

#include "test_server.hpp"

#include <boost/test/unit_test.hpp>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace corio_test;

namespace {

namespace engine = corio::engine;

/// Descriptors this process has open.
int open_descriptors()
{
    int n = 0;
    for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator("/proc/self/fd"))
        ++n;
    return n;
}

/// In the child: a listener on 127.0.0.1 with at most `limit` descriptors,
/// whose fallback reports its counters; writes its port to `report`, then
/// serves until killed.
[[noreturn]] void run_child(int report, rlim_t limit)
{
    try {
        rlimit rl{limit, limit};
        if (::setrlimit(RLIMIT_NOFILE, &rl) != 0)
            ::_exit(3);
        net::io_context ioc;
        engine::listener_options lo;
        // Only the descriptor limit applies.
        lo.max_connections = 0;
        lo.max_connections_per_address = 0;
        lo.accept_retry_max_delay = 200ms;
        lo.log = corio::logger::off(); // the failures are expected
        engine::listener l(ioc, lo);
        l.set_fallback([&l](const engine::http_request& req) {
            auto s = l.stats();
            engine::http_response res{http::status::ok, req.version()};
            res.body() = std::to_string(s.accept_out_of_descriptors) + " " + std::to_string(s.shed_out_of_descriptors) +
                         " " + std::to_string(s.accept_failures);
            res.keep_alive(false);
            res.prepare_payload();
            return res;
        });
        l.listen("127.0.0.1", 0);
        std::uint16_t port = l.port();
        if (::write(report, &port, sizeof port) != sizeof port)
            ::_exit(4);
        ioc.run();
    } catch (...) {
        ::_exit(2);
    }
    ::_exit(0);
}

/// User plus system CPU time of `pid`, in clock ticks.
long cpu_ticks(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // Fields after the command name (in parentheses, which may hold spaces).
    std::istringstream rest(stat.substr(stat.rfind(')') + 2));
    std::string field;
    long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
        if (i == 14)
            utime = std::stol(field);
        if (i == 15)
            stime = std::stol(field);
    }
    return utime + stime;
}

/// A connection that says nothing (it holds one of the server's
/// descriptors once accepted), or was refused: then it read "HTTP/1.1 503".
struct held_connection {
    explicit held_connection(net::io_context& ioc, std::uint16_t port) : socket(ioc)
    {
        socket.connect({net::ip::make_address("127.0.0.1"), port});
        socket.non_blocking(true);
    }
    /// Reads what has come without waiting; true once the server answered
    /// 503 and hung up.
    bool refused()
    {
        std::array<char, 512> chunk;
        for (;;) {
            boost::system::error_code ec;
            auto n = socket.read_some(net::buffer(chunk), ec);
            received.append(chunk.data(), n);
            if (ec == net::error::would_block)
                return false;
            if (ec)
                return received.starts_with("HTTP/1.1 503 ");
        }
    }
    tcp::socket socket;
    std::string received;
};

/// The body of a GET /stats on a fresh connection, answered within `limit`;
/// empty if none.
std::string try_get(std::uint16_t port, std::chrono::milliseconds limit)
{
    boost::system::error_code ec;
    auto res = http_get_within(port, "/stats", ec, limit);
    if (ec || res.result() != http::status::ok)
        return {};
    return res.body();
}

} // namespace

BOOST_AUTO_TEST_SUITE(accept_limit)

BOOST_AUTO_TEST_CASE(out_of_descriptors_the_listener_sheds_backs_off_and_recovers)
{
    // Few descriptors beyond those inherited: the listener's own (epoll,
    // eventfd, acceptor, spare) and a handful of connections.
    const rlim_t limit = static_cast<rlim_t>(open_descriptors() + 12);
    int pipe_fds[2];
    BOOST_REQUIRE(::pipe(pipe_fds) == 0);
    // Forked while this process runs no other thread: the earlier tests'
    // servers have joined theirs.
    pid_t child = ::fork();
    BOOST_REQUIRE(child >= 0);
    if (child == 0) {
        ::close(pipe_fds[0]);
        run_child(pipe_fds[1], limit);
    }
    ::close(pipe_fds[1]);
    struct reaper {
        pid_t pid;
        ~reaper()
        {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
    } reap{child};

    pollfd ready{pipe_fds[0], POLLIN, 0};
    BOOST_REQUIRE(::poll(&ready, 1, static_cast<int>(io_limit.count())) == 1);
    std::uint16_t port = 0;
    BOOST_REQUIRE(::read(pipe_fds[0], &port, sizeof port) == sizeof port);
    ::close(pipe_fds[0]);

    // More silent clients than the child has descriptors for: it accepts
    // some, and answers the rest 503 at once instead of leaving them in the
    // backlog.
    net::io_context ioc;
    std::vector<std::unique_ptr<held_connection>> clients;
    for (int i = 0; i < 40; ++i)
        clients.push_back(std::make_unique<held_connection>(ioc, port));
    auto count_refused = [&] {
        std::size_t n = 0;
        for (auto& c : clients)
            n += c->refused() ? 1 : 0;
        return n;
    };
    std::size_t refused = 0;
    const auto deadline = std::chrono::steady_clock::now() + io_limit;
    while ((refused = count_refused()) < 20 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(10ms);
    BOOST_TEST(refused >= 20u);

    // Out of descriptors, with clients still arriving, the child does not
    // spin: well under a core for a second.
    auto before = cpu_ticks(child);
    const auto window_end = std::chrono::steady_clock::now() + 1s;
    while (std::chrono::steady_clock::now() < window_end) {
        clients.push_back(std::make_unique<held_connection>(ioc, port));
        std::this_thread::sleep_for(40ms);
    }
    auto spent = cpu_ticks(child) - before;
    BOOST_TEST(spent < ::sysconf(_SC_CLK_TCK) / 4, "child used " << spent << " ticks in 1 s");

    // The clients leave: new ones are served again.
    clients.clear();
    std::string counters;
    const auto recovery_deadline = std::chrono::steady_clock::now() + io_limit;
    while (counters.empty() && std::chrono::steady_clock::now() < recovery_deadline)
        counters = try_get(port, 500ms);
    BOOST_REQUIRE(!counters.empty());
    std::istringstream in(counters);
    std::uint64_t out_of_descriptors = 0, shed = 0, failures = 0;
    in >> out_of_descriptors >> shed >> failures;
    BOOST_TEST(out_of_descriptors >= 1u);
    BOOST_TEST(shed >= 20u);
    BOOST_TEST(failures >= out_of_descriptors);
}

BOOST_AUTO_TEST_SUITE_END()
