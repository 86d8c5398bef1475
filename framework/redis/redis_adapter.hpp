#pragma once
// The adapter of one namespace in a Redis cluster: the in-memory adapter for
// this server's part of each operation, plus the namespace's link to Redis
// (classic, sharded or streams) for the other servers' part.

#include "cluster_link.hpp"
#include "streams_link.hpp"

#include <corio/memory_adapter.hpp>

#include <memory>

namespace corio::redis::detail {

class redis_adapter final : public memory_adapter {
public:
    explicit redis_adapter(local_namespace& nsp) : memory_adapter(nsp) {}
    ~redis_adapter() override;

    /// Takes `link` as the way to the other servers, and subscribes it;
    /// once, before the adapter is used.
    void attach(std::shared_ptr<cluster_link> link);

    void broadcast(const protocol::socket_packet& packet, const broadcast_options& opts) override;
    void broadcast_with_ack(const protocol::socket_packet& packet, const broadcast_options& opts,
                            std::chrono::milliseconds timeout, std::shared_ptr<broadcast_ack_sink> sink) override;
    void fetch_sockets(const broadcast_options& opts,
                       std::shared_ptr<reply_sink<std::vector<socket_info>>> sink) override;
    void add_sockets(const broadcast_options& opts, std::vector<std::string> rooms, adapter_completion done) override;
    void del_sockets(const broadcast_options& opts, std::vector<std::string> rooms, adapter_completion done) override;
    void disconnect_sockets(const broadcast_options& opts, bool close_connection, adapter_completion done) override;
    void server_side_emit(const arguments& args, std::shared_ptr<reply_sink<arguments>> sink) override;
    /// Sessions are kept in Redis on the streams variant. Over Pub/Sub (as
    /// in Node's classic and sharded adapters) nothing is kept, and every
    /// restore fails.
    void persist_session(persisted_session s) override;
    void restore_session(std::string pid, std::string offset,
                         std::function<void(std::optional<restored_session>)> done) override;

    // What other servers ask of this one: the link calls these while the
    // adapter is attached. -----------------------------------------------------------
    using memory_adapter::add_sockets_local;
    using memory_adapter::broadcast_local;
    using memory_adapter::broadcast_with_ack_local;
    using memory_adapter::del_sockets_local;
    using memory_adapter::disconnect_local;
    using memory_adapter::fetch_local;
    using memory_adapter::local;

private:
    void room_created(const std::string& room, bool socket_room) override;
    void room_deleted(const std::string& room, bool socket_room) override;

    std::shared_ptr<cluster_link> link_;
    /// link_, when it is the streams variant's.
    std::shared_ptr<streams_link> streams_;
};

} // namespace corio::redis::detail
