#include <corio/engine/session_id.hpp>

#include <boost/test/unit_test.hpp>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

BOOST_AUTO_TEST_SUITE(session_id_suite)

namespace {

bool well_formed(const std::string& id)
{
    return id.size() == 20u &&
           id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
               std::string::npos;
}

} // namespace

// Ids come from a per-thread buffer of CSPRNG bytes: threads draw from
// buffers of their own, and none hands out an id another did.
BOOST_AUTO_TEST_CASE(ids_from_several_threads_are_distinct_and_well_formed)
{
    constexpr int threads = 4;
    constexpr int per_thread = 100; // several refills of each buffer
    std::vector<std::vector<std::string>> made(threads);
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&made, t] {
            for (int i = 0; i < per_thread; ++i)
                made[static_cast<std::size_t>(t)].push_back(corio::engine::make_session_id());
        });
    for (auto& w : workers)
        w.join();
    std::set<std::string> all;
    for (const auto& ids : made)
        for (const auto& id : ids) {
            BOOST_TEST(well_formed(id));
            all.insert(id);
        }
    BOOST_TEST(all.size() == static_cast<std::size_t>(threads * per_thread));
}

// A forked child starts with a copy of its parent's buffer: it must not
// hand out the ids its parent will.
BOOST_AUTO_TEST_CASE(a_forked_child_does_not_repeat_its_parents_ids)
{
    (void)corio::engine::make_session_id(); // the buffer holds unused bytes now
    int fds[2];
    BOOST_TEST_REQUIRE(::pipe(fds) == 0);
    const pid_t child = ::fork();
    BOOST_TEST_REQUIRE(child >= 0);
    if (child == 0) {
        const auto id = corio::engine::make_session_id();
        const auto n = ::write(fds[1], id.data(), id.size());
        ::_exit(n == static_cast<ssize_t>(id.size()) ? 0 : 1);
    }
    ::close(fds[1]);
    const auto parent_id = corio::engine::make_session_id();
    std::string child_id(20, '\0');
    std::size_t got = 0;
    while (got < child_id.size()) {
        const auto n = ::read(fds[0], child_id.data() + got, child_id.size() - got);
        if (n <= 0)
            break;
        got += static_cast<std::size_t>(n);
    }
    ::close(fds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    BOOST_TEST_REQUIRE(got == child_id.size());
    BOOST_TEST(well_formed(child_id));
    BOOST_TEST(child_id != parent_id);
}

BOOST_AUTO_TEST_SUITE_END()
