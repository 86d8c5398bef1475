// The connections a scenario holds open, so that its end can close them all.
#pragma once

#include "connection.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

namespace loadgen {

/// @par Thread Safety
/// Every member may be called from any thread.
class connection_set {
public:
    void add(std::shared_ptr<connection> conn);
    std::size_t size() const;
    /// Starts a close bounded by `timeout` on every connection
    /// (connection::close); their observers then see an empty reason.
    void close_all(std::chrono::milliseconds timeout);

private:
    mutable std::mutex mutex_;
    std::vector<std::shared_ptr<connection>> connections_;
};

} // namespace loadgen
