#include "engine/session_host.hpp"

#include <corio/protocol/json_writer.hpp>

#include <charconv>

namespace corio::engine::detail {

namespace {

template <class Integer> void append_open_field(Integer n, std::string& out)
{
    char digits[24];
    auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
    out.append(digits, end);
}

} // namespace

std::string session_host::open_packet_data(const std::string& sid, transport_kind transport) const
{
    // Written directly, not through a json::value: it is built once per
    // session, and the tree cost about as much as the rest of the open
    // (callgrind). Keys in the order Node sends them.
    std::string out;
    out.reserve(128);
    out += R"({"sid":)";
    protocol::write_json_string(sid, out);
    out += R"(,"upgrades":[)";
    if (transport == transport_kind::polling && options.allow_upgrades && options.allow_websocket)
        out += R"("websocket")";
    out += R"(],"pingInterval":)";
    append_open_field(options.ping_interval.count(), out);
    out += R"(,"pingTimeout":)";
    append_open_field(options.ping_timeout.count(), out);
    out += R"(,"maxPayload":)";
    append_open_field(options.limits.max_payload, out);
    out += '}';
    return out;
}

} // namespace corio::engine::detail
