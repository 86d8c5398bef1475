// Failures counted by reason, so that a run reports everything that went
// wrong instead of stopping at the first error.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace loadgen {

/// Reasons are short keys such as "tcp_connect: Connection refused".
///
/// @par Thread Safety
/// Every member may be called from any thread. Failures are rare next to
/// the hot path, so one mutex is enough.
class failure_counts {
public:
    void add(std::string_view reason, std::uint64_t n = 1);
    std::uint64_t total() const;
    /// {reason: count, ...}
    boost::json::object to_json() const;

private:
    mutable std::mutex mutex_;
    std::map<std::string, std::uint64_t, std::less<>> counts_;
};

} // namespace loadgen
