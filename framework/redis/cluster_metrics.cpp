#include <corio/redis/adapter.hpp>
#include <corio/redis/metrics.hpp>

namespace corio::redis {

void write_metrics(engine::metrics_writer& w, const cluster& c)
{
    auto stats = c.stats();
    engine::metrics_writer::labels node = {{"node", c.uid()}};
    w.counter("corio_redis_adapter_published_total", "Messages published to Redis: broadcasts, requests, responses.",
              node, stats.published);
    w.counter("corio_redis_adapter_unpublished_total",
              "Broadcasts and operations not published because Redis was away: they reached local sockets only.", node,
              stats.unpublished);
    w.counter("corio_redis_adapter_malformed_total", "Messages from Redis dropped because they did not decode.", node,
              stats.malformed);
    w.counter("corio_redis_adapter_received_total",
              "Messages received from Redis for the adapters: broadcasts, requests, responses.", node, stats.received);
    w.counter("corio_redis_adapter_request_timeouts_total",
              "Cluster requests (fetch_sockets, server-side emits with ack) that got no full answer within "
              "requests_timeout.",
              node, stats.request_timeouts);
    auto reconnects = [&](std::string_view connection, std::uint64_t n) {
        w.counter("corio_redis_reconnects_total", "Times a Redis connection came back up after it was lost.",
                  {{"node", c.uid()}, {"connection", connection}}, n);
    };
    reconnects("publisher", stats.publisher_reconnects);
    reconnects("subscriber", stats.subscriber_reconnects);
}

} // namespace corio::redis
