#pragma once
// One server's membership of a Redis cluster: the node id, the two
// connections, the routing of subscribed messages to each namespace's link,
// and the counters. The adapters of all namespaces share it.

#include "cluster_link.hpp"

#include <corio/redis/adapter.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/result.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>

namespace corio::redis::detail {

/// The protocol of a cluster, with the options of either variant.
struct hub_settings {
    bool sharded = false;
    /// `key` (classic) or `channelPrefix` (sharded).
    std::string key;
    std::chrono::milliseconds requests_timeout;
    bool publish_on_specific_response_channel = false; // classic
    subscription_mode mode = subscription_mode::dynamic; // sharded
    logger log;
};

class cluster_hub final : public cluster, public std::enable_shared_from_this<cluster_hub> {
public:
    cluster_hub(std::shared_ptr<connection> pub, std::shared_ptr<subscriber> sub, hub_settings settings);

    /// Installs the subscriber's message handler; once, after construction.
    void start();

    adapter_factory factory() override;
    const std::string& uid() const noexcept override { return uid_; }
    adapter_stats stats() const noexcept override;

    const hub_settings& settings() const noexcept { return settings_; }
    boost::asio::any_io_executor get_executor() const { return pub_->get_executor(); }

    /// How a channel is subscribed to.
    enum class family { channel, pattern, shard };
    /// Routes messages of `channel` (a pattern, for family::pattern) to
    /// `link` in `role`, and subscribes to it.
    void subscribe(const std::shared_ptr<cluster_link>& link, std::string channel, channel_role role, family f);
    void unsubscribe(const std::string& channel, family f);

    /// Whether both connections are up, so that requests can be answered.
    bool reachable() const noexcept { return pub_->connected() && sub_->connected(); }
    /// Publishes `payload` on `channel` (PUBLISH, or SPUBLISH when sharded)
    /// if the command connection is up; otherwise counts it unpublished and
    /// returns false. `done`, when given, gets the outcome.
    bool publish(std::string channel, std::string payload,
                 std::function<void(boost::system::error_code)> done = {});
    /// How many servers subscribe to `channel` (PUBSUB NUMSUB, or
    /// SHARDNUMSUB when sharded), this one included;
    /// error::cluster_unavailable when unreachable.
    void server_count(const std::string& channel, std::function<void(boost::system::result<std::size_t>)> done);

    /// A new id for a node or a request: 6 characters as Node's uid2(6)
    /// (classic), or 16 hex digits as socket.io-adapter's randomId()
    /// (sharded).
    std::string make_id();
    void count_malformed(std::string_view what);
    void count_request_timeout() noexcept { request_timeouts_.fetch_add(1, std::memory_order_relaxed); }
    void log(const log_record& r) const { settings_.log(r); }

private:
    void on_message(const message& m);
    void count_unpublished();

    struct route {
        std::weak_ptr<cluster_link> link;
        channel_role role;
    };

    std::shared_ptr<connection> pub_;
    std::shared_ptr<subscriber> sub_;
    hub_settings settings_;

    std::mutex id_mutex_;
    std::mt19937_64 random_;
    std::string uid_;

    mutable std::mutex routes_mutex_;
    /// By channel, or by pattern for PSUBSCRIBE.
    std::unordered_map<std::string, route> routes_;

    std::atomic<std::uint64_t> published_{0};
    std::atomic<std::uint64_t> unpublished_{0};
    std::atomic<std::uint64_t> malformed_{0};
    std::atomic<std::uint64_t> received_{0};
    std::atomic<std::uint64_t> request_timeouts_{0};
    /// Unpublished since the last warning, and when that was (rate limit).
    std::atomic<std::uint64_t> unpublished_unreported_{0};
    std::atomic<std::chrono::steady_clock::rep> last_warning_{0};
};

} // namespace corio::redis::detail
