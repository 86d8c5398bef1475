#pragma once
// Part D of the conformance app: the echo app's cluster rows (--redis).

#include <corio/engine/metrics.hpp>
#include <corio/options.hpp>
#include <corio/server.hpp>

#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>

namespace conformance {

/// The variant of the Redis adapter a node uses.
enum class redis_adapter_kind { classic, sharded, streams };

/// Connects to the Redis at `url` and makes `/` and `/admin` of the server
/// built with `options` use the Redis adapter of `kind` (`/dyn-*` stay on
/// this node).
/// The handle keeps the connections, and closes them when destroyed. Null
/// when `url` is not a Redis URL, or Corio was built without Redis. With
/// `metrics`, adds the adapters' samples to it.
std::shared_ptr<void> join_redis_cluster(boost::asio::io_context& ioc, const std::string& url, redis_adapter_kind kind,
                                         corio::server_options& options, corio::engine::metrics_endpoint* metrics);

/// Adds the rows of part D to the echo app set up by setup_echo_app: `/`'s
/// all_in, gather and whoami, `/admin`'s cluster-wide count, rooms, fetch,
/// make_join, make_leave, kick and nodes, and `data.node` on connect.
void setup_cluster_rows(corio::server& io, std::string node_name);

} // namespace conformance
