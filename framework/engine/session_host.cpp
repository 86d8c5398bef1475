#include "engine/session_host.hpp"

#include <corio/protocol/json_writer.hpp>

#include <boost/json/value.hpp>

namespace corio::engine::detail {

std::string session_host::open_packet_data(const std::string& sid, transport_kind transport) const
{
    // Written directly, not through a json::object: it is built once per
    // session, and the tree cost about as much as the rest of the open
    // (callgrind). Keys in the order Node sends them; numbers written as
    // the JSON writer writes any.
    std::string out;
    out.reserve(128);
    out += R"({"sid":)";
    protocol::write_json_string(sid, out);
    out += R"(,"upgrades":[)";
    if (transport == transport_kind::polling && options.allow_upgrades && options.allow_websocket)
        out += R"("websocket")";
    out += R"(],"pingInterval":)";
    protocol::write_json(options.ping_interval.count(), out);
    out += R"(,"pingTimeout":)";
    protocol::write_json(options.ping_timeout.count(), out);
    out += R"(,"maxPayload":)";
    protocol::write_json(options.limits.max_payload, out);
    out += '}';
    return out;
}

} // namespace corio::engine::detail
