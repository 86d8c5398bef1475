#include "worker.hpp"

#include "connection.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <random>

namespace ceiling {

namespace net = boost::asio;

namespace {

constexpr std::size_t unlisted = static_cast<std::size_t>(-1);

// Sends per io_uring submission: as Corio's (framework/engine/write_batch.cpp).
constexpr unsigned ring_entries = 256;

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
    if (o.batch_writes) {
        ring_.emplace(ring_entries);
        if (!ring_->valid())
            ring_.reset();
    }
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

bool worker::hold_write(connection& c)
{
    if (!ring_)
        return false;
    held_.push_back(c.shared_from_this());
    if (!send_posted_) {
        send_posted_ = true;
        net::post(ioc_, [this] { send_held(); });
    }
    return true;
}

void worker::send_held()
{
    send_posted_ = false;
    // A connection's completion writes nothing new (it may close, which unlists it elsewhere),
    // so the list being sent does not change under the loop.
    sending_.swap(held_);
    if (sending_.size() == 1)
        sending_.front()->send_held_alone();
    else
        for (std::size_t first = 0; first < sending_.size(); first += ring_->capacity())
            send_through_ring(first, std::min(sending_.size(), first + ring_->capacity()));
    sending_.clear();
}

void worker::send_through_ring(std::size_t first, std::size_t last)
{
    // Pointers into iovs_ go into messages_: reserved first, so that no push_back moves them.
    iovs_.clear();
    iovs_.reserve(last - first);
    sockets_.clear();
    messages_.clear();
    for (std::size_t i = first; i < last; ++i) {
        const std::string_view bytes = sending_[i]->held_bytes();
        iovs_.push_back({const_cast<char*>(bytes.data()), bytes.size()});
        msghdr m{};
        m.msg_iov = &iovs_.back();
        m.msg_iovlen = 1;
        messages_.push_back(m);
        sockets_.push_back(sending_[i]->native_handle());
    }
    results_.assign(last - first, 0);
    if (!ring_->send(sockets_, messages_, results_)) {
        for (std::size_t i = first; i < last; ++i)
            sending_[i]->send_held_alone();
        return;
    }
    for (std::size_t i = first; i < last; ++i)
        sending_[i]->on_held_sent(results_[i - first]);
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
