#pragma once
// The Admin UI's logins: a session id per successful login, which the UI
// stores and presents again when its page reloads (auth `{sessionId}`).

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace corio::detail {

/// @par Thread safety
/// Any thread.
class admin_ui_sessions {
public:
    explicit admin_ui_sessions(std::chrono::seconds lifetime) : lifetime_(lifetime) {}

    /// A new session id: 16 hex digits from the system's CSPRNG, valid for
    /// the lifetime from now.
    std::string open();
    /// Whether `id` was opened here and has not expired.
    bool valid(std::string_view id);

private:
    using clock = std::chrono::steady_clock;
    void drop_expired(clock::time_point now);

    std::chrono::seconds lifetime_;
    std::mutex mutex_;
    std::unordered_map<std::string, clock::time_point> expiry_;
};

} // namespace corio::detail
