#pragma once
// A Redis cluster membership's Prometheus samples (see corio/engine/metrics.hpp).

#include <corio/engine/metrics.hpp>

namespace corio::redis {

class cluster;

/// The adapters' messages published, not published while Redis was away, and
/// dropped as malformed (corio_redis_adapter_*, labelled node="<uid>"). Any
/// thread.
void write_metrics(engine::metrics_writer& w, const cluster& c);

} // namespace corio::redis
