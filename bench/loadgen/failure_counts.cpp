#include "failure_counts.hpp"

namespace loadgen {

void failure_counts::add(std::string_view reason, std::uint64_t n)
{
    std::lock_guard lock(mutex_);
    auto it = counts_.find(reason);
    if (it == counts_.end())
        counts_.emplace(std::string(reason), n);
    else
        it->second += n;
}

std::uint64_t failure_counts::total() const
{
    std::lock_guard lock(mutex_);
    std::uint64_t sum = 0;
    for (auto& [reason, n] : counts_)
        sum += n;
    return sum;
}

boost::json::object failure_counts::to_json() const
{
    std::lock_guard lock(mutex_);
    boost::json::object out;
    for (auto& [reason, n] : counts_)
        out[reason] = n;
    return out;
}

} // namespace loadgen
