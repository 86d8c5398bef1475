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
///
/// @par Lifetime
/// Owned by a shared_ptr (its namespaces hold a weak one to report their
/// users leaving).
class namespace_registry : public std::enable_shared_from_this<namespace_registry> {
public:
    /// Creates "/", which always exists.
    explicit namespace_registry(std::shared_ptr<server_context> context);
    /// Drops every handler (see namespace_state::drop_handlers).
    ~namespace_registry();

    /// The namespace `name`, created on first use.
    std::shared_ptr<namespace_state> of(const std::string& name);
    /// The namespace for a CONNECT to `name`: static, or created by a dynamic
    /// matcher; nullptr when none. The caller's socket counts as one of its
    /// users until it calls release(), so that a dynamic namespace is not
    /// removed while a socket connects to it.
    std::shared_ptr<namespace_state> acquire_for_connect(const std::string& name);
    /// A socket of `ns` left (or was refused): once a dynamic namespace has
    /// no user left, it is removed (server_options::cleanup_empty_dynamic_namespaces).
    void release(namespace_state& ns);
    void add_dynamic(std::function<bool(std::string_view)> match, std::function<void(nsp)> setup);
    std::vector<std::shared_ptr<namespace_state>> all() const;
    std::size_t size() const;

private:
    std::shared_ptr<server_context> context_;
    mutable std::mutex mutex_;
    std::map<std::string, std::shared_ptr<namespace_state>> namespaces_;
    std::vector<std::pair<std::function<bool(std::string_view)>, std::function<void(nsp)>>> dynamic_;
};

} // namespace corio::detail
