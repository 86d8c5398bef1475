#pragma once
// Room membership behind an interface, so that rooms can span servers (a
// Redis adapter) without the socket layer knowing. One adapter per namespace.

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace corio {

/// Sockets in any of `rooms` (every socket when empty) and in none of `except`.
struct room_selector {
    std::set<std::string> rooms;
    std::set<std::string> except;
};

/// @par Thread safety
/// Implementations are called from any thread concurrently.
class adapter {
public:
    virtual ~adapter() = default;

    virtual void join(const std::string& sid, const std::string& room) = 0;
    virtual void leave(const std::string& sid, const std::string& room) = 0;
    /// Removes the socket from every room (it disconnected).
    virtual void leave_all(const std::string& sid) = 0;

    virtual std::vector<std::string> rooms_of(const std::string& sid) const = 0;
    /// The ids of the sockets a selector picks, each once.
    virtual std::vector<std::string> select(const room_selector& selector) const = 0;
    /// As select, but calls `visit` with each id instead of returning copies:
    /// the broadcast hot path, where copying and re-hashing every id of a
    /// large room is measurable. `visit` may run under the adapter's lock, so
    /// it must not call back into the adapter. The default calls select.
    virtual void for_each_selected(const room_selector& selector,
                                   const std::function<void(const std::string&)>& visit) const
    {
        for (const auto& sid : select(selector))
            visit(sid);
    }
    /// Every room that has a member (the per-socket id rooms included).
    virtual std::vector<std::string> rooms() const = 0;
};

/// Rooms in this process's memory. An empty room is removed at once.
std::unique_ptr<adapter> make_memory_adapter();

} // namespace corio
