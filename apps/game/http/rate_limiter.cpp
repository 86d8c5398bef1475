#include "http/rate_limiter.hpp"

#include <algorithm>
#include <vector>

namespace corio_game {

namespace {

using clock_type = rate_limiter::clock_type;

// Expired keys are swept once per this many hits, so that the sweep's cost
// is spread over them.
constexpr std::size_t sweep_interval = 1024;

void drop_expired(std::deque<clock_type::time_point>& hits, clock_type::time_point now, clock_type::duration window)
{
    while (!hits.empty() && hits.front() + window <= now)
        hits.pop_front();
}

} // namespace

rate_limiter::rate_limiter() : rate_limiter([] { return clock_type::now(); }) {}

rate_limiter::rate_limiter(time_source now, std::size_t max_keys) : now_(std::move(now)), max_keys_(max_keys) {}

std::optional<std::chrono::seconds> rate_limiter::check(std::string_view key, rate_limit limit)
{
    if (limit.max_hits == 0)
        return std::max(limit.window, std::chrono::seconds(1));
    std::lock_guard lock(mutex_);
    auto now = now_();
    auto it = entries_.find(std::string(key));
    if (it == entries_.end())
        return std::nullopt;
    auto& hits = it->second.hits;
    drop_expired(hits, now, limit.window);
    if (hits.size() < limit.max_hits)
        return std::nullopt;
    // Under the limit again once enough of the oldest hits leave the window.
    auto until = hits[hits.size() - limit.max_hits] + limit.window;
    auto wait = std::chrono::ceil<std::chrono::seconds>(until - now);
    return std::max(wait, std::chrono::seconds(1));
}

void rate_limiter::hit(std::string_view key, rate_limit limit)
{
    std::lock_guard lock(mutex_);
    auto now = now_();
    auto& e = entries_[std::string(key)];
    e.window = std::max<clock_type::duration>(e.window, limit.window);
    drop_expired(e.hits, now, e.window);
    e.hits.push_back(now);
    // Hits beyond the limit's count cannot change what check answers: the
    // newest max_hits decide it.
    while (e.hits.size() > std::max<std::size_t>(limit.max_hits, 1))
        e.hits.pop_front();
    if (++hits_since_sweep_ >= sweep_interval || entries_.size() > max_keys_)
        evict(now);
}

void rate_limiter::reset(std::string_view key)
{
    std::lock_guard lock(mutex_);
    entries_.erase(std::string(key));
}

void rate_limiter::forgive(std::string_view key)
{
    std::lock_guard lock(mutex_);
    auto it = entries_.find(std::string(key));
    if (it == entries_.end())
        return;
    if (!it->second.hits.empty())
        it->second.hits.pop_back();
    if (it->second.hits.empty())
        entries_.erase(it);
}

std::size_t rate_limiter::size() const
{
    std::lock_guard lock(mutex_);
    return entries_.size();
}

void rate_limiter::evict(clock_type::time_point now)
{
    hits_since_sweep_ = 0;
    std::erase_if(entries_, [&](const auto& kv) {
        const auto& e = kv.second;
        return e.hits.empty() || e.hits.back() + e.window <= now;
    });
    if (entries_.size() <= max_keys_)
        return;
    // Still too many live keys (many addresses at once): forget the least
    // recently hit ones, down to 90% so that this does not run on every hit.
    std::vector<std::pair<clock_type::time_point, entries::iterator>> by_age;
    by_age.reserve(entries_.size());
    for (auto it = entries_.begin(); it != entries_.end(); ++it)
        by_age.emplace_back(it->second.hits.back(), it);
    auto keep = max_keys_ - max_keys_ / 10;
    auto drop = by_age.size() - keep;
    std::nth_element(by_age.begin(), by_age.begin() + static_cast<std::ptrdiff_t>(drop), by_age.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < drop; ++i)
        entries_.erase(by_age[i].second);
}

} // namespace corio_game
