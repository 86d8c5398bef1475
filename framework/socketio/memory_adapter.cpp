#include <corio/adapter.hpp>

#include <mutex>
#include <unordered_map>
#include <unordered_set>

namespace corio {

namespace {

class memory_adapter final : public adapter {
public:
    void join(const std::string& sid, const std::string& room) override
    {
        std::lock_guard lock(mutex_);
        rooms_[room].insert(sid);
        sockets_[sid].insert(room);
    }

    void leave(const std::string& sid, const std::string& room) override
    {
        std::lock_guard lock(mutex_);
        remove(sid, room);
        if (auto it = sockets_.find(sid); it != sockets_.end()) {
            it->second.erase(room);
            if (it->second.empty())
                sockets_.erase(it);
        }
    }

    void leave_all(const std::string& sid) override
    {
        std::lock_guard lock(mutex_);
        auto it = sockets_.find(sid);
        if (it == sockets_.end())
            return;
        for (const auto& room : it->second)
            remove(sid, room);
        sockets_.erase(it);
    }

    std::vector<std::string> rooms_of(const std::string& sid) const override
    {
        std::lock_guard lock(mutex_);
        auto it = sockets_.find(sid);
        if (it == sockets_.end())
            return {};
        return {it->second.begin(), it->second.end()};
    }

    std::vector<std::string> select(const room_selector& selector) const override
    {
        std::vector<std::string> out;
        for_each_selected(selector, [&](const std::string& sid) { out.push_back(sid); });
        return out;
    }

    void for_each_selected(const room_selector& selector,
                           const std::function<void(const std::string&)>& visit) const override
    {
        std::lock_guard lock(mutex_);
        std::vector<const std::unordered_set<std::string>*> excluded;
        for (const auto& room : selector.except)
            if (auto it = rooms_.find(room); it != rooms_.end())
                excluded.push_back(&it->second);
        auto pick = [&](const std::string& sid) {
            for (const auto* members : excluded)
                if (members->contains(sid))
                    return;
            visit(sid);
        };
        if (selector.rooms.empty()) {
            for (const auto& [sid, rooms] : sockets_)
                pick(sid);
        } else if (selector.rooms.size() == 1) {
            // Hot path (a broadcast to one room): its members are distinct,
            // so no set of ids is built.
            if (auto it = rooms_.find(*selector.rooms.begin()); it != rooms_.end())
                for (const auto& sid : it->second)
                    pick(sid);
        } else {
            // Views of the ids stored in rooms_, which the lock keeps alive.
            std::unordered_set<std::string_view> seen;
            for (const auto& room : selector.rooms)
                if (auto it = rooms_.find(room); it != rooms_.end())
                    for (const auto& sid : it->second)
                        if (seen.insert(sid).second)
                            pick(sid);
        }
    }

    std::vector<std::string> rooms() const override
    {
        std::lock_guard lock(mutex_);
        std::vector<std::string> out;
        out.reserve(rooms_.size());
        for (const auto& [room, members] : rooms_)
            out.push_back(room);
        return out;
    }

private:
    // Caller holds mutex_.
    void remove(const std::string& sid, const std::string& room)
    {
        auto it = rooms_.find(room);
        if (it == rooms_.end())
            return;
        it->second.erase(sid);
        if (it->second.empty())
            rooms_.erase(it);
    }

    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::unordered_set<std::string>> rooms_;
    std::unordered_map<std::string, std::unordered_set<std::string>> sockets_;
};

} // namespace

std::unique_ptr<adapter> make_memory_adapter()
{
    return std::make_unique<memory_adapter>();
}

} // namespace corio
