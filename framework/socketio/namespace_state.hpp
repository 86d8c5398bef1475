#pragma once

#include <corio/adapter.hpp>
#include <corio/handlers.hpp>

#include "socketio/socket_state.hpp"

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace corio::detail {

class server_state;

/// A namespace: handlers (set up before connections arrive, read-only
/// after), the sockets connected to it and its rooms.
class namespace_state : public std::enable_shared_from_this<namespace_state> {
public:
    namespace_state(server_state& server, std::string name);

    const std::string& name() const noexcept { return name_; }
    server_state& server() const noexcept { return server_; }
    corio::adapter& adapter() const noexcept { return *adapter_; }

    // Handlers.
    std::unordered_map<std::string, event_handler> handlers;
    event_handler any;
    event_handler fallback;
    connect_handler on_connect;
    std::vector<connect_handler> middlewares;
    disconnect_handler on_disconnect;
    error_handler on_error;
    std::vector<outgoing_handler> outgoing;
    bool concurrent = false;

    // Sockets; any thread.
    void add(const std::shared_ptr<socket_state>& s);
    void remove(const std::string& sid);
    std::shared_ptr<socket_state> find(const std::string& sid) const;
    std::size_t size() const;
    /// The connected sockets the adapter selects, but `skip` and `self`.
    std::vector<std::shared_ptr<socket_state>> select(const room_selector& selector,
                                                      const std::optional<std::string>& skip,
                                                      const std::optional<std::string>& self) const;

    /// Tells the outgoing hooks about an emit.
    void notify_outgoing(const socket_ref& s, std::string_view event, const arguments& args) const;

private:
    server_state& server_;
    std::string name_;
    std::unique_ptr<corio::adapter> adapter_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<socket_state>> sockets_;
};

} // namespace corio::detail
