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
}

} // namespace corio::redis
