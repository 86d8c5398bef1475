#pragma once
// Token buckets keyed by client address: options::handshake_rate.

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace corio::engine::detail {

/// One token bucket per key, `burst` tokens, refilled at `per_second`.
///
/// @par Thread safety
/// Any thread (a mutex).
///
/// Memory: a bucket that has refilled is the same as none, so buckets full
/// again are dropped whenever the table doubles since the last sweep; it
/// holds at most the keys seen within the last burst / per_second seconds
/// (plus that many again).
class rate_limiter {
public:
    using clock = std::chrono::steady_clock;

    /// `per_second` <= 0: every call to try_take succeeds.
    rate_limiter(double per_second, double burst) : per_second_(per_second), burst_(burst < 1 ? 1 : burst) {}

    /// Takes a token from `key`'s bucket at `now`; false if it has none.
    bool try_take(const std::string& key, clock::time_point now = clock::now());

    /// Buckets held (for tests).
    std::size_t size() const;

private:
    struct bucket {
        double tokens;
        clock::time_point updated;
    };
    void sweep(clock::time_point now);

    const double per_second_;
    const double burst_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, bucket> buckets_;
    std::size_t sweep_at_ = 1024;
};

} // namespace corio::engine::detail
