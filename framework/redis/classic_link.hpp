#pragma once
// A namespace's link on the classic Pub/Sub protocol of Node's
// @socket.io/redis-adapter 8.x: broadcasts on `key#nsp#...` (one pattern
// subscription), requests on `key-request#nsp#`, responses on
// `key-response#nsp#` or the requester's own.

#include "adapter_wire.hpp"
#include "cluster_link.hpp"

namespace corio::redis::detail {

class classic_link final : public cluster_link {
public:
    classic_link(std::shared_ptr<cluster_hub> hub, std::string nsp, redis_adapter& owner);

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

private:
    void unsubscribe_all() override;

    void on_broadcast(std::string_view channel, std::string_view payload);
    void on_request(std::string_view payload);
    void on_response(std::string_view payload);
    /// Carries out another server's request on this one's sockets.
    void apply_request(redis_adapter& a, protocol::msgpack::document message);
    /// Publishes a response to a request of `requester`.
    void respond(std::string_view requester, std::string payload);

    wire::channels channels_;
};

} // namespace corio::redis::detail
