#pragma once
// A real redis-server (Debian's /usr/bin/redis-server) for one test: started
// on a free loopback port (and optionally a Unix socket) in a fresh temporary
// directory, without persistence, and killed by the destructor. stop() and
// restart() (same port and socket) let tests take Redis away mid-run.

#include <corio/redis/endpoint.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace corio_test {

struct redis_server_options {
    /// --requirepass: the default user's password.
    std::string requirepass;
    /// ACL users, each given as `--user` arguments, e.g.
    /// {"alice", "on", ">secret", "~*", "&*", "+@all"}.
    std::vector<std::vector<std::string>> users;
    /// Also listen on a Unix socket (unix_path()).
    bool unix_socket = false;
    /// How long start-up may take before the constructor throws.
    std::chrono::milliseconds start_timeout{10'000};
};

class redis_server {
public:
    explicit redis_server(redis_server_options o = {}) : opts_(std::move(o))
    {
        char dir[] = "/tmp/corio-redis-XXXXXX";
        if (!::mkdtemp(dir))
            throw std::runtime_error("redis_server: mkdtemp failed");
        dir_ = dir;
        // The free port is found by binding port 0 and letting it go: another
        // process may take it in between, so a server that dies at start-up
        // is retried on a new port.
        for (int attempt = 0;; ++attempt) {
            port_ = free_port();
            if (launch())
                break;
            if (attempt == 4) {
                std::string log = this->log();
                std::filesystem::remove_all(dir_);
                throw std::runtime_error("redis_server: redis-server did not start:\n" + log);
            }
        }
    }

    ~redis_server()
    {
        stop();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

    redis_server(const redis_server&) = delete;
    redis_server& operator=(const redis_server&) = delete;

    unsigned short port() const noexcept { return port_; }
    std::string unix_path() const { return dir_ + "/redis.sock"; }
    bool running() const noexcept { return pid_ > 0; }

    /// Where to connect over TCP (no credentials).
    corio::redis::endpoint tcp() const
    {
        corio::redis::endpoint e;
        e.host = "127.0.0.1";
        e.port = std::to_string(port_);
        return e;
    }
    /// Where to connect over the Unix socket (no credentials).
    corio::redis::endpoint unix_socket() const
    {
        corio::redis::endpoint e;
        e.unix_path = unix_path();
        return e;
    }
    std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

    /// Kills the server (SIGKILL: its clients see the connection drop) and
    /// waits for it to exit.
    void stop() noexcept
    {
        if (pid_ <= 0)
            return;
        ::kill(pid_, SIGKILL);
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        pid_ = -1;
    }

    /// Starts the server again on the same port and socket (it comes back
    /// empty). Throws when it does not accept within start_timeout.
    void restart()
    {
        stop();
        if (!launch())
            throw std::runtime_error("redis_server: redis-server did not restart:\n" + log());
    }

    /// What redis-server printed.
    std::string log() const
    {
        std::ifstream in(dir_ + "/redis.log");
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }

private:
    static unsigned short free_port()
    {
        int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0)
            throw std::runtime_error("redis_server: socket failed");
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = 0;
        socklen_t len = sizeof a;
        if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
            ::close(fd);
            throw std::runtime_error("redis_server: cannot find a free port");
        }
        ::close(fd);
        return ntohs(a.sin_port);
    }

    std::vector<std::string> arguments() const
    {
        std::vector<std::string> args{"/usr/bin/redis-server", "--port",  std::to_string(port_),
                                      "--bind",                "127.0.0.1", "--save",
                                      "",                      "--appendonly", "no",
                                      "--daemonize",           "no",      "--dir",
                                      dir_};
        if (opts_.unix_socket) {
            args.insert(args.end(), {"--unixsocket", unix_path(), "--unixsocketperm", "700"});
        }
        if (!opts_.requirepass.empty())
            args.insert(args.end(), {"--requirepass", opts_.requirepass});
        for (const auto& user : opts_.users) {
            args.push_back("--user");
            args.insert(args.end(), user.begin(), user.end());
        }
        return args;
    }

    // Starts redis-server and waits until it answers; false when it exited
    // (say, the port was taken) or did not answer in time.
    bool launch()
    {
        auto args = arguments();
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        std::string log_path = dir_ + "/redis.log";
        pid_t parent = ::getpid();
        pid_t pid = ::fork();
        if (pid < 0)
            throw std::runtime_error("redis_server: fork failed");
        if (pid == 0) {
            // Only async-signal-safe calls until exec. The server dies with
            // the test process, even when that one crashes.
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (::getppid() != parent)
                ::_exit(127);
            int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
            int null = ::open("/dev/null", O_RDONLY);
            if (log >= 0) {
                ::dup2(log, 1);
                ::dup2(log, 2);
            }
            if (null >= 0)
                ::dup2(null, 0);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        pid_ = pid;
        auto deadline = std::chrono::steady_clock::now() + opts_.start_timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return false;
            }
            if (answers(deadline))
                return true;
            // Not listening yet: the next try comes soon, and the deadline
            // bounds them all.
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        stop();
        return false;
    }

    // Connects to the port and sends PING: any reply (+PONG, or -NOAUTH when
    // a password is required) means the server is serving.
    bool answers(std::chrono::steady_clock::time_point deadline) const
    {
        int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0)
            return false;
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(port_);
        bool ok = false;
        if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
            ::send(fd, "PING\r\n", 6, MSG_NOSIGNAL) == 6) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                              std::chrono::steady_clock::now());
            pollfd p{fd, POLLIN, 0};
            char c = 0;
            if (left.count() > 0 && ::poll(&p, 1, static_cast<int>(left.count())) == 1 && ::recv(fd, &c, 1, 0) == 1)
                ok = c == '+' || c == '-';
        }
        ::close(fd);
        return ok;
    }

    redis_server_options opts_;
    std::string dir_;
    unsigned short port_ = 0;
    pid_t pid_ = -1;
};

} // namespace corio_test
