#pragma once
// Counting attempts per key (an account name, an address) in a sliding time
// window, to slow down password guessing and mass registration.

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace corio_game {

/// At most `max_hits` hits per key within any `window`.
struct rate_limit {
    std::size_t max_hits = 0;
    std::chrono::seconds window{0};
};

/// Sliding-window counters: a key is over its limit while it has `max_hits`
/// hits in the last `window`. Keys are opaque; callers namespace them (e.g.
/// "login-name:alice") and use one limit per namespace.
///
/// Memory stays bounded: each key keeps at most `max_hits` times, keys whose
/// hits have all left their window are dropped, and beyond `max_keys` keys
/// the least recently hit ones are forgotten (which can only let someone
/// through early, never lock anyone out).
///
/// @par Thread safety
/// Every member may be called from any thread.
class rate_limiter {
public:
    using clock_type = std::chrono::steady_clock;
    using time_source = std::function<clock_type::time_point()>;

    static constexpr std::size_t default_max_keys = 100'000;

    /// Uses std::chrono::steady_clock.
    rate_limiter();
    /// Uses `now` for the time (tests drive it by hand).
    explicit rate_limiter(time_source now, std::size_t max_keys = default_max_keys);

    /// How long until `key` may be hit again under `limit` (at least one
    /// second, rounded up), or std::nullopt if it may be hit now.
    std::optional<std::chrono::seconds> check(std::string_view key, rate_limit limit);
    /// Counts one hit for `key` now.
    void hit(std::string_view key, rate_limit limit);
    /// Forgets `key`'s hits (e.g. a successful login clears its failures).
    void reset(std::string_view key);
    /// Takes back `key`'s newest hit, if it has one (an attempt counted in
    /// advance that turned out not to count).
    void forgive(std::string_view key);

    /// How many keys are tracked now (for tests and monitoring).
    std::size_t size() const;

private:
    struct entry {
        std::deque<clock_type::time_point> hits; // oldest first
        clock_type::duration window{};
    };
    using entries = std::unordered_map<std::string, entry>;

    void evict(clock_type::time_point now);

    time_source now_;
    std::size_t max_keys_;
    mutable std::mutex mutex_;
    entries entries_;
    std::size_t hits_since_sweep_ = 0;
};

} // namespace corio_game
