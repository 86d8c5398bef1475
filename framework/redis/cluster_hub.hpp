#pragma once
// One server's membership of a Redis cluster: the node id, the two
// connections, the routing of subscribed messages to each namespace's link,
// and the counters. The adapters of all namespaces share it.

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

class namespace_link;

class cluster_hub final : public cluster, public std::enable_shared_from_this<cluster_hub> {
public:
    cluster_hub(std::shared_ptr<connection> pub, std::shared_ptr<subscriber> sub, adapter_options opts);

    /// Installs the subscriber's message handler; once, after construction.
    void start();

    adapter_factory factory() override;
    const std::string& uid() const noexcept override { return uid_; }
    adapter_stats stats() const noexcept override;

    const adapter_options& options() const noexcept { return opts_; }
    boost::asio::any_io_executor get_executor() const { return pub_->get_executor(); }

    /// Routes the link's channels to it and subscribes to them.
    void attach(const std::shared_ptr<namespace_link>& link);
    /// Unsubscribes the link's channels.
    void detach(const namespace_link& link);

    /// Whether both connections are up, so that requests can be answered.
    bool reachable() const noexcept { return pub_->connected() && sub_->connected(); }
    /// Publishes `payload` on `channel` if the command connection is up;
    /// otherwise counts it unpublished and returns false. `done`, when
    /// given, gets the outcome of the PUBLISH.
    bool publish(std::string channel, std::string payload,
                 std::function<void(boost::system::error_code)> done = {});
    /// How many servers subscribe to `request_channel` (PUBSUB NUMSUB),
    /// this one included; error::cluster_unavailable when unreachable.
    void server_count(const std::string& request_channel,
                      std::function<void(boost::system::result<std::size_t>)> done);

    /// A new 6-character id, as Node's uid2(6).
    std::string make_id();
    void count_malformed(std::string_view what);
    void log(log_level level, std::string_view text) const;

private:
    void on_message(const message& m);
    void count_unpublished();

    struct route {
        std::weak_ptr<namespace_link> link;
        enum class kind { broadcast, request, response } what;
    };

    std::shared_ptr<connection> pub_;
    std::shared_ptr<subscriber> sub_;
    adapter_options opts_;
    std::string uid_;

    std::mutex id_mutex_;
    std::mt19937_64 random_;

    mutable std::mutex routes_mutex_;
    /// By channel for SUBSCRIBE, by pattern for PSUBSCRIBE.
    std::unordered_map<std::string, route> routes_;

    std::atomic<std::uint64_t> published_{0};
    std::atomic<std::uint64_t> unpublished_{0};
    std::atomic<std::uint64_t> malformed_{0};
    /// Unpublished since the last warning, and when that was (rate limit).
    std::atomic<std::uint64_t> unpublished_unreported_{0};
    std::atomic<std::chrono::steady_clock::rep> last_warning_{0};
};

} // namespace corio::redis::detail
