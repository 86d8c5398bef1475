#pragma once

#include <corio/adapter.hpp>
#include <corio/handlers.hpp>

#include "socketio/server_context.hpp"
#include "socketio/socket_state.hpp"

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace corio::detail {

class namespace_registry;

/// A namespace: handlers (set up before connections arrive, read-only
/// after), this server's sockets of it, and its adapter, which holds the
/// rooms and does every broadcast. It is the adapter's local_namespace.
class namespace_state final : public local_namespace, public std::enable_shared_from_this<namespace_state> {
public:
    namespace_state(std::shared_ptr<server_context> context, std::string name);

    const std::string& name() const noexcept override { return name_; }
    protocol::encoded_socket_packet encode(const protocol::socket_packet& packet, bool compress = true) const override
    {
        return context_->encode(packet, compress);
    }
    server_context& context() const noexcept { return *context_; }
    corio::adapter& adapter() const noexcept { return *adapter_; }

    // Handlers.
    std::unordered_map<std::string, event_handler_forms> handlers;
    event_handler any;
    event_handler fallback;
    connect_handler on_connect;
    std::vector<connect_handler> middlewares;
    disconnect_handler on_disconnect;
    error_handler on_error;
    std::vector<outgoing_handler> outgoing;
    std::unordered_map<std::string, server_event_handler> server_handlers;
    bool concurrent = false;
    /// nsp::state_recovery's, else server_options::recovery applies.
    std::optional<state_recovery_options> recovery_override;
    /// Drops the handlers above, and with them the handles they captured.
    void drop_handlers();

    // This server's sockets; any thread.
    void add(const std::shared_ptr<socket_state>& s);
    void remove(const std::string& sid);
    std::shared_ptr<socket_state> find(const std::string& sid) const;
    /// Connected sockets.
    std::size_t size() const;
    std::vector<std::shared_ptr<socket_state>> sockets() const;

    /// One socket that counted as a user of this namespace (see
    /// namespace_registry::acquire_for_connect) is done with it.
    void release_user();

    /// Whether an outgoing hook or a server_observer wants to hear of emits.
    bool watches_outgoing() const noexcept { return !outgoing.empty() || context_->observers_want_events; }
    /// Tells the outgoing hooks and the observers about an emit.
    void notify_outgoing(const socket_ref& s, std::string_view event, const arguments& args) const;

    // local_namespace
    void on_server_event(arguments args, bool wants_reply, std::function<void(arguments)> reply) override;
    void room_joined(const std::string& sid, const std::string& room) override;
    void room_left(const std::string& sid, const std::string& room) override;
    const state_recovery_options& recovery() const noexcept override
    {
        return recovery_override ? *recovery_override : context_->options().recovery;
    }
    void recovery_dropped(const recovery_drops& drops) override { context_->count_recovery_drops(drops); }

private:
    friend class namespace_registry;

    std::shared_ptr<server_context> context_;
    std::string name_;
    // Set by the registry when it creates the namespace; guarded by its mutex.
    std::weak_ptr<namespace_registry> registry_;
    bool dynamic_ = false;
    std::size_t users_ = 0; // sockets connecting or connected

    std::unique_ptr<corio::adapter> adapter_;
    mutable std::mutex mutex_;
    // Keyed by a view of the socket's own id, which is fixed once the
    // socket is added (socket_state::adopt comes before): no second copy of
    // each id.
    std::unordered_map<std::string_view, std::shared_ptr<socket_state>> sockets_;
};

} // namespace corio::detail
