#include "socketio/event_packet.hpp"

#include <boost/json/string.hpp>

namespace corio::detail {

namespace json = boost::json;
using protocol::socket_packet;
using protocol::socket_packet_type;

socket_packet make_event_packet(const std::string& nsp, std::string_view event, arguments args,
                                std::optional<std::uint64_t> ack_id)
{
    json::array data;
    data.reserve(args.size() + 1);
    data.emplace_back(json::string(event));
    for (auto& v : args.values())
        data.push_back(std::move(v));
    socket_packet p;
    p.type = socket_packet_type::event;
    p.nsp = nsp;
    p.id = ack_id;
    p.data = std::move(data);
    p.attachments = std::move(args.attachments());
    return p;
}

} // namespace corio::detail
