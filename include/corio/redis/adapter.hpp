#pragma once
// The Redis adapter: the namespaces of several servers form one cluster over
// Redis Pub/Sub, on the wire of Node's @socket.io/redis-adapter 8.x (classic
// Pub/Sub), so Corio and Node socket.io servers can share a cluster.

#include <corio/adapter.hpp>
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
    /// away (at most one line per 10 s, with the count), messages that
    /// could not be decoded. Empty: stderr.
    log_sink log;
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
};

/// One server's membership of a cluster: its node id, its two connections to
/// Redis, and the adapter of each of its namespaces.
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
    virtual ~cluster() = default;

    /// For server_options::make_adapter: one adapter per namespace, which
    /// subscribes to that namespace's channels.
    virtual adapter_factory factory() = 0;
    /// This server's node id (6 characters, as Node's).
    virtual const std::string& uid() const noexcept = 0;
    virtual adapter_stats stats() const noexcept = 0;
};

/// cluster::create(...)->factory(): Node's createAdapter(pubClient, subClient, opts).
adapter_factory create_adapter(std::shared_ptr<connection> pub, std::shared_ptr<subscriber> sub,
                               adapter_options opts = {});

} // namespace corio::redis
