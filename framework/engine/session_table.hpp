#pragma once

#include <corio/engine/stats.hpp>

#include <array>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace corio::engine::detail {

class session_impl;

/// An endpoint's open sessions by id, split into shards so that concurrent
/// lookups from different threads rarely share a lock. Lookups happen per
/// polling request and per upgrade, never per WebSocket message.
///
/// @par Thread safety
/// Every member may be called from any thread.
class session_table {
public:
    void insert(const std::shared_ptr<session_impl>& s);
    std::shared_ptr<session_impl> find(const std::string& id) const;
    void erase(const std::string& id);
    std::size_t size() const;
    session_counts count_by_transport() const;
    std::vector<std::shared_ptr<session_impl>> snapshot() const;

private:
    struct shard {
        mutable std::mutex mutex;
        // Keyed by a view of the session's own id, which it keeps unchanged
        // while it is here: no second copy of each id.
        std::unordered_map<std::string_view, std::shared_ptr<session_impl>> sessions;
    };
    shard& shard_for(const std::string& id) const;

    static constexpr std::size_t shard_count = 16;
    mutable std::array<shard, shard_count> shards_;
};

} // namespace corio::engine::detail
