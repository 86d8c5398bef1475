#include "streams_link.hpp"

#include "adapter_wire.hpp"
#include "cluster_hub.hpp"
#include "redis_adapter.hpp"

#include <corio/protocol/msgpack.hpp>

namespace corio::redis::detail {

namespace json = boost::json;
using sharded_wire::message_type;

namespace {

/// An argument a server accepted sits three levels down in an entry's
/// data: {packet: {data: [event, argument]}}.
constexpr std::size_t entry_depth = 3;

/// Entries read per XRANGE when restoring, and the most pages read: a
/// stream written faster than it is read cannot hold a restore forever.
constexpr std::size_t missed_page = 1000;
constexpr std::size_t max_missed_pages = 100;

} // namespace

/// One restore under way.
struct streams_link::restore_state {
    std::function<void(std::optional<restored_session>)> done;
    std::optional<persisted_session> session;
    /// The id of the last entry read.
    std::string from;
    std::size_t pages = 0;
    std::vector<protocol::socket_packet> missed;
};

streams_link::streams_link(std::shared_ptr<cluster_hub> hub, std::string nsp, redis_adapter& owner)
    : sharded_link(std::move(hub), std::move(nsp), owner)
{
}

void streams_link::attach()
{
    sharded_link::attach();
    hub().route_stream(std::static_pointer_cast<streams_link>(shared_from_this()), nsp());
}

void streams_link::unsubscribe_all()
{
    hub().unroute_stream(nsp());
    sharded_link::unsubscribe_all();
}

std::string streams_link::encode(message_type type, json::object data,
                                 const std::vector<std::string>& attachments) const
{
    json::object m;
    m.reserve(4);
    m.emplace("uid", hub().uid());
    m.emplace("nsp", nsp());
    m.emplace("type", static_cast<int>(type));
    m.emplace("data", std::move(data));
    return protocol::msgpack::encode(m, attachments);
}

void streams_link::on_stream_entry(streams_wire::entry e)
{
    if (!e.type) {
        hub().count_malformed("stream entry without a type");
        return;
    }
    auto type = static_cast<message_type>(*e.type);
    if (type == message_type::initial_heartbeat || type == message_type::heartbeat ||
        type == message_type::adapter_close)
        return;
    auto doc = streams_wire::decode_data(e.data, entry_depth);
    if (!doc || sharded_wire::is_response(*e.type)) {
        hub().count_malformed("stream entry of type " + std::to_string(*e.type));
        return;
    }
    with_owner([&](redis_adapter& a) {
        apply(a, *e.type, e.uid, doc->value.get_object(), std::move(doc->attachments), e.id);
    });
}

std::vector<std::string> streams_link::broadcast_entry(const protocol::socket_packet& packet,
                                                      const broadcast_options& opts) const
{
    json::object data;
    data.emplace("packet", wire::encode_packet(packet));
    data.emplace("opts", wire::encode_selector_with_flags(opts));
    return streams_wire::entry_fields(hub().uid(), nsp(), message_type::broadcast, data, packet.attachments);
}

void streams_link::broadcast(const protocol::socket_packet& packet, const broadcast_options& opts)
{
    hub().add_to_stream(broadcast_entry(packet, opts));
}

void streams_link::broadcast_with_offset(const protocol::socket_packet& packet, const broadcast_options& opts)
{
    auto self = std::static_pointer_cast<streams_link>(shared_from_this());
    // The command connection answers in order, so this server's sockets get
    // the events in the stream's order.
    hub().add_to_stream(
        broadcast_entry(packet, opts),
        [self, packet = protocol::socket_packet(packet), opts](boost::system::result<std::string> id) mutable {
            if (id)
                packet.data->get_array().emplace_back(*id);
            self->with_owner([&](redis_adapter& a) { a.broadcast_local(packet, opts); });
        });
}

void streams_link::send_operation(message_type type, json::object data, adapter_completion done)
{
    hub().add_to_stream(streams_wire::entry_fields(hub().uid(), nsp(), type, data),
                        [done = std::move(done)](boost::system::result<std::string> id) {
                            if (done)
                                done(id ? boost::system::error_code{} : id.error());
                        });
}

// Sessions. ------------------------------------------------------------------------

void streams_link::persist_session(const persisted_session& s, std::chrono::milliseconds ttl)
{
    hub().exec({"SET", hub().settings().streams.session_key_prefix + s.pid, streams_wire::encode_session(s), "PX",
                std::to_string(std::max<std::int64_t>(ttl.count(), 1))},
               [](const boost::system::result<reply>&) {});
}

void streams_link::restore_session(std::string pid, std::string offset,
                                   std::function<void(std::optional<restored_session>)> done)
{
    // Not waiting for Redis to come back: the client is at the door.
    if (!streams_wire::is_entry_id(offset) || !hub().reachable()) {
        done(std::nullopt);
        return;
    }
    auto state = std::make_shared<restore_state>();
    state->done = std::move(done);
    state->from = offset;
    // Replies come in order: the session first, then whether the entry at
    // the offset is still in the stream.
    hub().exec({"GETDEL", hub().settings().streams.session_key_prefix + pid},
               [state](boost::system::result<reply> r) {
                   if (r && r->type == reply::kind::string)
                       state->session = streams_wire::decode_session(r->str);
               });
    auto self = std::static_pointer_cast<streams_link>(shared_from_this());
    hub().exec({"XRANGE", hub().settings().streams.stream_name, offset, offset},
               [self, state](boost::system::result<reply> r) {
                   const bool offset_kept = r && r->type == reply::kind::array && !r->elements.empty();
                   if (!state->session || !offset_kept) {
                       state->done(std::nullopt);
                       return;
                   }
                   self->read_missed(state);
               });
}

void streams_link::read_missed(std::shared_ptr<restore_state> state)
{
    auto self = std::static_pointer_cast<streams_link>(shared_from_this());
    hub().exec({"XRANGE", hub().settings().streams.stream_name, streams_wire::next_entry_id(state->from), "+",
                "COUNT", std::to_string(missed_page)},
               [self, state](boost::system::result<reply> r) {
                   if (!r || r->type != reply::kind::array) {
                       state->done(std::nullopt);
                       return;
                   }
                   for (const auto& e : r->elements) {
                       if (e.elements.size() != 2)
                           continue;
                       state->from = e.elements[0].str;
                       self->keep_if_missed(*state, e);
                   }
                   if (r->elements.size() < missed_page || ++state->pages == max_missed_pages) {
                       state->done(restored_session{.session = std::move(*state->session),
                                                    .missed = std::move(state->missed)});
                       return;
                   }
                   self->read_missed(state);
               });
}

void streams_link::keep_if_missed(restore_state& state, const reply& e) const
{
    // [id, [field, value, ...]]: the namespace's broadcasts only.
    std::string_view entry_nsp, type, data;
    const auto& fields = e.elements[1].elements;
    for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
        if (fields[i].str == "nsp")
            entry_nsp = fields[i + 1].str;
        else if (fields[i].str == "type")
            type = fields[i + 1].str;
        else if (fields[i].str == "data")
            data = fields[i + 1].str;
    }
    if (entry_nsp != nsp() || type != "3")
        return;
    auto doc = streams_wire::decode_data(data, entry_depth);
    if (!doc)
        return;
    auto& m = doc->value.get_object();
    auto* p = m.if_contains("packet");
    auto* args = p && p->is_object() ? p->get_object().if_contains("data") : nullptr;
    if (!wire::is_event(args))
        return;
    auto opts = wire::decode_selector(m.if_contains("opts"));
    if (opts.is_volatile || !streams_wire::reaches(state.session->rooms, opts))
        return;
    protocol::socket_packet packet;
    packet.type = protocol::socket_packet_type::event;
    packet.nsp = nsp();
    packet.data = std::move(*args);
    packet.data->get_array().emplace_back(e.elements[0].str);
    packet.attachments = std::move(doc->attachments);
    state.missed.push_back(std::move(packet));
}

} // namespace corio::redis::detail
