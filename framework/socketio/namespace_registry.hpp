#pragma once
// The namespaces of one server: static ones, and the dynamic matchers that
// create a namespace at its first CONNECT.

#include <corio/nsp.hpp>

#include "socketio/namespace_state.hpp"
#include "socketio/server_context.hpp"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace corio::detail {

/// @par Thread safety
/// Any thread.
class namespace_registry {
public:
    /// Creates "/", which always exists.
    explicit namespace_registry(std::shared_ptr<server_context> context);

    /// The namespace `name`, created on first use.
    std::shared_ptr<namespace_state> of(const std::string& name);
    /// The namespace for a CONNECT to `name`: static, or created by a dynamic
    /// matcher; nullptr when none.
    std::shared_ptr<namespace_state> find_for_connect(const std::string& name);
    void add_dynamic(std::function<bool(std::string_view)> match, std::function<void(nsp)> setup);
    std::vector<std::shared_ptr<namespace_state>> all() const;

private:
    std::shared_ptr<server_context> context_;
    mutable std::mutex mutex_;
    std::map<std::string, std::shared_ptr<namespace_state>> namespaces_;
    std::vector<std::pair<std::function<bool(std::string_view)>, std::function<void(nsp)>>> dynamic_;
};

} // namespace corio::detail
