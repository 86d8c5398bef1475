// The engine layer's samples: a listener's counters and an Engine.IO
// endpoint's sessions.

#include <corio/engine/listener.hpp>
#include <corio/engine/metrics.hpp>
#include <corio/engine/server.hpp>

namespace corio::engine {

void write_metrics(metrics_writer& w, const listener& l)
{
    auto s = l.stats();
    w.counter("corio_listener_connections_accepted_total", "TCP connections accepted and kept.", {},
              s.connections_accepted);
    w.gauge("corio_listener_connections_open", "HTTP and WebSocket connections open now.", {},
            static_cast<double>(s.connections_open));
    auto refused = [&](std::string_view reason, std::uint64_t n) {
        w.counter("corio_listener_connections_refused_total",
                  "Connections refused at once: max_connections open (capacity), "
                  "max_connections_per_address open (per_address), or out of file descriptors.",
                  {{"reason", reason}}, n);
    };
    refused("capacity", s.refused_at_capacity);
    refused("per_address", s.refused_per_address);
    refused("out_of_descriptors", s.shed_out_of_descriptors);
    w.counter("corio_listener_accept_failures_total", "accept() failures, each followed by a backoff.", {},
              s.accept_failures);
    auto closed = [&](std::string_view limit, std::uint64_t n) {
        w.counter("corio_listener_limit_closes_total",
                  "HTTP connections answered with an error or closed because they met a listener limit.",
                  {{"limit", limit}}, n);
    };
    closed("http_idle_timeout", s.idle_timeouts);
    closed("header_timeout", s.header_timeouts);
    closed("max_header_size", s.headers_too_large);
    closed("body_limit", s.bodies_too_large);
    closed("write_timeout", s.write_timeouts);
    closed("max_requests_per_connection", s.keep_alive_limit_reached);
}

void write_metrics(metrics_writer& w, const server& s)
{
    const std::string& endpoint = s.options().path;
    auto open = s.sessions_by_transport();
    auto sessions = [&](std::string_view transport, std::size_t n) {
        w.gauge("corio_engine_sessions", "Engine.IO sessions open now, by transport.",
                {{"endpoint", endpoint}, {"transport", transport}}, static_cast<double>(n));
    };
    sessions("polling", open.polling);
    sessions("websocket", open.websocket);

    auto stats = s.stats();
    w.counter("corio_engine_sessions_opened_total", "Engine.IO handshakes answered.", {{"endpoint", endpoint}},
              stats.sessions_opened);
    w.counter("corio_engine_handshakes_refused_total",
              "Engine.IO handshakes refused with 429: over handshake_rate from one address.", {{"endpoint", endpoint}},
              stats.handshakes_refused_rate);
    for (std::size_t i = 0; i < close_reason_count; ++i) {
        auto reason = snake_case(to_string(static_cast<close_reason>(i)));
        w.counter("corio_engine_sessions_closed_total", "Engine.IO sessions closed, by reason.",
                  {{"endpoint", endpoint}, {"reason", reason}}, stats.closed[i]);
    }
    w.counter("corio_engine_packets_received_total",
              "Engine.IO packets received: WebSocket messages, packets of long-polling POSTs.",
              {{"endpoint", endpoint}}, stats.packets_in);
    w.counter("corio_engine_packets_sent_total",
              "Engine.IO packets sent: handed to the WebSocket writer, or answered to long-polling GETs.",
              {{"endpoint", endpoint}}, stats.packets_out);
    w.counter("corio_engine_received_bytes_total",
              "Bytes of the Engine.IO packets received: WebSocket message payloads and long-polling POST bodies "
              "(no HTTP, WebSocket framing or TLS overhead).",
              {{"endpoint", endpoint}}, stats.bytes_in);
    w.counter("corio_engine_sent_bytes_total",
              "Bytes of the Engine.IO packets sent: WebSocket message payloads and long-polling GET bodies "
              "(no HTTP, WebSocket framing or TLS overhead).",
              {{"endpoint", endpoint}}, stats.bytes_out);
}

} // namespace corio::engine
