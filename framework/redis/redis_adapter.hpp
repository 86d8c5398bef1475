#pragma once
// The adapter of one namespace in a Redis cluster: the in-memory adapter for
// this server's part of each operation, plus the namespace's link to Redis
// for the other servers' part.

#include "namespace_link.hpp"

#include <corio/memory_adapter.hpp>

#include <memory>

namespace corio::redis::detail {

class redis_adapter final : public memory_adapter {
public:
    redis_adapter(local_namespace& nsp, std::shared_ptr<cluster_hub> hub);
    ~redis_adapter() override;

    void broadcast(const protocol::socket_packet& packet, const broadcast_options& opts) override;
    void broadcast_with_ack(const protocol::socket_packet& packet, const broadcast_options& opts,
                            std::chrono::milliseconds timeout, std::shared_ptr<broadcast_ack_sink> sink) override;
    void fetch_sockets(const broadcast_options& opts,
                       std::shared_ptr<reply_sink<std::vector<socket_info>>> sink) override;
    void add_sockets(const broadcast_options& opts, std::vector<std::string> rooms, adapter_completion done) override;
    void del_sockets(const broadcast_options& opts, std::vector<std::string> rooms, adapter_completion done) override;
    void disconnect_sockets(const broadcast_options& opts, bool close_connection, adapter_completion done) override;
    void server_side_emit(const arguments& args, std::shared_ptr<reply_sink<arguments>> sink) override;

    // What other servers ask of this one (namespace_link calls these while
    // the adapter is attached). -----------------------------------------------------
    void apply_broadcast(const protocol::socket_packet& packet, const broadcast_options& opts);
    void apply_request(protocol::msgpack::document message);

private:
    std::shared_ptr<namespace_link> link_;
};

} // namespace corio::redis::detail
