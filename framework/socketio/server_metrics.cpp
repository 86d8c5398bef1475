#include <corio/metrics.hpp>
#include <corio/server.hpp>

namespace corio {

void write_metrics(engine::metrics_writer& w, const server& s)
{
    const std::string& endpoint = s.options().engine.path;
    auto stats = s.stats();
    for (auto& [name, count] : stats.sockets)
        w.gauge("corio_sockets", "Sockets connected now, by namespace.", {{"endpoint", endpoint}, {"namespace", name}},
                static_cast<double>(count));
    w.gauge("corio_namespaces", "Namespaces the server holds now, static and dynamic.", {{"endpoint", endpoint}},
            static_cast<double>(stats.namespaces));
    w.counter("corio_socket_connects_total", "Sockets that joined a namespace.", {{"endpoint", endpoint}},
              stats.connects);
    w.counter("corio_socket_connects_refused_total", "CONNECTs refused by a middleware or connect handler.",
              {{"endpoint", endpoint}}, stats.connects_refused);
    for (std::size_t i = 0; i < disconnect_reason_count; ++i) {
        auto reason = engine::snake_case(to_string(static_cast<disconnect_reason>(i)));
        w.counter("corio_socket_disconnects_total", "Sockets that left their namespace, by reason.",
                  {{"endpoint", endpoint}, {"reason", reason}}, stats.disconnects[i]);
    }
    w.counter("corio_argument_errors_total", "Events whose arguments did not convert to the handler's parameters.",
              {{"endpoint", endpoint}}, stats.argument_errors);
    w.counter("corio_handler_errors_total", "Exceptions thrown by handlers.", {{"endpoint", endpoint}},
              stats.handler_errors);
    w.counter("corio_volatile_dropped_total",
              "Volatile packets dropped, per recipient: its transport was not writable.", {{"endpoint", endpoint}},
              stats.volatile_dropped);
    auto limit = [&](std::string_view name, std::uint64_t n) {
        w.counter("corio_socket_limit_hits_total", "Times a limit of server_options::limits was met, by limit.",
                  {{"endpoint", endpoint}, {"limit", name}}, n);
    };
    limit("max_attachment_bytes", stats.attachments_too_large);
    limit("attachment_timeout", stats.attachment_timeouts);
    limit("max_namespaces_per_connection", stats.namespace_limit_refusals);
    limit("max_rooms_per_socket", stats.room_limit_refusals);
    limit("max_pending_acks", stats.ack_limit_refusals);
    limit("events", stats.events_rate_limited);
    limit("max_queued_events", stats.event_queue_full);
    w.counter("corio_dynamic_namespaces_removed_total", "Dynamic namespaces removed once empty.",
              {{"endpoint", endpoint}}, stats.dynamic_namespaces_removed);
    w.counter("corio_recovery_sessions_kept_total",
              "Sockets kept for connection state recovery after a recoverable disconnect.", {{"endpoint", endpoint}},
              stats.recovery_sessions_kept);
    w.counter("corio_recoveries_total", "CONNECTs with a session's pid and offset, by outcome.",
              {{"endpoint", endpoint}, {"outcome", "restored"}}, stats.recoveries);
    w.counter("corio_recoveries_total", "CONNECTs with a session's pid and offset, by outcome.",
              {{"endpoint", endpoint}, {"outcome", "failed"}}, stats.recoveries_failed);
    w.counter("corio_recovery_packets_dropped_total",
              "Events connection state recovery no longer keeps, by why: over its bounds, or too old.",
              {{"endpoint", endpoint}, {"why", "limit"}}, stats.recovery_packets_dropped);
    w.counter("corio_recovery_packets_dropped_total",
              "Events connection state recovery no longer keeps, by why: over its bounds, or too old.",
              {{"endpoint", endpoint}, {"why", "expired"}}, stats.recovery_packets_expired);
    w.counter("corio_recovery_sessions_expired_total",
              "Kept sessions dropped after max_disconnection_duration, never restored.", {{"endpoint", endpoint}},
              stats.recovery_sessions_expired);
    w.counter("corio_broadcasts_total", "Broadcasts made on this server: emits of a broadcast operator.",
              {{"endpoint", endpoint}}, stats.broadcasts);
    w.counter("corio_broadcast_deliveries_total",
              "Packets broadcasts handed to this server's sockets, one per recipient (with a cluster adapter, "
              "the other servers' broadcasts too).",
              {{"endpoint", endpoint}}, stats.broadcast_deliveries);
    w.histogram("corio_event_handler_duration_seconds",
                "Time from the start of an event's handlers to their completion (awaitable handlers awaited).",
                {{"endpoint", endpoint}}, stats.handler_duration);
    w.histogram("corio_ack_round_trip_seconds",
                "Time from sending an event with an ack id to the client's acknowledgement arriving.",
                {{"endpoint", endpoint}}, stats.ack_round_trip);

    engine::write_metrics(w, s.engine());
}

} // namespace corio
