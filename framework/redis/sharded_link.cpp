#include "sharded_link.hpp"

#include "adapter_wire.hpp"
#include "cluster_hub.hpp"
#include "redis_adapter.hpp"

#include <corio/error.hpp>

namespace corio::redis::detail {

namespace json = boost::json;
using sharded_wire::message_type;

namespace {

/// An argument a server accepted sits four levels down in a message:
/// {data: {packet: {data: [event, argument]}}}.
constexpr std::size_t envelope_depth = 4;

} // namespace

sharded_link::sharded_link(std::shared_ptr<cluster_hub> hub, std::string nsp, redis_adapter& owner)
    : cluster_link(hub, nsp, owner), channels_(hub->settings().key, nsp, hub->uid()), mode_(hub->settings().mode),
      family_(hub->settings().kind == variant::sharded ? cluster_hub::family::shard : cluster_hub::family::channel)
{
}

void sharded_link::attach()
{
    auto self = shared_from_this();
    hub().subscribe(self, channels_.main, channel_role::request, family_);
    hub().subscribe(self, channels_.own_response, channel_role::response, family_);
}

void sharded_link::unsubscribe_all()
{
    hub().unsubscribe(channels_.main, family_);
    hub().unsubscribe(channels_.own_response, family_);
    std::set<std::string> rooms;
    {
        std::lock_guard lock(rooms_mutex_);
        rooms.swap(room_channels_);
    }
    for (const auto& c : rooms)
        hub().unsubscribe(c, family_);
}

void sharded_link::room_created(const std::string& room, bool socket_room)
{
    if (!sharded_wire::subscribes_to_room(mode_, socket_room))
        return;
    auto channel = channels_.room(room);
    {
        std::lock_guard lock(rooms_mutex_);
        room_channels_.insert(channel);
    }
    hub().subscribe(shared_from_this(), std::move(channel), channel_role::request, family_);
}

void sharded_link::room_deleted(const std::string& room, bool socket_room)
{
    if (!sharded_wire::subscribes_to_room(mode_, socket_room))
        return;
    auto channel = channels_.room(room);
    {
        std::lock_guard lock(rooms_mutex_);
        room_channels_.erase(channel);
    }
    hub().unsubscribe(channel, family_);
}

std::string sharded_link::encode(message_type type, json::object data,
                                 const std::vector<std::string>& attachments) const
{
    return sharded_wire::encode(hub().uid(), nsp(), type, std::move(data), attachments);
}

// From Redis. -----------------------------------------------------------------------

void sharded_link::on_message(channel_role role, std::string_view channel, std::string_view payload)
{
    // Every server hears its own messages on the shared channels.
    if (sharded_wire::is_from(payload, hub().uid()))
        return;
    auto doc = wire::decode_message(payload, envelope_depth);
    auto* m = doc ? doc->value.if_object() : nullptr;
    auto type = m ? wire::type_of(*m) : std::nullopt;
    if (!type) {
        hub().count_malformed("message on " + std::string(channel));
        return;
    }
    auto from = std::string(wire::string_field(*m, "uid"));
    if (from == hub().uid() || wire::string_field(*m, "nsp") != nsp())
        return;
    if (*type == static_cast<int>(message_type::initial_heartbeat) ||
        *type == static_cast<int>(message_type::heartbeat) || *type == static_cast<int>(message_type::adapter_close))
        return; // the sharded adapter counts servers with SHARDNUMSUB instead
    auto* data = m->if_contains("data");
    if (!data || !data->is_object()) {
        hub().count_malformed("message without data on " + std::string(channel));
        return;
    }
    if (role == channel_role::response || sharded_wire::is_response(*type)) {
        on_response(*type, data->get_object(), std::move(doc->attachments));
        return;
    }
    with_owner([&](redis_adapter& a) { apply(a, *type, from, data->get_object(), std::move(doc->attachments)); });
}

void sharded_link::apply(redis_adapter& a, int type, const std::string& from, json::object& data,
                         std::vector<std::string> attachments, std::string_view offset)
{
    const auto id = std::string(wire::string_field(data, "requestId"));
    switch (static_cast<message_type>(type)) {
    case message_type::broadcast: {
        auto* p = data.if_contains("packet");
        auto* args = p && p->is_object() ? p->get_object().if_contains("data") : nullptr;
        if (!wire::is_event(args)) {
            hub().count_malformed("broadcast");
            return;
        }
        protocol::socket_packet packet;
        packet.type = protocol::socket_packet_type::event;
        packet.nsp = nsp();
        packet.data = std::move(*args);
        packet.attachments = std::move(attachments);
        const auto* opts_json = data.if_contains("opts");
        auto opts = wire::decode_selector(opts_json);
        opts.local = false;
        if (id.empty()) {
            if (!offset.empty() && !opts.is_volatile && a.local().recovery().enabled)
                packet.data->get_array().emplace_back(offset);
            a.broadcast_local(packet, opts);
            return;
        }
        auto timeout = wire::decode_ack_timeout(opts_json);
        auto self = std::static_pointer_cast<sharded_link>(shared_from_this());
        auto asked = a.broadcast_with_ack_local(packet, opts, timeout, [self, id, from](socket_ack_result r) {
            if (!r)
                return;
            json::object response{{"requestId", id}};
            if (!r->values().empty())
                response.emplace("packet", r->values().front());
            self->respond(from, message_type::broadcast_ack, std::move(response), r->attachments());
        });
        respond(from, message_type::broadcast_client_count, {{"requestId", id}, {"clientCount", asked}});
        return;
    }
    case message_type::sockets_join:
        a.add_sockets_local(wire::decode_selector(data.if_contains("opts")), wire::rooms_field(data));
        return;
    case message_type::sockets_leave:
        a.del_sockets_local(wire::decode_selector(data.if_contains("opts")), wire::rooms_field(data));
        return;
    case message_type::disconnect_sockets: {
        const auto* close = data.if_contains("close");
        a.disconnect_local(wire::decode_selector(data.if_contains("opts")), close && close->is_bool() && close->get_bool());
        return;
    }
    case message_type::fetch_sockets: {
        json::array sockets;
        for (const auto& s : a.fetch_local(wire::decode_selector(data.if_contains("opts"))))
            sockets.push_back(wire::encode_socket(s));
        respond(from, message_type::fetch_sockets_response, {{"requestId", id}, {"sockets", std::move(sockets)}});
        return;
    }
    case message_type::server_side_emit: {
        auto* packet = data.if_contains("packet");
        if (!wire::is_event(packet)) {
            hub().count_malformed("server-side emit");
            return;
        }
        std::function<void(arguments)> reply;
        if (!id.empty()) {
            // Only the first argument travels back, as in Node.
            reply = [self = std::static_pointer_cast<sharded_link>(shared_from_this()), id, from](arguments args) {
                json::object response{{"requestId", id}};
                if (!args.values().empty())
                    response.emplace("packet", args.values().front());
                self->respond(from, message_type::server_side_emit_response, std::move(response), args.attachments());
            };
        }
        a.local().on_server_event(arguments(std::move(packet->get_array()), std::move(attachments)), !id.empty(),
                                  std::move(reply));
        return;
    }
    default:
        hub().count_malformed("message of type " + std::to_string(type));
        return;
    }
}

void sharded_link::on_response(int type, const json::object& data, std::vector<std::string> attachments)
{
    auto found = find_pending(std::string(wire::string_field(data, "requestId")));
    if (!found)
        return; // another server's request, or one that ended
    auto& p = *found;
    switch (static_cast<message_type>(type)) {
    case message_type::fetch_sockets_response:
        count_reply(p);
        if (auto sink = p.fetch.lock()) {
            auto sockets = wire::decode_sockets(data);
            if (!sockets) {
                hub().count_malformed("fetch response");
                return;
            }
            sink->reply(std::move(*sockets));
        }
        return;
    case message_type::server_side_emit_response:
        count_reply(p);
        if (auto sink = p.emit.lock())
            sink->reply(wire::answer_argument(data, "packet", std::move(attachments)));
        return;
    case message_type::broadcast_client_count:
        if (auto sink = p.acks.lock()) {
            const auto* n = data.if_contains("clientCount");
            if (n && n->is_int64() && n->get_int64() >= 0)
                sink->server_sent(static_cast<std::size_t>(n->get_int64()));
        }
        return;
    case message_type::broadcast_ack:
        if (auto sink = p.acks.lock())
            sink->answer(wire::answer_argument(data, "packet", std::move(attachments)));
        return;
    default:
        hub().count_malformed("response of type " + std::to_string(type));
        return;
    }
}

void sharded_link::respond(std::string_view requester, message_type type, json::object data,
                           const std::vector<std::string>& attachments)
{
    hub().publish(channels_.response_of(requester), encode(type, std::move(data), attachments));
}

// Requests of this server. -------------------------------------------------------

void sharded_link::broadcast(const protocol::socket_packet& packet, const broadcast_options& opts)
{
    json::object data;
    data.emplace("packet", wire::encode_packet(packet));
    data.emplace("opts", wire::encode_selector_with_flags(opts));
    hub().publish(sharded_wire::broadcast_channel(channels_, mode_, opts),
                  encode(message_type::broadcast, std::move(data), packet.attachments));
}

void sharded_link::broadcast_with_ack(const protocol::socket_packet& packet, const broadcast_options& opts,
                                      std::chrono::milliseconds timeout, std::shared_ptr<broadcast_ack_sink> sink)
{
    // Ended by the sink's own deadline (the ack timeout), which may be
    // longer than requests_timeout. Always on the namespace's channel: the
    // server count covers every server, not a room's.
    auto id = add_pending({.acks = sink}, false);
    if (!id)
        return;
    json::object data;
    data.emplace("packet", wire::encode_packet(packet));
    data.emplace("requestId", *id);
    data.emplace("opts", wire::encode_selector_with_timeout(opts, timeout));
    send_request(*id, channels_.main, encode(message_type::broadcast, std::move(data), packet.attachments),
                 [sink](std::size_t servers) { sink->expect_servers(servers); });
}

void sharded_link::fetch(const broadcast_options& opts, std::vector<socket_info> local,
                         std::shared_ptr<reply_sink<std::vector<socket_info>>> sink)
{
    auto id = add_pending({.fetch = sink}, true);
    if (!id)
        return;
    json::object data;
    data.emplace("opts", wire::encode_selector_with_flags(opts));
    data.emplace("requestId", *id);
    send_request(*id, channels_.main, encode(message_type::fetch_sockets, std::move(data)),
                 [sink, local = std::move(local)](std::size_t servers) mutable {
                     // This server's part is `local`; the others answer.
                     sink->reply(std::move(local));
                     sink->expect(servers);
                 });
}

void sharded_link::server_side_emit(const arguments& args, std::shared_ptr<reply_sink<arguments>> sink)
{
    json::object data;
    data.emplace("packet", args.values());
    if (!sink) {
        hub().publish(channels_.main, encode(message_type::server_side_emit, std::move(data), args.attachments()));
        return;
    }
    auto id = add_pending({.emit = sink}, true);
    if (!id)
        return;
    data.emplace("requestId", *id);
    send_request(*id, channels_.main,
                 encode(message_type::server_side_emit, std::move(data), args.attachments()),
                 [sink](std::size_t servers) { sink->expect(servers - 1); });
}

std::pair<message_type, json::object> sharded_link::operation_message(remote_operation op,
                                                                    const broadcast_options& opts,
                                                                    const std::vector<std::string>& rooms, bool close)
{
    json::object data;
    data.emplace("opts", wire::encode_selector_with_flags(opts));
    if (op == remote_operation::disconnect) {
        data.emplace("close", close);
        return {message_type::disconnect_sockets, std::move(data)};
    }
    data.emplace("rooms", wire::to_array(rooms));
    return {op == remote_operation::join ? message_type::sockets_join : message_type::sockets_leave, std::move(data)};
}

void sharded_link::publish_operation(remote_operation op, const broadcast_options& opts,
                                     const std::vector<std::string>& rooms, bool close, adapter_completion done)
{
    if (opts.local) {
        if (done)
            done({});
        return;
    }
    auto [type, data] = operation_message(op, opts, rooms, close);
    send_operation(type, std::move(data), std::move(done));
}

void sharded_link::send_operation(message_type type, json::object data, adapter_completion done)
{
    hub().publish(channels_.main, encode(type, std::move(data)), [done = std::move(done)](boost::system::error_code ec) {
        if (done)
            done(ec);
    });
}

} // namespace corio::redis::detail
