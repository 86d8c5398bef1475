#pragma once
// A namespace's link on the sharded protocol (Node's createShardedAdapter,
// socket.io-adapter's ClusterAdapter messages over SPUBLISH/SSUBSCRIBE):
// every message on `prefix#nsp#` or a room's `prefix#nsp#room#`, responses on
// the requester's `prefix#nsp#uid#`. streams_link builds on it: the same
// messages, with some of them going through a stream instead.

#include "cluster_hub.hpp"
#include "cluster_link.hpp"
#include "sharded_wire.hpp"

#include <corio/protocol/msgpack.hpp>

#include <mutex>
#include <set>
#include <utility>

namespace corio::redis::detail {

class sharded_link : public cluster_link {
public:
    sharded_link(std::shared_ptr<cluster_hub> hub, std::string nsp, redis_adapter& owner);

    void attach() override;
    void on_message(channel_role role, std::string_view channel, std::string_view payload) override;

    void broadcast(const protocol::socket_packet& packet, const broadcast_options& opts) override;
    void broadcast_with_ack(const protocol::socket_packet& packet, const broadcast_options& opts,
                            std::chrono::milliseconds timeout, std::shared_ptr<broadcast_ack_sink> sink) override;
    void fetch(const broadcast_options& opts, std::vector<socket_info> local,
               std::shared_ptr<reply_sink<std::vector<socket_info>>> sink) override;
    void server_side_emit(const arguments& args, std::shared_ptr<reply_sink<arguments>> sink) override;
    void publish_operation(remote_operation op, const broadcast_options& opts, const std::vector<std::string>& rooms,
                           bool close, adapter_completion done) override;

    void room_created(const std::string& room, bool socket_room) override;
    void room_deleted(const std::string& room, bool socket_room) override;

protected:
    void unsubscribe_all() override;

    /// Carries out another server's message on this one's sockets. A
    /// broadcast's `offset`, when not empty, is appended to each event that
    /// carries one (connection state recovery on, no ack, not volatile).
    void apply(redis_adapter& a, int type, const std::string& from, boost::json::object& data,
               std::vector<std::string> attachments, std::string_view offset = {});
    void on_response(int type, const boost::json::object& data, std::vector<std::string> attachments);
    /// Publishes a response to a request of `requester`.
    void respond(std::string_view requester, sharded_wire::message_type type, boost::json::object data,
                 const std::vector<std::string>& attachments = {});
    /// The type and data of a remote join, leave or disconnect.
    static std::pair<sharded_wire::message_type, boost::json::object>
    operation_message(remote_operation op, const broadcast_options& opts, const std::vector<std::string>& rooms,
                      bool close);
    /// Sends a remote join, leave or disconnect to the other servers: on
    /// the namespace's channel here.
    virtual void send_operation(sharded_wire::message_type type, boost::json::object data, adapter_completion done);
    /// A Pub/Sub message: JSON, or msgpack when it has binary.
    virtual std::string encode(sharded_wire::message_type type, boost::json::object data,
                               const std::vector<std::string>& attachments = {}) const;

    sharded_wire::channels channels_;

private:
    subscription_mode mode_;
    /// SSUBSCRIBE, or SUBSCRIBE for the streams variant.
    cluster_hub::family family_;

    /// The room channels subscribed to, so that detach() drops them all.
    std::mutex rooms_mutex_;
    std::set<std::string> room_channels_;
};

} // namespace corio::redis::detail
