#include "redis_adapter.hpp"

#include "cluster_hub.hpp"

#include <corio/protocol/json_writer.hpp>

namespace corio::redis::detail {

namespace json = boost::json;

namespace {

std::vector<std::string> read_rooms(const json::object& m)
{
    std::vector<std::string> out;
    const auto* rooms = m.if_contains("rooms");
    const auto* a = rooms ? rooms->if_array() : nullptr;
    if (!a)
        return out;
    for (const auto& r : *a) {
        if (const auto* s = r.if_string())
            out.emplace_back(*s);
        else if (r.is_number())
            out.push_back(protocol::to_json(r));
    }
    return out;
}

} // namespace

redis_adapter::redis_adapter(local_namespace& nsp, std::shared_ptr<cluster_hub> hub)
    : memory_adapter(nsp), link_(std::make_shared<namespace_link>(hub, nsp.name(), *this))
{
    hub->attach(link_);
}

redis_adapter::~redis_adapter()
{
    link_->detach();
}

void redis_adapter::broadcast(const protocol::socket_packet& packet, const broadcast_options& opts)
{
    broadcast_local(packet, opts);
    if (opts.local)
        return;
    auto& hub = link_->hub();
    hub.publish(link_->channels().broadcast_channel(opts), wire::encode_broadcast(hub.uid(), packet, opts));
}

void redis_adapter::broadcast_with_ack(const protocol::socket_packet& packet, const broadcast_options& opts,
                                       std::chrono::milliseconds timeout, std::shared_ptr<broadcast_ack_sink> sink)
{
    auto asked = broadcast_with_ack_local(packet, opts, timeout, [sink](socket_ack_result r) {
        if (r)
            sink->answer(std::move(*r));
    });
    sink->server_sent(asked);
    if (opts.local) {
        sink->expect_servers(1);
        return;
    }
    link_->broadcast_with_ack(packet, opts, timeout, std::move(sink));
}

void redis_adapter::fetch_sockets(const broadcast_options& opts,
                                  std::shared_ptr<reply_sink<std::vector<socket_info>>> sink)
{
    auto local = fetch_local(opts);
    if (opts.local) {
        sink->expect(1);
        sink->reply(std::move(local));
        return;
    }
    link_->fetch(opts, std::move(local), std::move(sink));
}

void redis_adapter::add_sockets(const broadcast_options& opts, std::vector<std::string> rooms,
                                adapter_completion done)
{
    add_sockets_local(opts, rooms);
    link_->publish_operation(wire::request_type::remote_join, opts, {{"rooms", wire::to_array(rooms)}}, std::move(done));
}

void redis_adapter::del_sockets(const broadcast_options& opts, std::vector<std::string> rooms,
                                adapter_completion done)
{
    del_sockets_local(opts, rooms);
    link_->publish_operation(wire::request_type::remote_leave, opts, {{"rooms", wire::to_array(rooms)}}, std::move(done));
}

void redis_adapter::disconnect_sockets(const broadcast_options& opts, bool close_connection,
                                       adapter_completion done)
{
    disconnect_local(opts, close_connection);
    link_->publish_operation(wire::request_type::remote_disconnect, opts, {{"close", close_connection}}, std::move(done));
}

void redis_adapter::server_side_emit(const arguments& args, std::shared_ptr<reply_sink<arguments>> sink)
{
    link_->server_side_emit(args, std::move(sink));
}

void redis_adapter::apply_broadcast(const protocol::socket_packet& packet, const broadcast_options& opts)
{
    broadcast_local(packet, opts);
}

void redis_adapter::apply_request(protocol::msgpack::document message)
{
    auto& m = message.value.get_object();
    auto type = wire::type_of(m);
    if (!type) {
        link_->hub().count_malformed("request without a type");
        return;
    }
    const auto uid = std::string(wire::string_field(m, "uid"));
    const auto id = std::string(wire::string_field(m, "requestId"));
    const bool own = uid == link_->hub().uid();
    auto answer = [&](json::object response) {
        response.emplace("requestId", id);
        link_->respond(uid, protocol::to_json(response));
    };

    switch (static_cast<wire::request_type>(*type)) {
    case wire::request_type::sockets: {
        if (link_->is_own_request(id))
            return;
        broadcast_options opts;
        for (auto& r : read_rooms(m))
            opts.rooms.insert(std::move(r));
        json::array ids;
        for (const auto& s : fetch_local(opts))
            ids.emplace_back(s.id);
        answer({{"sockets", std::move(ids)}});
        return;
    }
    case wire::request_type::all_rooms:
        if (!link_->is_own_request(id))
            answer({{"rooms", wire::to_array(local_rooms())}});
        return;
    case wire::request_type::remote_join:
    case wire::request_type::remote_leave: {
        // This server applied its own at once.
        if (own)
            return;
        const bool join_rooms = *type == static_cast<int>(wire::request_type::remote_join);
        if (const auto* opts = m.if_contains("opts")) {
            auto selector = wire::decode_selector(opts);
            auto rooms = read_rooms(m);
            if (join_rooms)
                add_sockets_local(selector, rooms);
            else
                del_sockets_local(selector, rooms);
            return;
        }
        // The legacy form: one socket, one room, and an answer.
        auto sid = std::string(wire::string_field(m, "sid"));
        auto room = std::string(wire::string_field(m, "room"));
        if (sid.empty() || room.empty() || rooms_of(sid).empty())
            return;
        if (join_rooms)
            join(sid, room);
        else
            leave(sid, room);
        answer({});
        return;
    }
    case wire::request_type::remote_disconnect: {
        if (own)
            return;
        const auto* close = m.if_contains("close");
        const bool close_connection = close && close->is_bool() && close->get_bool();
        if (const auto* opts = m.if_contains("opts")) {
            disconnect_local(wire::decode_selector(opts), close_connection);
            return;
        }
        auto sid = std::string(wire::string_field(m, "sid"));
        if (sid.empty() || rooms_of(sid).empty())
            return;
        broadcast_options one;
        one.rooms.insert(sid);
        disconnect_local(one, close_connection);
        answer({});
        return;
    }
    case wire::request_type::remote_fetch: {
        if (link_->is_own_request(id))
            return;
        json::array sockets;
        for (const auto& s : fetch_local(wire::decode_selector(m.if_contains("opts"))))
            sockets.push_back(wire::encode_socket(s));
        answer({{"sockets", std::move(sockets)}});
        return;
    }
    case wire::request_type::server_side_emit: {
        if (own)
            return;
        const auto* data = m.if_contains("data");
        if (!data || !data->is_array() || data->get_array().empty() || !data->get_array().front().is_string()) {
            link_->hub().count_malformed("server-side emit");
            return;
        }
        std::function<void(arguments)> reply;
        if (!id.empty()) {
            // Always on the shared response channel, as Node does; only the
            // first argument travels.
            reply = [link = link_, id](arguments args) {
                json::object response{{"type", static_cast<int>(wire::request_type::server_side_emit)},
                                      {"requestId", id}};
                if (!args.values().empty())
                    response.emplace("data", args.values().front());
                link->respond({}, protocol::to_json(response));
            };
        }
        local().on_server_event(arguments(std::move(data->get_array())), !id.empty(), std::move(reply));
        return;
    }
    case wire::request_type::broadcast: {
        if (link_->is_own_request(id))
            return;
        auto* p = m.if_contains("packet");
        auto* packet_data = p && p->is_object() ? p->get_object().if_contains("data") : nullptr;
        if (!packet_data || !packet_data->is_array() || packet_data->get_array().empty() ||
            !packet_data->get_array().front().is_string()) {
            link_->hub().count_malformed("broadcast with acks");
            return;
        }
        auto opts = wire::decode_selector(m.if_contains("opts"));
        std::chrono::milliseconds timeout{5'000};
        if (const auto* o = m.if_contains("opts"); o && o->is_object())
            if (const auto* f = o->get_object().if_contains("flags"); f && f->is_object())
                if (const auto* t = f->get_object().if_contains("timeout"); t && t->is_number())
                    timeout = std::chrono::milliseconds(static_cast<std::int64_t>(t->to_number<double>()));
        protocol::socket_packet packet;
        packet.type = protocol::socket_packet_type::event;
        packet.nsp = local().name();
        packet.data = std::move(*packet_data);
        packet.attachments = std::move(message.attachments);
        auto link = link_;
        auto asked = broadcast_with_ack_local(packet, opts, timeout, [link, id, uid](socket_ack_result r) {
            if (!r)
                return;
            json::object response{{"type", static_cast<int>(wire::request_type::broadcast_ack)}, {"requestId", id}};
            if (!r->values().empty())
                response.emplace("packet", r->values().front());
            link->respond(uid, protocol::msgpack::encode(response, r->attachments()));
        });
        answer({{"type", static_cast<int>(wire::request_type::broadcast_client_count)},
                {"clientCount", asked}});
        return;
    }
    case wire::request_type::broadcast_client_count:
    case wire::request_type::broadcast_ack:
        return;
    }
}

} // namespace corio::redis::detail
