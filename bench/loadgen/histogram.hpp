// A latency histogram with fixed log-linear buckets: constant memory and
// constant-time recording, whatever the number of samples.
#pragma once

#include <boost/json/object.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace loadgen {

/// Microsecond samples in HdrHistogram's bucket layout with 7 significant
/// bits: exact below 128 µs, within 0.8 % above, up to 2^64 µs.
///
/// @par Thread Safety
/// record() may run concurrently on any threads (relaxed atomics). The
/// readers are exact once recording has stopped; while it runs they see
/// a close but not necessarily consistent snapshot.
class histogram {
public:
    void record(std::uint64_t micros) noexcept;
    /// Negative durations count as zero.
    void record(std::chrono::nanoseconds d) noexcept;

    /// Adds every sample of `other` (which should have stopped recording).
    void add(const histogram& other) noexcept;

    std::uint64_t count() const noexcept;
    std::uint64_t max() const noexcept;
    double mean() const noexcept;
    /// The sample at quantile q in [0, 1]: the middle of its bucket, never
    /// above the largest sample; 0 when empty.
    std::uint64_t value_at(double q) const noexcept;

    /// {"count", "p50", "p99", "p999", "max", "mean"}, times in milliseconds.
    boost::json::object to_json_ms() const;

private:
    static constexpr unsigned significant_bits_ = 7;
    static constexpr std::uint64_t linear_count_ = 1u << significant_bits_;
    static constexpr std::uint64_t half_count_ = linear_count_ / 2;
    static constexpr std::size_t bucket_count_ = linear_count_ + (64 - significant_bits_) * half_count_;

    static std::size_t index_of(std::uint64_t micros) noexcept;
    static std::uint64_t lowest_of(std::size_t index) noexcept;
    static std::uint64_t width_of(std::size_t index) noexcept;

    std::array<std::atomic<std::uint64_t>, bucket_count_> buckets_{};
    std::atomic<std::uint64_t> count_{0};
    std::atomic<std::uint64_t> sum_{0};
    std::atomic<std::uint64_t> max_{0};
};

} // namespace loadgen
