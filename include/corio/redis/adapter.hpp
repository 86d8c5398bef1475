#pragma once
// The Redis adapter: the namespaces of several servers form one cluster over
// Redis, on the wire of Node's adapters, so Corio and Node socket.io servers
// can share a cluster. Three variants, as in Node: classic Pub/Sub
// (@socket.io/redis-adapter 8.x's createAdapter), sharded Pub/Sub (its
// createShardedAdapter, Redis >= 7), and Redis Streams
// (@socket.io/redis-streams-adapter 0.3's createAdapter, Redis >= 6.2), the
// one that keeps sessions for connection state recovery. A cluster uses one
// of them throughout.

#include <corio/adapter.hpp>
#include <corio/log.hpp>
#include <corio/options.hpp>
#include <corio/redis/connection.hpp>
#include <corio/redis/subscriber.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace corio::redis {

struct adapter_options {
    /// The channel prefix: Node's `key`. Every server of a cluster, and every
    /// emitter, must use the same.
    std::string key = "socket.io";
    /// How long a request to the other servers (fetch_sockets, server-side
    /// emit with ack, broadcast with acks) waits for all of them: Node's
    /// `requestsTimeout`. The operation fails with error::cluster_timeout
    /// then (or earlier, at server_options::cluster_timeout).
    std::chrono::milliseconds requests_timeout{5'000};
    /// Answer other servers' requests on the requester's own response
    /// channel instead of the shared one: Node's
    /// `publishOnSpecificResponseChannel`.
    bool publish_on_specific_response_channel = false;
    /// Warnings: broadcasts that could not be published while Redis was
    /// away (at most one record per 10 s, with the count), messages that
    /// could not be decoded. Default: warnings and errors to stderr.
    logger log;
};

/// Which channels a sharded adapter subscribes to: Node's
/// `subscriptionMode`. Every server of a cluster must use the same.
enum class subscription_mode {
    /// Two channels per namespace (its own, and this server's responses);
    /// every message goes through the namespace's. Node's "static".
    static_,
    /// Also one channel per public room of this server (not a socket's own
    /// room); a broadcast without acks to exactly one public room goes to
    /// that room's channel only, so servers without the room never see it.
    /// Node's "dynamic", the default.
    dynamic,
    /// As dynamic, for sockets' own rooms too. Node's "dynamic-private".
    dynamic_private,
};

/// The options of the sharded adapter (Node's createShardedAdapter).
struct sharded_adapter_options {
    /// The channel prefix: Node's `channelPrefix`. Every server of a
    /// cluster must use the same.
    std::string channel_prefix = "socket.io";
    subscription_mode mode = subscription_mode::dynamic;
    /// As adapter_options::requests_timeout (Node's sharded adapter waits
    /// 5 s, or the operation's own timeout).
    std::chrono::milliseconds requests_timeout{5'000};
    /// As adapter_options::log.
    logger log;
};

/// The options of the Redis Streams adapter (Node's
/// @socket.io/redis-streams-adapter): broadcasts and remote join, leave and
/// disconnect go through a stream that every server reads; requests and
/// responses through Pub/Sub. With connection state recovery on
/// (server_options::recovery), sessions are kept in Redis and the stream
/// entry ids are the offsets, so a client may recover on any server.
struct streams_adapter_options {
    /// The stream: Node's `streamName` (one stream, as Node's default
    /// `streamCount` 1; Corio does not spread namespaces over several).
    std::string stream_name = "socket.io";
    /// The Pub/Sub channel prefix: Node's `channelPrefix`.
    std::string channel_prefix = "socket.io";
    /// The stream is trimmed to about this many entries (`XADD MAXLEN ~`):
    /// Node's `maxLen`. A client whose last event was trimmed away is not
    /// recovered.
    std::size_t max_len = 10'000;
    /// Entries read per XREAD: Node's `readCount`.
    std::size_t read_count = 100;
    /// How long one XREAD blocks waiting for entries: Node's `blockTimeInMs`.
    std::chrono::milliseconds block_time{5'000};
    /// The key prefix of a kept session (`<prefix><pid>`): Node's
    /// `sessionKeyPrefix`.
    std::string session_key_prefix = "sio:session:";
    /// As adapter_options::requests_timeout.
    std::chrono::milliseconds requests_timeout{5'000};
    /// As adapter_options::log.
    logger log;
};

/// What one server's Redis adapters did, over all namespaces.
struct adapter_stats {
    /// Messages published (broadcasts, requests, responses).
    std::uint64_t published = 0;
    /// Broadcasts and operations not published because Redis was away:
    /// they reached this server's sockets only.
    std::uint64_t unpublished = 0;
    /// Messages from Redis dropped because they could not be decoded.
    std::uint64_t malformed = 0;
    /// Messages the subscriber received for the adapters (broadcasts,
    /// requests, responses; this server's own broadcasts come back too on a
    /// classic cluster), malformed ones included.
    std::uint64_t received = 0;
    /// Cluster requests that ended with error::cluster_timeout after
    /// requests_timeout: fetch_sockets and server-side emits with ack (a
    /// broadcast with acks ends at its own ack timeout, and is not counted).
    std::uint64_t request_timeouts = 0;
    /// Times the command connection came back up after it was lost.
    std::uint64_t publisher_reconnects = 0;
    /// Times the subscriber came back up after it was lost.
    std::uint64_t subscriber_reconnects = 0;
};

/// One server's membership of a cluster: its node id, its two connections to
/// Redis, and the adapter of each of its namespaces. create() joins a classic
/// Pub/Sub cluster, create_sharded() a sharded one (SPUBLISH, SSUBSCRIBE;
/// Redis >= 7, and the subscriber must reach the shard of each channel: one
/// Redis, or a Redis Cluster behind a proxy), create_streams() a Redis
/// Streams one (Redis >= 6.2), which needs a third connection: the reader,
/// whose blocking XREAD would hold up the commands of `pub` (without one it
/// throws std::invalid_argument).
///
/// Takes over the subscriber's handlers. The connections are the caller's to
/// start and close; start them after create() (or before: subscriptions made
/// while disconnected are sent once connected). While Redis is away, local
/// delivery goes on, cluster requests fail with error::cluster_unavailable,
/// and everything resumes by itself once the connections are back.
///
/// @par Thread safety
/// Any thread.
class cluster {
public:
    static std::shared_ptr<cluster> create(std::shared_ptr<connection> pub, std::shared_ptr<subscriber> sub,
                                           adapter_options opts = {});
    static std::shared_ptr<cluster> create_sharded(std::shared_ptr<connection> pub, std::shared_ptr<subscriber> sub,
                                                   sharded_adapter_options opts = {});
    static std::shared_ptr<cluster> create_streams(std::shared_ptr<connection> pub, std::shared_ptr<subscriber> sub,
                                                   std::shared_ptr<connection> reader,
                                                   streams_adapter_options opts = {});
    virtual ~cluster() = default;

    /// For server_options::make_adapter: one adapter per namespace, which
    /// subscribes to that namespace's channels.
    virtual adapter_factory factory() = 0;
    /// This server's node id: 6 characters (classic) or 16 hex digits
    /// (sharded, streams), as Node's.
    virtual const std::string& uid() const noexcept = 0;
    virtual adapter_stats stats() const noexcept = 0;
};

/// cluster::create(...)->factory(): Node's createAdapter(pubClient, subClient, opts).
adapter_factory create_adapter(std::shared_ptr<connection> pub, std::shared_ptr<subscriber> sub,
                               adapter_options opts = {});

/// cluster::create_sharded(...)->factory(): Node's
/// createShardedAdapter(pubClient, subClient, opts).
adapter_factory create_sharded_adapter(std::shared_ptr<connection> pub, std::shared_ptr<subscriber> sub,
                                       sharded_adapter_options opts = {});

/// cluster::create_streams(...)->factory(): Node's
/// @socket.io/redis-streams-adapter createAdapter(redisClient, opts).
adapter_factory create_streams_adapter(std::shared_ptr<connection> pub, std::shared_ptr<subscriber> sub,
                                       std::shared_ptr<connection> reader, streams_adapter_options opts = {});

} // namespace corio::redis
