#include "engine/session_traffic.hpp"

namespace corio::engine::detail {

session_traffic::session_traffic(traffic_registry& r) : registry_(r)
{
    registry_.attach(*this);
}

session_traffic::~session_traffic()
{
    registry_.detach(*this);
}

void session_traffic::add_to(endpoint_stats& s) const noexcept
{
    s.packets_in += packets_in_.load(std::memory_order_relaxed);
    s.packets_out += packets_out_.load(std::memory_order_relaxed);
    s.bytes_in += bytes_in_.load(std::memory_order_relaxed);
    s.bytes_out += bytes_out_.load(std::memory_order_relaxed);
}

void traffic_registry::attach(session_traffic& t)
{
    std::lock_guard lock(mutex_);
    t.next_ = live_;
    if (live_)
        live_->prev_ = &t;
    live_ = &t;
}

void traffic_registry::detach(session_traffic& t)
{
    // The session's last counts happen before its destruction (the strand's
    // last use of it releases the shared_ptr that the destructor acquires).
    std::lock_guard lock(mutex_);
    t.add_to(finished_);
    if (t.prev_)
        t.prev_->next_ = t.next_;
    else
        live_ = t.next_;
    if (t.next_)
        t.next_->prev_ = t.prev_;
}

void traffic_registry::add_to(endpoint_stats& s) const
{
    std::lock_guard lock(mutex_);
    s.packets_in += finished_.packets_in;
    s.packets_out += finished_.packets_out;
    s.bytes_in += finished_.bytes_in;
    s.bytes_out += finished_.bytes_out;
    for (auto* t = live_; t; t = t->next_)
        t->add_to(s);
}

} // namespace corio::engine::detail
