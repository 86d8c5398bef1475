#include "engine/session_state.hpp"

#include <algorithm>

namespace corio::engine::detail {

using protocol::packet;
using protocol::packet_type;

session_state::session_state(session_timing timing, transport_kind transport, time_point now, queue_limits limits)
    : timing_(timing), transport_(transport), next_ping_(now + timing.ping_interval), limits_(limits)
{
    if (timing_.client_pings)
        pong_deadline_ = now + timing_.ping_interval + timing_.ping_timeout;
}

session_state::time_point session_state::next_deadline() const noexcept
{
    time_point t = pong_deadline_ ? *pong_deadline_ : next_ping_;
    if (upgrade_deadline_)
        t = std::min(t, *upgrade_deadline_);
    return t;
}

session_state::timer_event session_state::on_timer(time_point now)
{
    if (closed())
        return timer_event::none;
    if (upgrade_deadline_ && now >= *upgrade_deadline_) {
        abort_upgrade();
        return timer_event::upgrade_timeout;
    }
    if (pong_deadline_) {
        if (now < *pong_deadline_)
            return timer_event::none;
        close(close_reason::ping_timeout, false);
        return timer_event::ping_timeout;
    }
    if (now < next_ping_)
        return timer_event::none;
    enqueue({packet_type::ping, false, {}});
    // From when the ping was due, not from when the timer ran: a session is
    // closed ping_interval + ping_timeout after its last pong (or its open)
    // however late the timer is on a loaded machine, as a client reckons.
    pong_deadline_ = next_ping_ + timing_.ping_timeout;
    return timer_event::ping_queued;
}

session_state::inbound session_state::on_packet(packet_type type, time_point now)
{
    if (closed())
        return inbound::closed;
    switch (type) {
    case packet_type::message:
        return inbound::deliver;
    case packet_type::ping:
        // v4 servers ping, clients only pong; v3 is the other way round.
        if (!timing_.client_pings)
            break;
        pong_deadline_ = now + timing_.ping_interval + timing_.ping_timeout;
        enqueue({packet_type::pong, false, {}});
        return inbound::answered;
    case packet_type::pong:
        if (timing_.client_pings)
            break;
        // A pong nobody asked for is harmless: clients may answer late.
        if (pong_deadline_) {
            pong_deadline_.reset();
            next_ping_ = now + timing_.ping_interval;
        }
        return inbound::handled;
    case packet_type::noop:
        return inbound::handled;
    case packet_type::close:
        close(close_reason::client_close, false);
        return inbound::closed;
    case packet_type::open:
    case packet_type::upgrade:  // only valid on a probe, handled there
        break;
    }
    close(close_reason::parse_error, false);
    return inbound::invalid;
}

session_state::send_result session_state::admit(std::size_t packets, std::size_t bytes, bool is_volatile)
{
    if (closed())
        return send_result::closed;
    if (is_volatile && !writable())
        return send_result::dropped;
    if (queued_packets() + packets <= limits_.max_packets && queued_bytes() + bytes <= limits_.max_bytes)
        return send_result::queued;
    if (is_volatile)
        return send_result::dropped;
    // No grace period: the bounds are generous, and while a session waited
    // over them its memory would stay pinned. The queue cannot drain through
    // a clogged transport, so it is dropped, not flushed.
    close(close_reason::send_queue_full, false);
    return send_result::overflow;
}

session_state::send_result session_state::send(shared_packet p, bool is_volatile)
{
    auto result = admit(1, p->data.size(), is_volatile);
    if (result == send_result::queued)
        push(std::move(p));
    return result;
}

session_state::send_result session_state::send(const shared_batch& unit, bool is_volatile)
{
    std::size_t bytes = 0;
    for (const auto& p : *unit)
        bytes += p.data.size();
    auto result = admit(unit->size(), bytes, is_volatile);
    if (result == send_result::queued) {
        // Aliasing pointers: each keeps the whole unit alive, none copies it.
        for (const auto& p : *unit)
            push(shared_packet(unit, &p));
    }
    return result;
}

bool session_state::writable() const noexcept
{
    if (closed() || !outbound_.empty() || in_flight_packets_ != 0)
        return false;
    return transport_ == transport_kind::websocket || poll_pending_;
}

void session_state::push(shared_packet p)
{
    queued_bytes_ += p->data.size();
    outbound_.push_back(std::move(p));
}

void session_state::enqueue(shared_packet p)
{
    if (!closed())
        push(std::move(p));
}

std::vector<shared_packet> session_state::take_outbound() noexcept
{
    in_flight_bytes_ += std::exchange(queued_bytes_, 0);
    in_flight_packets_ += outbound_.size();
    return std::exchange(outbound_, {});
}

void session_state::take_outbound(std::vector<shared_packet>& into) noexcept
{
    in_flight_bytes_ += std::exchange(queued_bytes_, 0);
    in_flight_packets_ += outbound_.size();
    outbound_.swap(into);
}

void session_state::written(std::size_t packets, std::size_t bytes) noexcept
{
    // Saturating: a close may have reset the counts under a write in flight.
    in_flight_bytes_ -= std::min(in_flight_bytes_, bytes);
    in_flight_packets_ -= std::min(in_flight_packets_, packets);
}

void session_state::clear_outbound() noexcept
{
    outbound_.clear();
    queued_bytes_ = 0;
    in_flight_bytes_ = 0;
    in_flight_packets_ = 0;
}

session_state::poll_start session_state::begin_poll()
{
    if (closed()) {
        if (!final_poll_owed_)
            return poll_start::closed;
        final_poll_owed_ = false;
        poll_pending_ = true;
        return poll_start::wait;
    }
    if (transport_ != transport_kind::polling)
        return poll_start::not_polling;
    if (poll_pending_) {
        // Two GETs at once means a broken or hostile client: the pending one
        // is answered with a close packet, as Engine.IO does.
        close(close_reason::transport_error, true);
        return poll_start::duplicate;
    }
    // A new GET means the client has the previous response: that write is
    // no longer in flight.
    in_flight_bytes_ = 0;
    in_flight_packets_ = 0;
    poll_pending_ = true;
    return poll_start::wait;
}

bool session_state::poll_ready() const noexcept
{
    return closed() || has_outbound() || (upgrading_ && probe_answered_) ||
           transport_ != transport_kind::polling;
}

std::vector<shared_packet> session_state::end_poll()
{
    poll_pending_ = false;
    if (closed()) {
        if (notify_client_)
            return take_outbound();
        clear_outbound();
        return {std::make_shared<const packet>(packet{packet_type::noop, false, {}})};
    }
    if (transport_ == transport_kind::polling && has_outbound())
        return take_outbound();
    return {std::make_shared<const packet>(packet{packet_type::noop, false, {}})};
}

bool session_state::begin_upgrade(time_point now)
{
    if (closed() || transport_ != transport_kind::polling || upgrading_)
        return false;
    upgrading_ = true;
    probe_answered_ = false;
    upgrade_deadline_ = now + timing_.upgrade_timeout;
    return true;
}

void session_state::complete_upgrade() noexcept
{
    // The client sends `5` once its last poll returned.
    in_flight_bytes_ = 0;
    in_flight_packets_ = 0;
    transport_ = transport_kind::websocket;
    upgrading_ = false;
    probe_answered_ = false;
    upgrade_deadline_.reset();
}

void session_state::abort_upgrade() noexcept
{
    upgrading_ = false;
    probe_answered_ = false;
    upgrade_deadline_.reset();
}

void session_state::close(close_reason r, bool notify_client)
{
    if (closed())
        return;
    if (notify_client)
        push(std::make_shared<const packet>(packet{packet_type::close, false, {}}));
    else
        clear_outbound();
    notify_client_ = notify_client;
    close_reason_ = r;
    // With no GET waiting, the next one gets what it would have: the last
    // packets and the close packet after a server close, a noop after the
    // client's own close (its GET may race the POST that carried it).
    final_poll_owed_ = transport_ == transport_kind::polling && !poll_pending_ &&
                       (notify_client || r == close_reason::client_close);
    upgrading_ = false;
    upgrade_deadline_.reset();
    pong_deadline_.reset();
}

} // namespace corio::engine::detail
