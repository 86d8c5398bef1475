#include "socketio/admin_ui_sessions.hpp"

#include <sys/random.h>

#include <array>
#include <cstdint>
#include <stdexcept>

namespace corio::detail {

std::string admin_ui_sessions::open()
{
    std::array<std::uint8_t, 8> bytes{};
    if (getrandom(bytes.data(), bytes.size(), 0) != static_cast<ssize_t>(bytes.size()))
        throw std::runtime_error("admin_ui_sessions: getrandom failed");
    static constexpr char hex[] = "0123456789abcdef";
    std::string id;
    for (auto b : bytes) {
        id += hex[b >> 4];
        id += hex[b & 0xF];
    }
    const auto now = clock::now();
    std::lock_guard lock(mutex_);
    drop_expired(now);
    expiry_[id] = now + lifetime_;
    return id;
}

bool admin_ui_sessions::valid(std::string_view id)
{
    const auto now = clock::now();
    std::lock_guard lock(mutex_);
    drop_expired(now);
    return expiry_.contains(std::string(id));
}

void admin_ui_sessions::drop_expired(clock::time_point now)
{
    std::erase_if(expiry_, [now](const auto& entry) { return entry.second <= now; });
}

} // namespace corio::detail
