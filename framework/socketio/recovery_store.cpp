#include "socketio/recovery_store.hpp"

#include <boost/json/string.hpp>

#include <algorithm>
#include <charconv>

namespace corio::detail {

namespace {

// socket.io's shouldIncludePacket: sent to every socket or to one of the
// session's rooms, and to none of the rooms it excluded.
bool reaches(const std::vector<std::string>& session_rooms, const std::set<std::string>& rooms,
             const std::set<std::string>& except)
{
    auto in = [&](const std::set<std::string>& set) {
        return std::any_of(session_rooms.begin(), session_rooms.end(),
                           [&](const std::string& r) { return set.contains(r); });
    };
    return (rooms.empty() || in(rooms)) && !in(except);
}

} // namespace

bool recovery_store::keeps(const protocol::socket_packet& packet, const broadcast_options& opts) noexcept
{
    const bool event =
        packet.type == protocol::socket_packet_type::event || packet.type == protocol::socket_packet_type::binary_event;
    return event && !packet.id && !opts.is_volatile && packet.data && packet.data->is_array();
}

recovery_drops recovery_store::stamp(protocol::socket_packet& packet, const broadcast_options& opts,
                                     const measure& size, const state_recovery_options& o, clock::time_point now)
{
    recovery_drops drops;
    std::lock_guard lock(mutex_);
    const auto seq = next_seq_++;
    packet.data->as_array().push_back(boost::json::string(std::to_string(seq)));
    entry e{seq, packet, opts.rooms, opts.except, size(packet), now};
    bytes_ += e.bytes;
    packets_.push_back(std::move(e));
    expire(o, now, drops);
    // The newest stays even when it alone is over max_bytes: its offset
    // must be found, or a client that got it could never recover.
    while (packets_.size() > 1 && (packets_.size() > o.max_packets || bytes_ > o.max_bytes)) {
        bytes_ -= packets_.front().bytes;
        packets_.pop_front();
        ++drops.packets_over_limit;
    }
    return drops;
}

recovery_drops recovery_store::persist(persisted_session s, const state_recovery_options& o, clock::time_point now)
{
    recovery_drops drops;
    std::lock_guard lock(mutex_);
    expire(o, now, drops);
    session_order_.emplace_back(s.pid, now);
    auto pid = s.pid;
    sessions_.insert_or_assign(std::move(pid), kept_session{std::move(s), now});
    return drops;
}

std::optional<restored_session> recovery_store::restore(const std::string& pid, const std::string& offset,
                                                        const state_recovery_options& o, clock::time_point now,
                                                        recovery_drops& drops)
{
    std::lock_guard lock(mutex_);
    expire(o, now, drops);
    auto it = sessions_.find(pid);
    if (it == sessions_.end())
        return std::nullopt;
    std::uint64_t seq = 0;
    const auto* end = offset.data() + offset.size();
    auto [ptr, ec] = std::from_chars(offset.data(), end, seq);
    // Only the offsets it made: one spelling per number ("01" is not "1").
    if (ec != std::errc{} || ptr != end || std::to_string(seq) != offset || packets_.empty() ||
        seq < packets_.front().seq || seq > packets_.back().seq)
        return std::nullopt;
    restored_session out{std::move(it->second.session), {}};
    sessions_.erase(it);
    for (auto p = packets_.begin() + static_cast<std::ptrdiff_t>(seq - packets_.front().seq + 1); p != packets_.end();
         ++p)
        if (reaches(out.session.rooms, p->rooms, p->except))
            out.missed.push_back(p->packet);
    return out;
}

void recovery_store::expire(const state_recovery_options& o, clock::time_point now, recovery_drops& drops)
{
    const auto oldest = now - o.max_disconnection_duration;
    while (!packets_.empty() && packets_.front().at < oldest) {
        bytes_ -= packets_.front().bytes;
        packets_.pop_front();
        ++drops.packets_expired;
    }
    while (!session_order_.empty() && session_order_.front().second < oldest) {
        auto& [pid, at] = session_order_.front();
        // Restored since, or persisted again later: not this entry's to drop.
        if (auto it = sessions_.find(pid); it != sessions_.end() && it->second.at == at) {
            sessions_.erase(it);
            ++drops.sessions_expired;
        }
        session_order_.pop_front();
    }
}

std::size_t recovery_store::packets() const
{
    std::lock_guard lock(mutex_);
    return packets_.size();
}

std::size_t recovery_store::bytes() const
{
    std::lock_guard lock(mutex_);
    return bytes_;
}

std::size_t recovery_store::sessions() const
{
    std::lock_guard lock(mutex_);
    return sessions_.size();
}

} // namespace corio::detail
