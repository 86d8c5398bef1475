#pragma once
// memory_adapter's store for connection state recovery: the events sent
// (with their offsets) and the sessions that left, in this process's
// memory. Sans-I/O: every call takes the time, so tests need no clock.

#include <corio/adapter.hpp>
#include <corio/state_recovery.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

namespace corio::detail {

/// @par Thread safety
/// Any thread: one mutex guards it, and it calls nothing outside while
/// holding it except the `size` passed to stamp.
class recovery_store {
public:
    using clock = std::chrono::steady_clock;
    /// The bytes `packet` takes on the wire (its encoded size).
    using measure = std::function<std::size_t(const protocol::socket_packet&)>;

    /// Whether a broadcast of `packet` is kept: an EVENT without ack id,
    /// not volatile (socket.io's rule).
    static bool keeps(const protocol::socket_packet& packet, const broadcast_options& opts) noexcept;

    /// Appends the next offset to `packet`'s data and keeps a copy of it,
    /// sized by `size`, then drops what is too old or over the bounds.
    /// Offsets increase in the order of the calls.
    recovery_drops stamp(protocol::socket_packet& packet, const broadcast_options& opts, const measure& size,
                         const state_recovery_options& o, clock::time_point now);

    recovery_drops persist(persisted_session s, const state_recovery_options& o, clock::time_point now);

    /// The session of `pid` with the events after `offset` that match its
    /// rooms, forgetting the session; std::nullopt when the session is
    /// unknown or expired, or `offset` is not kept. Expired ones are dropped
    /// into `drops`.
    std::optional<restored_session> restore(const std::string& pid, const std::string& offset,
                                            const state_recovery_options& o, clock::time_point now,
                                            recovery_drops& drops);

    std::size_t packets() const;
    std::size_t bytes() const;
    std::size_t sessions() const;

private:
    struct entry {
        std::uint64_t seq = 0;
        protocol::socket_packet packet;
        std::set<std::string> rooms;
        std::set<std::string> except;
        std::size_t bytes = 0;
        clock::time_point at;
    };
    struct kept_session {
        persisted_session session;
        clock::time_point at;
    };

    // Caller holds mutex_.
    void expire(const state_recovery_options& o, clock::time_point now, recovery_drops& drops);

    mutable std::mutex mutex_;
    std::uint64_t next_seq_ = 0;
    std::deque<entry> packets_; // by seq, no gaps
    std::size_t bytes_ = 0;
    std::unordered_map<std::string, kept_session> sessions_;
    // Pids in the order they were persisted (a persist time never goes
    // back), to expire sessions from the front; a restored one stays here
    // until its turn and is skipped.
    std::deque<std::pair<std::string, clock::time_point>> session_order_;
};

} // namespace corio::detail
