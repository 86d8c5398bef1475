#include <corio/protocol/socket_packet.hpp>

#include <boost/json/string.hpp>

namespace corio::protocol {

namespace json = boost::json;

socket_packet socket_packet::connect(std::string nsp, std::optional<json::value> data)
{
    return {socket_packet_type::connect, std::move(nsp), std::nullopt, std::move(data), {}};
}

socket_packet socket_packet::connect_error(std::string nsp, json::value data)
{
    return {socket_packet_type::connect_error, std::move(nsp), std::nullopt, std::move(data), {}};
}

socket_packet socket_packet::disconnect(std::string nsp)
{
    return {socket_packet_type::disconnect, std::move(nsp), std::nullopt, std::nullopt, {}};
}

socket_packet socket_packet::event(std::string nsp, std::string_view event, json::array args,
                                   std::vector<std::string> attachments, std::optional<std::uint64_t> ack_id)
{
    json::array data;
    data.reserve(args.size() + 1);
    data.emplace_back(json::string(event));
    for (auto& v : args)
        data.push_back(std::move(v));
    return {socket_packet_type::event, std::move(nsp), ack_id, json::value(std::move(data)), std::move(attachments)};
}

socket_packet socket_packet::ack(std::string nsp, std::uint64_t id, json::array args,
                                 std::vector<std::string> attachments)
{
    return {socket_packet_type::ack, std::move(nsp), id, json::value(std::move(args)), std::move(attachments)};
}

} // namespace corio::protocol
