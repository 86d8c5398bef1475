// corio_adapter_threads: broadcasts from several threads at once to one room of
// a memory_adapter whose sockets do nothing, to see whether the broadcasts
// wait for each other in the adapter (docs/performance.md, "Multi-core, on
// paper"). No network, no strands: only the adapter's selection of members.
//
// Usage: corio_adapter_threads [THREADS [MEMBERS [SECONDS [CHURN]]]]
//   THREADS  broadcasting threads (default 2)
//   MEMBERS  members of the room (default 10000)
//   SECONDS  how long each thread broadcasts (default 2)
//   CHURN    1: one more thread joins and leaves the room meanwhile (default 0)
// Prints the broadcasts and deliveries per second, all threads together, and
// the memory the sockets took as they were added (the adapter's entries and
// these sockets'), per socket.

#include <corio/memory_adapter.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

class idle_socket final : public corio::local_socket {
public:
    explicit idle_socket(std::string id) : id_(std::move(id)) {}
    const std::string& id() const noexcept override { return id_; }
    bool connected() const noexcept override { return true; }
    void deliver(const corio::protocol::socket_packet&, const corio::protocol::encoded_socket_packet&, bool) override {}
    void deliver_with_ack(const corio::protocol::socket_packet&, const corio::protocol::encoded_socket_packet&,
                          std::chrono::milliseconds, std::function<void(corio::socket_ack_result)>) override
    {
    }
    void disconnect(bool) override {}
    corio::socket_info describe() const override { return {id_, {}, {}, {}}; }

private:
    std::string id_;
};

class plain_namespace final : public corio::local_namespace {
public:
    const std::string& name() const noexcept override { return name_; }
    void on_server_event(corio::arguments, bool, std::function<void(corio::arguments)>) override {}

private:
    std::string name_ = "/";
};

/// Resident bytes of this process.
long resident_bytes()
{
    long pages = 0;
    long resident = 0;
    std::ifstream("/proc/self/statm") >> pages >> resident;
    return resident * 4096;
}

} // namespace

int main(int argc, char** argv)
{
    const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
    const int members = argc > 2 ? std::atoi(argv[2]) : 10000;
    const double seconds = argc > 3 ? std::atof(argv[3]) : 2.0;
    const bool churn = argc > 4 && std::atoi(argv[4]) != 0;

    plain_namespace nsp;
    corio::memory_adapter adapter(nsp);
    const long before = resident_bytes();
    for (int i = 0; i < members + 1; ++i) {
        auto id = "socket-" + std::to_string(i);
        adapter.add_socket(std::make_shared<idle_socket>(id));
        if (i < members)
            adapter.join(id, "room");
    }
    const double bytes_per_socket = static_cast<double>(resident_bytes() - before) / (members + 1);
    corio::protocol::socket_packet packet;
    packet.type = corio::protocol::socket_packet_type::event;
    packet.data = boost::json::array{"bcast", "payload"};

    std::atomic<bool> stop = false;
    std::atomic<std::uint64_t> broadcasts = 0;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&] {
            corio::broadcast_options opts;
            opts.rooms = {"room"};
            std::uint64_t n = 0;
            while (!stop.load(std::memory_order_relaxed)) {
                adapter.broadcast(packet, opts);
                ++n;
            }
            broadcasts += n;
        });
    std::uint64_t churned = 0;
    std::thread churner;
    if (churn)
        churner = std::thread([&] {
            const std::string id = "socket-" + std::to_string(members);
            while (!stop.load(std::memory_order_relaxed)) {
                adapter.join(id, "room");
                adapter.leave(id, "room");
                ++churned;
            }
        });
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    for (auto& t : pool)
        t.join();
    if (churner.joinable())
        churner.join();
    const double b = static_cast<double>(broadcasts.load()) / seconds;
    std::printf("threads %d  members %d  broadcasts/s %.0f  deliveries/s %.0f  joins+leaves/s %.0f  "
                "bytes per socket %.0f\n",
                threads, members, b, b * members, static_cast<double>(churned) / seconds, bytes_per_socket);
}
