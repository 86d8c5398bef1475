#pragma once
// The Redis emitter: reaches the sockets of a cluster from a process that is
// not one of its servers (a worker, a REST backend), as Node's
// @socket.io/redis-emitter 5.x does, on the same wire.

#include <corio/arguments.hpp>
#include <corio/redis/connection.hpp>

#include <boost/system/error_code.hpp>

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace corio::redis {

struct emitter_options {
    /// The channel prefix of the cluster (the adapters' `key`).
    std::string key = "socket.io";
    /// Told when a message could not be published (Redis away longer than
    /// the connection's queue lasts). Called on the connection's strand.
    /// Empty: such messages are dropped silently.
    std::function<void(boost::system::error_code)> on_error;
};

/// Publishes broadcasts and operations for the servers of a cluster. Each
/// operation is sent once, in call order, on the given command connection
/// (which queues while Redis is away). There are no acknowledgements: an
/// emitter is not a server and takes no replies, as Node's.
///
/// A value type: to(), except() and of() return a new emitter that shares
/// the connection.
///
/// @par Thread safety
/// Any thread; a given emitter value is not modified by its operations.
class emitter {
public:
    /// An emitter for namespace "/".
    emitter(std::shared_ptr<connection> conn, emitter_options opts = {});

    /// The same emitter for namespace `nsp` (e.g. "/chat"), with no rooms.
    emitter of(std::string nsp) const;
    /// Adds `room` to the rooms targeted (every socket when none).
    emitter to(std::string room) const;
    emitter in(std::string room) const { return to(std::move(room)); }
    /// Leaves out the sockets in `room`.
    emitter except(std::string room) const;
    /// Dropped for recipients whose transport is busy.
    emitter volatile_() const;

    /// Emits `event(args...)` to the targeted sockets. Throws
    /// std::invalid_argument for an event name socket.io reserves
    /// ("connect", "disconnect", ...).
    template <class... Args>
    void emit(std::string_view event, Args&&... args) const
    {
        emit_arguments(event, arguments::of(std::forward<Args>(args)...));
    }
    void emit_arguments(std::string_view event, arguments args) const;

    /// The targeted sockets join `rooms`.
    void sockets_join(std::vector<std::string> rooms) const;
    /// The targeted sockets leave `rooms`.
    void sockets_leave(std::vector<std::string> rooms) const;
    /// The targeted sockets leave the namespace; with `close_connection`,
    /// their whole connection closes too.
    void disconnect_sockets(bool close_connection = false) const;
    /// Runs the servers' handler of `event` (nsp::on_server_event).
    template <class... Args>
    void server_side_emit(std::string_view event, Args&&... args) const
    {
        server_side_emit_arguments(event, arguments::of(std::forward<Args>(args)...));
    }
    void server_side_emit_arguments(std::string_view event, arguments args) const;

private:
    void publish(std::string channel, std::string payload) const;
    void publish_request(int type, boost::json::object fields) const;

    std::shared_ptr<connection> conn_;
    std::shared_ptr<const emitter_options> opts_;
    std::string nsp_ = "/";
    std::set<std::string> rooms_;
    std::set<std::string> except_;
    bool volatile_flag_ = false;
};

} // namespace corio::redis
