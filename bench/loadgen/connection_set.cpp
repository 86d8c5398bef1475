#include "connection_set.hpp"

namespace loadgen {

void connection_set::add(std::shared_ptr<connection> conn)
{
    std::lock_guard lock(mutex_);
    connections_.push_back(std::move(conn));
}

std::size_t connection_set::size() const
{
    std::lock_guard lock(mutex_);
    return connections_.size();
}

void connection_set::close_all(std::chrono::milliseconds timeout)
{
    std::lock_guard lock(mutex_);
    for (auto& conn : connections_)
        conn->close(timeout);
}

} // namespace loadgen
