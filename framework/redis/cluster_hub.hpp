#pragma once
// One server's membership of a Redis cluster: the node id, the two
// connections, the routing of subscribed messages to each namespace's link,
// and the counters. The adapters of all namespaces share it.

#include "cluster_link.hpp"

#include <corio/redis/adapter.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
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

class streams_link;

/// The protocol of a cluster.
enum class variant { classic, sharded, streams };

/// The protocol of a cluster, with the options of each variant.
struct hub_settings {
    variant kind = variant::classic;
    /// `key` (classic) or `channelPrefix` (sharded, streams).
    std::string key;
    std::chrono::milliseconds requests_timeout;
    bool publish_on_specific_response_channel = false; // classic
    /// Sharded; streams has no room channels (static).
    subscription_mode mode = subscription_mode::dynamic;
    /// Streams: the stream and the session keys (key, channel_prefix,
    /// requests_timeout and log are the fields above).
    streams_adapter_options streams;
    logger log;
};

class cluster_hub final : public cluster, public std::enable_shared_from_this<cluster_hub> {
public:
    /// `reader`: the stream's reader, for variant::streams only.
    cluster_hub(std::shared_ptr<connection> pub, std::shared_ptr<subscriber> sub, std::shared_ptr<connection> reader,
                hub_settings settings);

    /// Installs the subscriber's message handler, and starts reading the
    /// stream; once, after construction.
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
    /// Sends `args` on the command connection, queued while it is down.
    void exec(std::vector<std::string> args, connection::callback done) { pub_->exec(std::move(args), std::move(done)); }

    /// Routes the stream's entries of namespace `nsp` to `link`
    /// (variant::streams), until unroute_stream.
    void route_stream(const std::shared_ptr<streams_link>& link, const std::string& nsp);
    void unroute_stream(const std::string& nsp);
    /// Appends an entry (streams_wire::entry_fields) to the stream if the
    /// command connection is up, trimming it to about max_len entries;
    /// otherwise counts it unpublished. `done`, when given, gets the entry
    /// id, or error::cluster_unavailable.
    void add_to_stream(std::vector<std::string> fields,
                       std::function<void(boost::system::result<std::string>)> done = {});

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
    /// (sharded, streams).
    std::string make_id();
    void count_malformed(std::string_view what);
    void count_request_timeout() noexcept { request_timeouts_.fetch_add(1, std::memory_order_relaxed); }
    void log(const log_record& r) const { settings_.log(r); }

private:
    void on_message(const message& m);
    void count_unpublished();
    /// One XREAD of the stream after stream_offset_, and the next when it
    /// answers; after `delay` when the last one failed. The first command
    /// finds where the stream ends instead (on_stream_end).
    void read_stream(std::chrono::milliseconds delay = {});
    void on_stream_end(const boost::system::result<reply>& r);
    void on_stream_read(const boost::system::result<reply>& r);
    /// After a failed read: the next try, unless the reader was closed.
    void retry_read(const boost::system::result<reply>& r, std::string_view what);

    struct route {
        std::weak_ptr<cluster_link> link;
        channel_role role;
    };

    std::shared_ptr<connection> pub_;
    std::shared_ptr<subscriber> sub_;
    std::shared_ptr<connection> reader_;
    hub_settings settings_;

    std::mutex id_mutex_;
    std::mt19937_64 random_;
    std::string uid_;

    mutable std::mutex routes_mutex_;
    /// By channel, or by pattern for PSUBSCRIBE.
    std::unordered_map<std::string, route> routes_;
    /// By namespace, for the stream's entries.
    std::unordered_map<std::string, std::weak_ptr<streams_link>> stream_routes_;

    /// The id of the last entry read, where the next XREAD starts; empty
    /// until the stream's last entry at start is known. Never XREAD's "$":
    /// entries added between two reads from "$" would be lost. The reader's
    /// strand only.
    std::string stream_offset_;
    /// Waits after a failed XREAD; the reader's executor.
    std::unique_ptr<boost::asio::steady_timer> retry_timer_;

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
