#include "worker.hpp"

#include "connection.hpp"

#include <boost/asio/post.hpp>

#include <chrono>
#include <cstring>
#include <random>

namespace ceiling {

namespace net = boost::asio;

namespace {

constexpr std::size_t unlisted = static_cast<std::size_t>(-1);

// splitmix64: a fast, well-mixed sequence from a random seed.
std::uint64_t next_random(std::uint64_t& state)
{
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// Unlists `c` from `list`, where `slot` is its index, by moving the last entry into its place.
void unlist(std::vector<connection*>& list, std::size_t& slot, std::size_t connection::*slot_of)
{
    if (slot == unlisted)
        return;
    connection* last = list.back();
    list[slot] = last;
    last->*slot_of = slot;
    list.pop_back();
    slot = unlisted;
}

} // namespace

worker::worker(const options& o, int concurrency_hint)
    : opts_(o), read_buffer_(new char[o.read_buffer_size]), read_buffer_size_(o.read_buffer_size),
      ioc_(concurrency_hint), heartbeat_(ioc_)
{
    std::random_device seed;
    id_state_ = (std::uint64_t{seed()} << 32) | seed();
    open_tail_ = R"(","upgrades":[],"pingInterval":)" + std::to_string(o.ping_interval.count()) +
                 R"(,"pingTimeout":)" + std::to_string(o.ping_timeout.count()) + R"(,"maxPayload":)" +
                 std::to_string(o.max_payload) + "}";
}

void worker::start()
{
    heartbeat_.expires_after(opts_.ping_interval);
    // `this` outlives the handler: the handler cannot outlive ioc_, a member.
    heartbeat_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec)
            heartbeat_ping();
    });
}

void worker::add(connection& c)
{
    c.all_slot_ = all_.size();
    c.bench_slot_ = unlisted;
    all_.push_back(&c);
}

void worker::remove(connection& c)
{
    leave_bench(c);
    unlist(all_, c.all_slot_, &connection::all_slot_);
}

void worker::join_bench(connection& c)
{
    if (c.bench_slot_ != unlisted)
        return;
    c.bench_slot_ = bench_.size();
    bench_.push_back(&c);
}

void worker::leave_bench(connection& c)
{
    unlist(bench_, c.bench_slot_, &connection::bench_slot_);
}

void worker::broadcast(std::string_view frame)
{
    if (peers_.size() > 1) {
        // One copy for all the other workers, shared.
        auto shared = std::make_shared<const std::string>(frame);
        for (worker* peer : peers_)
            if (peer != this)
                net::post(peer->ioc_, [peer, shared] { peer->deliver(*shared); });
    }
    deliver(frame);
}

void worker::deliver(std::string_view frame)
{
    // send() never unlists anyone (a failing member closes later), so the walk is safe.
    for (connection* member : bench_)
        member->send(frame);
}

void worker::new_id(char (&out)[20])
{
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::uint64_t bits = next_random(id_state_);
    for (int i = 0; i < 10; ++i, bits >>= 6)
        out[i] = alphabet[bits & 63];
    bits = next_random(id_state_);
    for (int i = 10; i < 20; ++i, bits >>= 6)
        out[i] = alphabet[bits & 63];
}

void worker::grow_read_buffer(std::size_t used)
{
    auto bigger = std::make_unique_for_overwrite<char[]>(read_buffer_size_ * 2);
    std::memcpy(bigger.get(), read_buffer_.get(), used);
    read_buffer_ = std::move(bigger);
    read_buffer_size_ *= 2;
}

void worker::heartbeat_ping()
{
    std::vector<std::shared_ptr<connection>> stale;
    for (connection* c : all_)
        if (!c->ping())
            stale.push_back(c->shared_from_this());
    for (auto& c : stale)
        c->close();
    heartbeat_.expires_after(opts_.ping_timeout);
    heartbeat_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec)
            heartbeat_check();
    });
}

void worker::heartbeat_check()
{
    std::vector<std::shared_ptr<connection>> silent;
    for (connection* c : all_)
        if (!c->answered_ping())
            silent.push_back(c->shared_from_this());
    for (auto& c : silent)
        c->close();
    heartbeat_.expires_after(opts_.ping_interval - opts_.ping_timeout);
    heartbeat_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec)
            heartbeat_ping();
    });
}

} // namespace ceiling
