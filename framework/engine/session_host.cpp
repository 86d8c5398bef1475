#include "engine/session_host.hpp"

#include <corio/protocol/json_writer.hpp>

#include <boost/json/value.hpp>

namespace corio::engine::detail {

namespace json = boost::json;

std::string session_host::open_packet_data(const std::string& sid, transport_kind transport) const
{
    json::array upgrades;
    if (transport == transport_kind::polling && options.allow_upgrades && options.allow_websocket)
        upgrades.emplace_back("websocket");
    json::value open = {
        {"sid", sid},
        {"upgrades", std::move(upgrades)},
        {"pingInterval", options.ping_interval.count()},
        {"pingTimeout", options.ping_timeout.count()},
        {"maxPayload", options.limits.max_payload},
    };
    return protocol::to_json(open);
}

} // namespace corio::engine::detail
