#include "socketio/admin_ui_report.hpp"

#include "protocol/js_date.hpp"

#include <corio/engine/error.hpp>

namespace corio::detail {

namespace json = boost::json;

namespace {

// socket.io's handshake without the CONNECT auth: the UI shows it, and auth
// payloads carry tokens.
json::object public_handshake(json::object h)
{
    h.erase("auth");
    return h;
}

} // namespace

std::string admin_timestamp(std::chrono::system_clock::time_point t)
{
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    return protocol::js_date_json(static_cast<double>(ms)).value_or("");
}

std::string_view transport_name(engine::transport_kind t) noexcept
{
    return t == engine::transport_kind::websocket ? "websocket" : "polling";
}

std::string_view server_side_name(disconnect_reason r) noexcept
{
    switch (r) {
    case disconnect_reason::server_disconnect:
        return "server namespace disconnect";
    case disconnect_reason::client_disconnect:
        return "client namespace disconnect";
    default:
        return to_string(r);
    }
}

json::object admin_data(const socket_ref& s)
{
    return {{"clientId", s.client_id()}, {"transport", transport_name(s.transport())}};
}

json::object serialize_socket(const socket_ref& s)
{
    json::array rooms;
    for (auto& r : s.rooms())
        rooms.emplace_back(r);
    auto data = s.shared_data();
    if (auto* o = data.if_object())
        o->erase("_admin");
    return {
        {"id", s.id()},
        {"clientId", s.client_id()},
        {"transport", transport_name(s.transport())},
        {"nsp", s.nsp()},
        {"data", data.is_null() ? json::value(json::object()) : std::move(data)},
        {"handshake", public_handshake(s.handshake().describe())},
        {"rooms", std::move(rooms)},
    };
}

json::object serialize_socket(const remote_socket& s, std::string_view nsp)
{
    json::value data = s.data();
    json::value client_id = "";
    json::value transport = "polling";
    if (auto* o = data.if_object()) {
        if (auto* admin = o->if_contains("_admin"); admin && admin->is_object()) {
            if (auto* id = admin->as_object().if_contains("clientId"))
                client_id = *id;
            if (auto* t = admin->as_object().if_contains("transport"))
                transport = *t;
        }
        o->erase("_admin");
    }
    json::array rooms;
    for (auto& r : s.rooms())
        rooms.emplace_back(r);
    return {
        {"id", s.id()},
        {"clientId", std::move(client_id)},
        {"transport", std::move(transport)},
        {"nsp", nsp},
        {"data", data.is_null() ? json::value(json::object()) : std::move(data)},
        {"handshake", public_handshake(s.handshake())},
        {"rooms", std::move(rooms)},
    };
}

json::array aggregated_events(const engine::endpoint_stats& before, const engine::endpoint_stats& now,
                              std::chrono::system_clock::time_point at)
{
    // The UI buckets events by second.
    const auto second = std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch());
    const auto timestamp = std::chrono::duration_cast<std::chrono::milliseconds>(second).count();
    json::array out;
    auto add = [&](std::string_view type, std::uint64_t from, std::uint64_t to, std::string_view sub_type = {}) {
        if (to <= from)
            return;
        json::object e{{"timestamp", timestamp}, {"type", type}, {"count", to - from}};
        if (!sub_type.empty())
            e["subType"] = sub_type;
        out.push_back(std::move(e));
    };
    add("rawConnection", before.sessions_opened, now.sessions_opened);
    add("packetsIn", before.packets_in, now.packets_in);
    add("packetsOut", before.packets_out, now.packets_out);
    add("bytesIn", before.bytes_in, now.bytes_in);
    add("bytesOut", before.bytes_out, now.bytes_out);
    for (std::size_t i = 0; i < engine::close_reason_count; ++i)
        add("rawDisconnection", before.closed[i], now.closed[i],
            engine::to_string(static_cast<engine::close_reason>(i)));
    return out;
}

} // namespace corio::detail
