#include "sharded_wire.hpp"

#include <corio/protocol/json_writer.hpp>
#include <corio/protocol/msgpack.hpp>

namespace corio::redis::sharded_wire {

namespace json = boost::json;

namespace {

/// Node's looksLikeASocketId: its socket ids are 20 characters, as ours.
bool looks_like_a_socket_id(std::string_view room) noexcept
{
    return room.size() == 20;
}

} // namespace

bool is_response(int type) noexcept
{
    using enum message_type;
    return type == static_cast<int>(fetch_sockets_response) || type == static_cast<int>(server_side_emit_response) ||
           type == static_cast<int>(broadcast_client_count) || type == static_cast<int>(broadcast_ack);
}

channels::channels(const std::string& prefix, const std::string& nsp, const std::string& uid)
    : main(prefix + "#" + nsp + "#"), own_response(main + uid + "#")
{
}

std::string channels::room(std::string_view name) const
{
    std::string out = main;
    out += name;
    out += '#';
    return out;
}

std::string channels::response_of(std::string_view requester) const
{
    return room(requester);
}

bool subscribes_to_room(subscription_mode mode, bool socket_room) noexcept
{
    return mode == subscription_mode::dynamic_private || (mode == subscription_mode::dynamic && !socket_room);
}

std::string broadcast_channel(const channels& c, subscription_mode mode, const broadcast_options& opts)
{
    if (opts.rooms.size() != 1)
        return c.main;
    const auto& room = *opts.rooms.begin();
    if (mode == subscription_mode::dynamic_private ||
        (mode == subscription_mode::dynamic && !looks_like_a_socket_id(room)))
        return c.room(room);
    return c.main;
}

std::string encode(std::string_view uid, std::string_view nsp, message_type type, json::object data,
                   const std::vector<std::string>& attachments)
{
    json::object m;
    m.reserve(4);
    m.emplace("uid", uid);
    m.emplace("nsp", nsp);
    m.emplace("type", static_cast<int>(type));
    m.emplace("data", std::move(data));
    if (attachments.empty())
        return protocol::to_json(m);
    return protocol::msgpack::encode(m, attachments);
}

bool is_from(std::string_view payload, std::string_view uid) noexcept
{
    // JSON: {"uid":"<uid>"; msgpack: fixmap 4, fixstr "uid", fixstr <uid>.
    constexpr std::string_view json_head = "{\"uid\":\"";
    if (payload.starts_with(json_head)) {
        auto rest = payload.substr(json_head.size());
        return rest.size() > uid.size() && rest.starts_with(uid) && rest[uid.size()] == '"';
    }
    constexpr std::string_view msgpack_head = "\x84\xa3uid";
    if (uid.size() >= 32 || !payload.starts_with(msgpack_head))
        return false;
    auto rest = payload.substr(msgpack_head.size());
    return !rest.empty() && static_cast<unsigned char>(rest[0]) == (0xa0 | uid.size()) &&
           rest.substr(1).starts_with(uid);
}

} // namespace corio::redis::sharded_wire
