#include "histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace loadgen {

std::size_t histogram::index_of(std::uint64_t micros) noexcept
{
    if (micros < linear_count_)
        return static_cast<std::size_t>(micros);
    // Above the linear range each power of two is split into half_count_
    // buckets: the top significant_bits_ bits of the value pick the bucket.
    unsigned shift = static_cast<unsigned>(std::bit_width(micros)) - significant_bits_;
    return static_cast<std::size_t>(linear_count_ + (shift - 1) * half_count_ + ((micros >> shift) - half_count_));
}

std::uint64_t histogram::lowest_of(std::size_t index) noexcept
{
    if (index < linear_count_)
        return index;
    std::uint64_t above = index - linear_count_;
    unsigned shift = static_cast<unsigned>(above / half_count_) + 1;
    return (above % half_count_ + half_count_) << shift;
}

std::uint64_t histogram::width_of(std::size_t index) noexcept
{
    if (index < linear_count_)
        return 1;
    return std::uint64_t{1} << ((index - linear_count_) / half_count_ + 1);
}

void histogram::record(std::uint64_t micros) noexcept
{
    buckets_[index_of(micros)].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(micros, std::memory_order_relaxed);
    auto seen = max_.load(std::memory_order_relaxed);
    while (micros > seen && !max_.compare_exchange_weak(seen, micros, std::memory_order_relaxed)) {
    }
}

void histogram::record(std::chrono::nanoseconds d) noexcept
{
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
    record(static_cast<std::uint64_t>(std::max<std::int64_t>(0, micros)));
}

void histogram::add(const histogram& other) noexcept
{
    for (std::size_t i = 0; i < bucket_count_; ++i)
        buckets_[i].fetch_add(other.buckets_[i].load(std::memory_order_relaxed), std::memory_order_relaxed);
    count_.fetch_add(other.count_.load(std::memory_order_relaxed), std::memory_order_relaxed);
    sum_.fetch_add(other.sum_.load(std::memory_order_relaxed), std::memory_order_relaxed);
    auto theirs = other.max_.load(std::memory_order_relaxed);
    auto seen = max_.load(std::memory_order_relaxed);
    while (theirs > seen && !max_.compare_exchange_weak(seen, theirs, std::memory_order_relaxed)) {
    }
}

std::uint64_t histogram::count() const noexcept
{
    return count_.load(std::memory_order_relaxed);
}

std::uint64_t histogram::max() const noexcept
{
    return max_.load(std::memory_order_relaxed);
}

double histogram::mean() const noexcept
{
    auto n = count();
    return n == 0 ? 0.0 : static_cast<double>(sum_.load(std::memory_order_relaxed)) / static_cast<double>(n);
}

std::uint64_t histogram::value_at(double q) const noexcept
{
    auto n = count();
    if (n == 0)
        return 0;
    q = std::clamp(q, 0.0, 1.0);
    auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(n))));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < bucket_count_; ++i) {
        seen += buckets_[i].load(std::memory_order_relaxed);
        if (seen >= rank)
            return std::min(lowest_of(i) + width_of(i) / 2, max());
    }
    return max();
}

boost::json::object histogram::to_json_ms() const
{
    auto ms = [](double micros) { return std::round(micros) / 1000.0; };
    return {
        {"count", count()},
        {"p50", ms(static_cast<double>(value_at(0.50)))},
        {"p99", ms(static_cast<double>(value_at(0.99)))},
        {"p999", ms(static_cast<double>(value_at(0.999)))},
        {"max", ms(static_cast<double>(max()))},
        {"mean", ms(mean())},
    };
}

} // namespace loadgen
