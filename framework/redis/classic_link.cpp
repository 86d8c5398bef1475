#include "classic_link.hpp"

#include "cluster_hub.hpp"
#include "redis_adapter.hpp"

#include <corio/error.hpp>
#include <corio/protocol/json_writer.hpp>

namespace corio::redis::detail {

namespace json = boost::json;

namespace {

/// The attachments of `args` as the JSON of a Node Buffer
/// (`{"type":"Buffer","data":[...]}`): how binary crosses a JSON request.
json::array to_json_values(const arguments& args)
{
    auto values = args.values();
    if (args.attachments().empty())
        return values;
    json::value tree(std::move(values));
    protocol::for_each_placeholder(tree, [&](json::value& v) {
        if (auto i = protocol::placeholder_index(v); i && *i < args.attachments().size()) {
            json::array bytes;
            for (unsigned char c : args.attachments()[*i])
                bytes.emplace_back(c);
            v = json::object{{"type", "Buffer"}, {"data", std::move(bytes)}};
        }
        return true;
    });
    return std::move(tree.as_array());
}

} // namespace

classic_link::classic_link(std::shared_ptr<cluster_hub> hub, std::string nsp, redis_adapter& owner)
    : cluster_link(hub, nsp, owner), channels_(hub->settings().key, nsp, hub->uid())
{
}

void classic_link::attach()
{
    auto self = shared_from_this();
    hub().subscribe(self, channels_.broadcast_pattern, channel_role::broadcast, cluster_hub::family::pattern);
    hub().subscribe(self, channels_.request, channel_role::request, cluster_hub::family::channel);
    hub().subscribe(self, channels_.response, channel_role::response, cluster_hub::family::channel);
    hub().subscribe(self, channels_.own_response, channel_role::response, cluster_hub::family::channel);
}

void classic_link::unsubscribe_all()
{
    hub().unsubscribe(channels_.broadcast_pattern, cluster_hub::family::pattern);
    for (const auto* c : {&channels_.request, &channels_.response, &channels_.own_response})
        hub().unsubscribe(*c, cluster_hub::family::channel);
}

void classic_link::on_message(channel_role role, std::string_view channel, std::string_view payload)
{
    switch (role) {
    case channel_role::broadcast: on_broadcast(channel, payload); break;
    case channel_role::request: on_request(payload); break;
    case channel_role::response: on_response(payload); break;
    }
}

void classic_link::broadcast(const protocol::socket_packet& packet, const broadcast_options& opts)
{
    hub().publish(channels_.broadcast_channel(opts), wire::encode_broadcast(hub().uid(), packet, opts));
}

void classic_link::on_broadcast(std::string_view channel, std::string_view payload)
{
    // Our own broadcasts come back: recognise them by the uid at the start
    // of the msgpack array (fixarray 3, fixstr 6) without decoding.
    const auto& uid = hub().uid();
    if (payload.size() > 2 + uid.size() && static_cast<unsigned char>(payload[0]) == 0x93 &&
        static_cast<unsigned char>(payload[1]) == (0xa0 | uid.size()) && payload.substr(2, uid.size()) == uid)
        return;
    auto m = wire::decode_broadcast(payload, nsp());
    if (!m) {
        hub().count_malformed("broadcast on " + std::string(channel));
        return;
    }
    if (m->uid == uid)
        return;
    with_owner([&](redis_adapter& a) { a.broadcast_local(m->packet, m->opts); });
}

void classic_link::on_request(std::string_view payload)
{
    auto doc = wire::decode_message(payload);
    if (!doc || !doc->value.is_object()) {
        hub().count_malformed("request on " + channels_.request);
        return;
    }
    with_owner([&](redis_adapter& a) { apply_request(a, std::move(*doc)); });
}

void classic_link::on_response(std::string_view payload)
{
    auto doc = wire::decode_message(payload);
    const auto* m = doc ? doc->value.if_object() : nullptr;
    if (!m) {
        hub().count_malformed("response on " + channels_.response);
        return;
    }
    auto id = std::string(wire::string_field(*m, "requestId"));
    auto found = find_pending(id);
    if (!found)
        return; // another server's request, or one that ended
    auto& p = *found;
    auto type = wire::type_of(*m);
    count_reply(p);
    if (auto sink = p.fetch.lock()) {
        auto sockets = wire::decode_sockets(*m);
        if (!sockets) {
            hub().count_malformed("fetch response");
            return;
        }
        sink->reply(std::move(*sockets));
    } else if (auto emit = p.emit.lock()) {
        emit->reply(wire::answer_argument(*m, "data"));
    } else if (auto acks = p.acks.lock()) {
        if (type == static_cast<int>(wire::request_type::broadcast_client_count)) {
            const auto* n = m->if_contains("clientCount");
            if (n && n->is_int64() && n->get_int64() >= 0)
                acks->server_sent(static_cast<std::size_t>(n->get_int64()));
        } else if (type == static_cast<int>(wire::request_type::broadcast_ack)) {
            acks->answer(wire::answer_argument(*m, "packet", std::move(doc->attachments)));
        }
    }
}

void classic_link::apply_request(redis_adapter& a, protocol::msgpack::document message)
{
    auto& m = message.value.get_object();
    auto type = wire::type_of(m);
    if (!type) {
        hub().count_malformed("request without a type");
        return;
    }
    const auto uid = std::string(wire::string_field(m, "uid"));
    const auto id = std::string(wire::string_field(m, "requestId"));
    const bool own = uid == hub().uid();
    auto answer = [&](json::object response) {
        response.emplace("requestId", id);
        respond(uid, protocol::to_json(response));
    };

    switch (static_cast<wire::request_type>(*type)) {
    case wire::request_type::sockets: {
        if (is_own_request(id))
            return;
        broadcast_options opts;
        for (auto& r : wire::rooms_field(m))
            opts.rooms.insert(std::move(r));
        json::array ids;
        for (const auto& s : a.fetch_local(opts))
            ids.emplace_back(s.id);
        answer({{"sockets", std::move(ids)}});
        return;
    }
    case wire::request_type::all_rooms:
        if (!is_own_request(id))
            answer({{"rooms", wire::to_array(a.local_rooms())}});
        return;
    case wire::request_type::remote_join:
    case wire::request_type::remote_leave: {
        // This server applied its own at once.
        if (own)
            return;
        const bool join_rooms = *type == static_cast<int>(wire::request_type::remote_join);
        if (const auto* opts = m.if_contains("opts")) {
            auto selector = wire::decode_selector(opts);
            auto rooms = wire::rooms_field(m);
            if (join_rooms)
                a.add_sockets_local(selector, rooms);
            else
                a.del_sockets_local(selector, rooms);
            return;
        }
        // The legacy form: one socket, one room, and an answer.
        auto sid = std::string(wire::string_field(m, "sid"));
        auto room = std::string(wire::string_field(m, "room"));
        if (sid.empty() || room.empty() || a.rooms_of(sid).empty())
            return;
        if (join_rooms)
            a.join(sid, room);
        else
            a.leave(sid, room);
        answer({});
        return;
    }
    case wire::request_type::remote_disconnect: {
        if (own)
            return;
        const auto* close = m.if_contains("close");
        const bool close_connection = close && close->is_bool() && close->get_bool();
        if (const auto* opts = m.if_contains("opts")) {
            a.disconnect_local(wire::decode_selector(opts), close_connection);
            return;
        }
        auto sid = std::string(wire::string_field(m, "sid"));
        if (sid.empty() || a.rooms_of(sid).empty())
            return;
        broadcast_options one;
        one.rooms.insert(sid);
        a.disconnect_local(one, close_connection);
        answer({});
        return;
    }
    case wire::request_type::remote_fetch: {
        if (is_own_request(id))
            return;
        json::array sockets;
        for (const auto& s : a.fetch_local(wire::decode_selector(m.if_contains("opts"))))
            sockets.push_back(wire::encode_socket(s));
        answer({{"sockets", std::move(sockets)}});
        return;
    }
    case wire::request_type::server_side_emit: {
        if (own)
            return;
        const auto* data = m.if_contains("data");
        if (!wire::is_event(data)) {
            hub().count_malformed("server-side emit");
            return;
        }
        std::function<void(arguments)> reply;
        if (!id.empty()) {
            // Always on the shared response channel, as Node does; only the
            // first argument travels.
            reply = [link = std::static_pointer_cast<classic_link>(shared_from_this()), id](arguments args) {
                json::object response{{"type", static_cast<int>(wire::request_type::server_side_emit)},
                                      {"requestId", id}};
                if (!args.values().empty())
                    response.emplace("data", args.values().front());
                link->respond({}, protocol::to_json(response));
            };
        }
        a.local().on_server_event(arguments(std::move(data->get_array())), !id.empty(), std::move(reply));
        return;
    }
    case wire::request_type::broadcast: {
        if (is_own_request(id))
            return;
        auto* p = m.if_contains("packet");
        auto* packet_data = p && p->is_object() ? p->get_object().if_contains("data") : nullptr;
        if (!wire::is_event(packet_data)) {
            hub().count_malformed("broadcast with acks");
            return;
        }
        auto opts = wire::decode_selector(m.if_contains("opts"));
        auto timeout = wire::decode_ack_timeout(m.if_contains("opts"));
        protocol::socket_packet packet;
        packet.type = protocol::socket_packet_type::event;
        packet.nsp = a.local().name();
        packet.data = std::move(*packet_data);
        packet.attachments = std::move(message.attachments);
        auto link = std::static_pointer_cast<classic_link>(shared_from_this());
        auto asked = a.broadcast_with_ack_local(packet, opts, timeout, [link, id, uid](socket_ack_result r) {
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

void classic_link::respond(std::string_view requester, std::string payload)
{
    auto channel = hub().settings().publish_on_specific_response_channel && !requester.empty()
                       ? channels_.response_channel_of(requester)
                       : channels_.response;
    hub().publish(std::move(channel), std::move(payload));
}

void classic_link::fetch(const broadcast_options& opts, std::vector<socket_info> local,
                           std::shared_ptr<reply_sink<std::vector<socket_info>>> sink)
{
    auto id = add_pending({.fetch = sink}, true);
    if (!id)
        return;
    json::object request;
    request.emplace("uid", hub().uid());
    request.emplace("requestId", *id);
    request.emplace("type", static_cast<int>(wire::request_type::remote_fetch));
    request.emplace("opts", wire::encode_selector(opts));
    send_request(*id, channels_.request, protocol::to_json(request), [sink, local = std::move(local)](std::size_t servers) mutable {
        // Every server answers, this one included (its part is `local`).
        sink->reply(std::move(local));
        sink->expect(servers);
    });
}

void classic_link::server_side_emit(const arguments& args, std::shared_ptr<reply_sink<arguments>> sink)
{
    json::object request;
    request.emplace("uid", hub().uid());
    request.emplace("type", static_cast<int>(wire::request_type::server_side_emit));
    request.emplace("data", to_json_values(args));
    if (!sink) {
        hub().publish(channels_.request, protocol::to_json(request));
        return;
    }
    auto id = add_pending({.emit = sink}, true);
    if (!id)
        return;
    request.emplace("requestId", *id);
    send_request(*id, channels_.request, protocol::to_json(request),
                 [sink](std::size_t servers) { sink->expect(servers - 1); });
}

void classic_link::broadcast_with_ack(const protocol::socket_packet& packet, const broadcast_options& opts,
                                        std::chrono::milliseconds timeout, std::shared_ptr<broadcast_ack_sink> sink)
{
    // Ended by the sink's own deadline (the ack timeout), which may be
    // longer than requests_timeout.
    auto id = add_pending({.acks = sink}, false);
    if (!id)
        return;
    json::object request;
    request.emplace("uid", hub().uid());
    request.emplace("requestId", *id);
    request.emplace("type", static_cast<int>(wire::request_type::broadcast));
    request.emplace("packet", wire::encode_packet(packet));
    request.emplace("opts", wire::encode_selector_with_timeout(opts, timeout));
    send_request(*id, channels_.request, protocol::msgpack::encode(request, packet.attachments),
                 [sink](std::size_t servers) { sink->expect_servers(servers); });
}

void classic_link::publish_operation(remote_operation op, const broadcast_options& opts,
                                     const std::vector<std::string>& rooms, bool close, adapter_completion done)
{
    if (opts.local) {
        if (done)
            done({});
        return;
    }
    json::object request;
    request.emplace("uid", hub().uid());
    request.emplace("type", static_cast<int>(op == remote_operation::join    ? wire::request_type::remote_join
                                             : op == remote_operation::leave ? wire::request_type::remote_leave
                                                                             : wire::request_type::remote_disconnect));
    request.emplace("opts", wire::encode_selector(opts));
    if (op == remote_operation::disconnect)
        request.emplace("close", close);
    else
        request.emplace("rooms", wire::to_array(rooms));
    hub().publish(channels_.request, protocol::to_json(request), [done = std::move(done)](boost::system::error_code ec) {
        if (done)
            done(ec);
    });
}

} // namespace corio::redis::detail
