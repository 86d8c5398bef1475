#include <corio/redis/emitter.hpp>

#include "adapter_wire.hpp"

#include <corio/protocol/json_writer.hpp>

#include <stdexcept>

namespace corio::redis {

namespace json = boost::json;

namespace {

/// The node id Node's emitter uses, which no server ever takes.
constexpr std::string_view emitter_uid = "emitter";

/// `[event, args...]` of an EVENT packet.
json::array event_data(std::string_view event, json::array args)
{
    json::array data;
    data.reserve(args.size() + 1);
    data.emplace_back(json::string(event));
    for (auto& v : args)
        data.push_back(std::move(v));
    return data;
}

} // namespace

emitter::emitter(std::shared_ptr<connection> conn, emitter_options opts)
    : conn_(std::move(conn)), opts_(std::make_shared<const emitter_options>(std::move(opts)))
{
}

emitter emitter::of(std::string nsp) const
{
    emitter e(*this);
    e.nsp_ = std::move(nsp);
    e.rooms_.clear();
    e.except_.clear();
    e.volatile_flag_ = false;
    return e;
}

emitter emitter::to(std::string room) const
{
    emitter e(*this);
    e.rooms_.insert(std::move(room));
    return e;
}

emitter emitter::except(std::string room) const
{
    emitter e(*this);
    e.except_.insert(std::move(room));
    return e;
}

emitter emitter::volatile_() const
{
    emitter e(*this);
    e.volatile_flag_ = true;
    return e;
}

void emitter::emit_arguments(std::string_view event, arguments args) const
{
    if (protocol::is_reserved_event_name(event))
        throw std::invalid_argument("corio::redis::emitter: \"" + std::string(event) + "\" is a reserved event name");
    broadcast_options opts{.rooms = rooms_, .except = except_, .is_volatile = volatile_flag_};
    protocol::socket_packet packet;
    packet.type = protocol::socket_packet_type::event;
    packet.nsp = nsp_;
    packet.data = event_data(event, std::move(args.values()));
    packet.attachments = std::move(args.attachments());
    wire::channels channels(opts_->key, nsp_, std::string(emitter_uid));
    publish(channels.broadcast_channel(opts), wire::encode_broadcast(emitter_uid, packet, opts));
}

void emitter::sockets_join(std::vector<std::string> rooms) const
{
    publish_request(static_cast<int>(wire::request_type::remote_join), {{"rooms", wire::to_array(rooms)}});
}

void emitter::sockets_leave(std::vector<std::string> rooms) const
{
    publish_request(static_cast<int>(wire::request_type::remote_leave), {{"rooms", wire::to_array(rooms)}});
}

void emitter::disconnect_sockets(bool close_connection) const
{
    publish_request(static_cast<int>(wire::request_type::remote_disconnect), {{"close", close_connection}});
}

void emitter::server_side_emit_arguments(std::string_view event, arguments args) const
{
    // JSON, as Node's emitter sends it: binary would not survive, so none is
    // accepted rather than silently mangled.
    if (!args.attachments().empty())
        throw std::invalid_argument("corio::redis::emitter: server_side_emit cannot carry binary");
    if (protocol::is_reserved_event_name(event))
        throw std::invalid_argument("corio::redis::emitter: \"" + std::string(event) + "\" is a reserved event name");
    json::object request{{"uid", emitter_uid},
                         {"type", static_cast<int>(wire::request_type::server_side_emit)},
                         {"data", event_data(event, std::move(args.values()))}};
    wire::channels channels(opts_->key, nsp_, std::string(emitter_uid));
    publish(channels.request, protocol::to_json(request));
}

void emitter::publish_request(int type, json::object fields) const
{
    broadcast_options opts{.rooms = rooms_, .except = except_};
    // Node's emitter sends no uid here: every server, and none is the sender.
    json::object request{{"type", type}, {"opts", wire::encode_selector(opts)}};
    for (auto& [k, v] : fields)
        request.emplace(k, std::move(v));
    wire::channels channels(opts_->key, nsp_, std::string(emitter_uid));
    publish(channels.request, protocol::to_json(request));
}

void emitter::publish(std::string channel, std::string payload) const
{
    conn_->exec({"PUBLISH", std::move(channel), std::move(payload)},
                [opts = opts_](boost::system::result<reply> r) {
                    if (!opts->on_error)
                        return;
                    if (!r)
                        opts->on_error(r.error());
                    else if (r->is_error())
                        opts->on_error(error::not_connected);
                });
}

} // namespace corio::redis
