#include "engine/rate_limiter.hpp"

#include <algorithm>

namespace corio::engine::detail {

bool rate_limiter::try_take(const std::string& key, clock::time_point now)
{
    if (per_second_ <= 0)
        return true;
    std::lock_guard lock(mutex_);
    auto [it, fresh] = buckets_.try_emplace(key, bucket{burst_, now});
    auto& b = it->second;
    if (!fresh) {
        std::chrono::duration<double> elapsed = now - b.updated;
        b.tokens = std::min(burst_, b.tokens + std::max(0.0, elapsed.count()) * per_second_);
        b.updated = std::max(b.updated, now);
    }
    bool allowed = b.tokens >= 1;
    if (allowed)
        b.tokens -= 1;
    if (buckets_.size() >= sweep_at_)
        sweep(now);
    return allowed;
}

std::size_t rate_limiter::size() const
{
    std::lock_guard lock(mutex_);
    return buckets_.size();
}

void rate_limiter::sweep(clock::time_point now)
{
    std::erase_if(buckets_, [&](const auto& entry) {
        std::chrono::duration<double> elapsed = now - entry.second.updated;
        return entry.second.tokens + elapsed.count() * per_second_ >= burst_;
    });
    sweep_at_ = std::max<std::size_t>(1024, 2 * buckets_.size());
}

} // namespace corio::engine::detail
