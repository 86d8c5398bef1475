#include "adapter_wire.hpp"

#include <corio/protocol/error.hpp>
#include <corio/protocol/json_reader.hpp>
#include <corio/protocol/json_writer.hpp>
#include <corio/protocol/limits.hpp>

#include <boost/json/array.hpp>

namespace corio::redis::wire {

namespace json = boost::json;

namespace {

/// `text` with Redis glob characters escaped, for a pattern that matches
/// it literally.
std::string glob_escape(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\')
            out += '\\';
        out += c;
    }
    return out;
}

json::array to_array(const std::set<std::string>& names)
{
    json::array out;
    out.reserve(names.size());
    for (const auto& n : names)
        out.emplace_back(n);
    return out;
}

/// Room names as JavaScript may send them: strings, or numbers.
void read_names(const json::value* v, std::set<std::string>& out)
{
    const auto* a = v ? v->if_array() : nullptr;
    if (!a)
        return;
    for (const auto& e : *a) {
        if (const auto* s = e.if_string())
            out.emplace(*s);
        else if (e.is_int64())
            out.emplace(std::to_string(e.get_int64()));
        else if (e.is_uint64())
            out.emplace(std::to_string(e.get_uint64()));
        else if (e.is_double())
            out.emplace(protocol::to_json(e));
    }
}

bool flag(const json::object* flags, std::string_view name)
{
    if (!flags)
        return false;
    const auto* v = flags->if_contains(name);
    return v && v->is_bool() && v->get_bool();
}

} // namespace

channels::channels(const std::string& key, const std::string& nsp, const std::string& uid)
    : broadcast(key + "#" + nsp + "#"),
      broadcast_pattern(glob_escape(key + "#" + nsp + "#") + "*"),
      request(key + "-request#" + nsp + "#"),
      response(key + "-response#" + nsp + "#"),
      own_response(response + uid + "#")
{
}

std::string channels::broadcast_channel(const broadcast_options& opts) const
{
    if (opts.rooms.size() == 1)
        return broadcast + *opts.rooms.begin() + "#";
    return broadcast;
}

std::string channels::response_channel_of(std::string_view requester) const
{
    std::string out = response;
    out += requester;
    out += '#';
    return out;
}

json::object encode_packet(const protocol::socket_packet& packet)
{
    json::object p;
    p.reserve(3);
    p.emplace("type", static_cast<int>(protocol::socket_packet_type::event));
    p.emplace("data", packet.data ? *packet.data : json::value(json::array{}));
    p.emplace("nsp", packet.nsp);
    return p;
}

std::string encode_broadcast(std::string_view uid, const protocol::socket_packet& packet,
                             const broadcast_options& opts)
{
    json::array message{json::string(uid), encode_packet(packet), encode_selector_with_flags(opts)};
    return protocol::msgpack::encode(message, packet.attachments);
}

boost::system::result<protocol::msgpack::document> decode_message(std::string_view payload,
                                                                   std::size_t envelope_depth)
{
    // An argument a server accepted (max_json_depth deep) sits three levels
    // down in a classic message: [uid, {data: [event, argument]}, opts].
    const auto max_depth = protocol::decode_limits{}.max_json_depth + envelope_depth;
    if (!payload.empty() && (payload.front() == '{' || payload.front() == '[')) {
        auto v = protocol::parse_json(payload, max_depth);
        if (!v)
            return v.error();
        return protocol::msgpack::document{std::move(*v), {}};
    }
    return protocol::msgpack::decode(payload, max_depth);
}

boost::system::result<broadcast_message> decode_broadcast(std::string_view payload, std::string_view nsp)
{
    auto doc = decode_message(payload);
    if (!doc)
        return doc.error();
    auto* a = doc->value.if_array();
    if (!a || a->size() < 2 || !(*a)[0].is_string() || !(*a)[1].is_object())
        return protocol::error::invalid_payload;
    broadcast_message m;
    m.uid = (*a)[0].get_string();
    auto& p = (*a)[1].get_object();
    const auto* type = p.if_contains("type");
    const bool is_event_type = type && type->is_int64() &&
                          (type->get_int64() == static_cast<int>(protocol::socket_packet_type::event) ||
                           type->get_int64() == static_cast<int>(protocol::socket_packet_type::binary_event));
    auto* data = p.if_contains("data");
    if (!is_event_type || !is_event(data))
        return protocol::error::invalid_payload;
    const auto* packet_nsp = p.if_contains("nsp");
    if (packet_nsp && !(packet_nsp->is_string() && packet_nsp->get_string() == nsp))
        return protocol::error::invalid_namespace;
    if (!packet_nsp && nsp != "/")
        return protocol::error::invalid_namespace;
    m.packet.type = protocol::socket_packet_type::event;
    m.packet.nsp = std::string(nsp);
    m.packet.data = std::move(*data);
    m.packet.attachments = std::move(doc->attachments);
    if (a->size() > 2)
        m.opts = decode_selector(&(*a)[2]);
    m.opts.local = false;
    return m;
}

json::array to_array(const std::vector<std::string>& names)
{
    json::array out;
    out.reserve(names.size());
    for (const auto& n : names)
        out.emplace_back(n);
    return out;
}

json::object encode_selector(const broadcast_options& opts)
{
    json::object o;
    o.reserve(3);
    o.emplace("rooms", to_array(opts.rooms));
    o.emplace("except", to_array(opts.except));
    return o;
}

json::object encode_selector_with_flags(const broadcast_options& opts)
{
    auto o = encode_selector(opts);
    json::object flags;
    if (opts.is_volatile)
        flags.emplace("volatile", true);
    if (!opts.compress)
        flags.emplace("compress", false);
    o.emplace("flags", std::move(flags));
    return o;
}

json::object encode_selector_with_timeout(const broadcast_options& opts, std::chrono::milliseconds timeout)
{
    auto o = encode_selector(opts);
    o.emplace("flags", json::object{{"timeout", timeout.count()}});
    return o;
}

std::chrono::milliseconds decode_ack_timeout(const json::value* opts)
{
    const auto* o = opts ? opts->if_object() : nullptr;
    const auto* f = o ? o->if_contains("flags") : nullptr;
    const auto* flags = f ? f->if_object() : nullptr;
    const auto* t = flags ? flags->if_contains("timeout") : nullptr;
    if (!t || !t->is_number())
        return std::chrono::milliseconds{5'000};
    return std::chrono::milliseconds(static_cast<std::int64_t>(t->to_number<double>()));
}

broadcast_options decode_selector(const json::value* opts)
{
    broadcast_options out;
    const auto* o = opts ? opts->if_object() : nullptr;
    if (!o)
        return out;
    read_names(o->if_contains("rooms"), out.rooms);
    read_names(o->if_contains("except"), out.except);
    const auto* f = o->if_contains("flags");
    const auto* flags = f ? f->if_object() : nullptr;
    out.is_volatile = flag(flags, "volatile");
    out.local = flag(flags, "local");
    // socket.io sends `compress: false` for compress(false), and leaves it out otherwise.
    const auto* compress = flags ? flags->if_contains("compress") : nullptr;
    out.compress = !(compress && compress->is_bool() && !compress->get_bool());
    return out;
}

json::object encode_socket(const socket_info& info)
{
    json::object o;
    o.reserve(4);
    o.emplace("id", info.id);
    o.emplace("handshake", info.handshake);
    json::array rooms;
    rooms.reserve(info.rooms.size());
    for (const auto& r : info.rooms)
        rooms.emplace_back(r);
    o.emplace("rooms", std::move(rooms));
    o.emplace("data", info.data);
    return o;
}

boost::system::result<socket_info> decode_socket(const json::value& v)
{
    socket_info info;
    if (const auto* id = v.if_string()) {
        info.id = *id;
        return info;
    }
    const auto* o = v.if_object();
    const auto* id = o ? o->if_contains("id") : nullptr;
    if (!id || !id->is_string())
        return protocol::error::invalid_payload;
    info.id = id->get_string();
    if (const auto* h = o->if_contains("handshake"); h && h->is_object())
        info.handshake = h->get_object();
    std::set<std::string> rooms;
    read_names(o->if_contains("rooms"), rooms);
    info.rooms.assign(rooms.begin(), rooms.end());
    if (const auto* d = o->if_contains("data"))
        info.data = *d;
    return info;
}

arguments answer_argument(const json::object& message, std::string_view key, std::vector<std::string> attachments)
{
    json::array values;
    if (const auto* v = message.if_contains(key))
        values.push_back(*v);
    return arguments(std::move(values), std::move(attachments));
}

std::vector<std::string> rooms_field(const json::object& message)
{
    std::set<std::string> names;
    read_names(message.if_contains("rooms"), names);
    return {names.begin(), names.end()};
}

boost::system::result<std::vector<socket_info>> decode_sockets(const json::object& message)
{
    const auto* sockets = message.if_contains("sockets");
    if (!sockets || !sockets->is_array())
        return protocol::error::invalid_payload;
    std::vector<socket_info> infos;
    for (const auto& s : sockets->get_array())
        if (auto info = decode_socket(s))
            infos.push_back(std::move(*info));
    return infos;
}

bool is_event(const json::value* v)
{
    return v && v->is_array() && !v->get_array().empty() && v->get_array().front().is_string();
}

std::optional<int> type_of(const json::object& message)
{
    const auto* t = message.if_contains("type");
    if (!t || !t->is_int64())
        return std::nullopt;
    return static_cast<int>(t->get_int64());
}

std::string_view string_field(const json::object& message, std::string_view key)
{
    const auto* v = message.if_contains(key);
    if (!v || !v->is_string())
        return {};
    return v->get_string();
}

} // namespace corio::redis::wire
