#pragma once
// One namespace's presence in the cluster: its channels, the requests it is
// waiting on, and the way back from Redis to its adapter. It outlives the
// adapter for as long as replies or timers may still arrive.

#include "adapter_wire.hpp"

#include <corio/adapter.hpp>

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace corio::redis::detail {

class cluster_hub;
class redis_adapter;

class namespace_link final : public std::enable_shared_from_this<namespace_link> {
public:
    namespace_link(std::shared_ptr<cluster_hub> hub, std::string nsp, redis_adapter& owner);

    cluster_hub& hub() const noexcept { return *hub_; }
    const std::string& nsp() const noexcept { return nsp_; }
    const wire::channels& channels() const noexcept { return channels_; }

    /// The adapter is going away: no more messages reach it.
    void detach();

    // From Redis (the subscriber's strand). -------------------------------------
    void on_broadcast(std::string_view channel, std::string_view payload);
    void on_request(std::string_view payload);
    void on_response(std::string_view payload);

    // Requests of this server. ------------------------------------------------------
    void fetch(const broadcast_options& opts, std::vector<socket_info> local,
               std::shared_ptr<reply_sink<std::vector<socket_info>>> sink);
    void server_side_emit(const arguments& args, std::shared_ptr<reply_sink<arguments>> sink);
    void broadcast_with_ack(const protocol::socket_packet& packet, const broadcast_options& opts,
                            std::chrono::milliseconds timeout, std::shared_ptr<broadcast_ack_sink> sink);
    /// Publishes a REMOTE_JOIN, REMOTE_LEAVE or REMOTE_DISCONNECT for the
    /// sockets `opts` selects, with `fields` (its rooms, or close); with
    /// `opts.local`, only completes.
    void publish_operation(wire::request_type type, const broadcast_options& opts, boost::json::object fields,
                           adapter_completion done);

    /// Whether this server made request `id` (so it ignores its echo).
    bool is_own_request(std::string_view id) const;

    /// Publishes a response to a request of `requester`.
    void respond(std::string_view requester, std::string payload);

private:
    struct pending {
        std::weak_ptr<reply_sink<std::vector<socket_info>>> fetch;
        std::weak_ptr<reply_sink<arguments>> emit;
        std::weak_ptr<broadcast_ack_sink> acks;
    };

    /// Registers a request and returns its id; when `timed`, it fails with
    /// error::cluster_timeout after requests_timeout.
    std::string add_pending(pending p, bool timed);
    void fail_pending(const std::string& id, boost::system::error_code ec);
    /// Counts the other servers, publishes `payload` on the request channel,
    /// then calls `sent(servers)`; fails the pending request on any error.
    void send_request(std::string id, std::string payload, std::function<void(std::size_t servers)> sent);

    std::shared_ptr<cluster_hub> hub_;
    std::string nsp_;
    wire::channels channels_;

    /// Held shared while a message from Redis is being handled by the
    /// adapter, exclusive to detach it.
    std::shared_mutex owner_mutex_;
    redis_adapter* owner_;

    mutable std::mutex pending_mutex_;
    std::unordered_map<std::string, pending> pending_;
};

} // namespace corio::redis::detail
