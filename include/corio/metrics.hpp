#pragma once
// A Socket.IO server's Prometheus samples; the writer, the /metrics endpoint
// and the engine's samples are in corio/engine/metrics.hpp.

#include <corio/engine/metrics.hpp>

namespace corio {

class server;

/// The server's sockets by namespace, connects, disconnects by reason,
/// handler and argument errors, volatile drops and limit hits (corio_socket*,
/// corio_namespaces, corio_*_errors_total, ... labelled endpoint="<path>"),
/// then its Engine.IO endpoint's (engine::write_metrics). Any thread.
void write_metrics(engine::metrics_writer& w, const server& s);

} // namespace corio
