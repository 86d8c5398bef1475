#pragma once
// One namespace's presence in the cluster, whichever variant of the protocol
// carries it: the other servers' part of the adapter's operations, the
// requests it is waiting on, and the way back from Redis to the adapter. It
// outlives the adapter for as long as replies or timers may still arrive.

#include <corio/adapter.hpp>
#include <corio/protocol/socket_packet.hpp>

#include <boost/system/error_code.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace corio::redis::detail {

struct request_progress;

class cluster_hub;
class redis_adapter;

/// What a subscribed channel carries to its link.
enum class channel_role { broadcast, request, response };

/// What a remote operation does to the sockets it selects.
enum class remote_operation { join, leave, disconnect };

class cluster_link : public std::enable_shared_from_this<cluster_link> {
public:
    cluster_link(std::shared_ptr<cluster_hub> hub, std::string nsp, redis_adapter& owner);
    virtual ~cluster_link() = default;
    cluster_link(const cluster_link&) = delete;
    cluster_link& operator=(const cluster_link&) = delete;

    cluster_hub& hub() const noexcept { return *hub_; }
    const std::string& nsp() const noexcept { return nsp_; }

    /// Subscribes to the namespace's channels; once, after construction.
    virtual void attach() = 0;
    /// The adapter is going away: unsubscribes, and no more messages reach
    /// it.
    void detach();

    /// A message from Redis (the subscriber's strand).
    virtual void on_message(channel_role role, std::string_view channel, std::string_view payload) = 0;

    // The other servers' part of the adapter's operations; this server's
    // part is the adapter's own. -----------------------------------------------------
    virtual void broadcast(const protocol::socket_packet& packet, const broadcast_options& opts) = 0;
    /// Reports the other servers (sink->expect_servers) and their sockets.
    virtual void broadcast_with_ack(const protocol::socket_packet& packet, const broadcast_options& opts,
                                    std::chrono::milliseconds timeout, std::shared_ptr<broadcast_ack_sink> sink) = 0;
    /// Replies `local` (this server's part) and every other server's.
    virtual void fetch(const broadcast_options& opts, std::vector<socket_info> local,
                       std::shared_ptr<reply_sink<std::vector<socket_info>>> sink) = 0;
    /// Without a sink, expects no reply.
    virtual void server_side_emit(const arguments& args, std::shared_ptr<reply_sink<arguments>> sink) = 0;
    /// Has the other servers join `rooms`, leave `rooms`, or disconnect
    /// (closing the connection when `close`) the sockets `opts` selects;
    /// with `opts.local`, only completes.
    virtual void publish_operation(remote_operation op, const broadcast_options& opts,
                                   const std::vector<std::string>& rooms, bool close, adapter_completion done) = 0;

    /// A room of this server appeared or went away (the adapter's rooms
    /// lock is held: no calls back into it).
    virtual void room_created(const std::string& /*room*/, bool /*socket_room*/) {}
    virtual void room_deleted(const std::string& /*room*/, bool /*socket_room*/) {}

protected:
    /// Where the replies of one request of this server go.
    struct pending {
        std::weak_ptr<reply_sink<std::vector<socket_info>>> fetch;
        std::weak_ptr<reply_sink<arguments>> emit;
        std::weak_ptr<broadcast_ack_sink> acks;
        /// Of a timed request: the other servers' replies, to tell one that
        /// timed out from one that was answered (its sink is gone either
        /// way once it ended).
        std::shared_ptr<request_progress> progress;
    };
    /// A reply from another server to the timed request `p` arrived.
    static void count_reply(const pending& p) noexcept;

    /// Runs `f(adapter)` unless the adapter was detached, which waits
    /// meanwhile.
    template <class F>
    void with_owner(F&& f)
    {
        std::shared_lock lock(owner_mutex_);
        if (owner_)
            f(*owner_);
    }

    /// Registers a request and returns its id; when `timed`, it fails with
    /// error::cluster_timeout after requests_timeout. Requests otherwise
    /// end by their sinks' own deadlines. Without both connections to
    /// Redis up, fails the sinks with error::cluster_unavailable instead
    /// and returns nullopt: a request is never answered from this server's
    /// data alone.
    std::optional<std::string> add_pending(pending p, bool timed);
    /// The sinks of request `id` while it is pending.
    std::optional<pending> find_pending(const std::string& id) const;
    void fail_pending(const std::string& id, boost::system::error_code ec);
    /// The deadline of timed request `id`: fails it with
    /// error::cluster_timeout, counting it if unanswered.
    void time_out(const std::string& id);
    /// Whether this server made request `id` (so it ignores its echo).
    bool is_own_request(std::string_view id) const;
    /// Counts the servers subscribed to `channel` (this one included),
    /// publishes `payload` on it, then calls `sent(servers)`; fails the
    /// pending request `id` on any error.
    void send_request(std::string id, std::string channel, std::string payload,
                      std::function<void(std::size_t servers)> sent);

    /// The hub's subscriptions for this link, undone by detach().
    virtual void unsubscribe_all() = 0;

private:
    static void fail_sinks(const pending& p, boost::system::error_code ec);
    /// A timed request that ended (its deadline, or its sink's) without
    /// every other server's reply: counted once, by whichever of the
    /// deadline and the sweep of ended requests finds it.
    void count_if_unanswered(const pending& p) const noexcept;

    std::shared_ptr<cluster_hub> hub_;
    std::string nsp_;

    /// Held shared while a message from Redis is being handled by the
    /// adapter, exclusive to detach it.
    std::shared_mutex owner_mutex_;
    redis_adapter* owner_;

    mutable std::mutex pending_mutex_;
    std::unordered_map<std::string, pending> pending_;
};

} // namespace corio::redis::detail
