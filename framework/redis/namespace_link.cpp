#include "namespace_link.hpp"

#include "cluster_hub.hpp"
#include "redis_adapter.hpp"

#include <corio/error.hpp>
#include <corio/protocol/json_writer.hpp>

#include <boost/asio/steady_timer.hpp>

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

namespace_link::namespace_link(std::shared_ptr<cluster_hub> hub, std::string nsp, redis_adapter& owner)
    : hub_(std::move(hub)), nsp_(std::move(nsp)), channels_(hub_->options().key, nsp_, hub_->uid()), owner_(&owner)
{
}

void namespace_link::detach()
{
    hub_->detach(*this);
    std::unique_lock lock(owner_mutex_);
    owner_ = nullptr;
}

void namespace_link::on_broadcast(std::string_view channel, std::string_view payload)
{
    // Our own broadcasts come back: recognise them by the uid at the start
    // of the msgpack array (fixarray 3, fixstr 6) without decoding.
    const auto& uid = hub_->uid();
    if (payload.size() > 2 + uid.size() && static_cast<unsigned char>(payload[0]) == 0x93 &&
        static_cast<unsigned char>(payload[1]) == (0xa0 | uid.size()) && payload.substr(2, uid.size()) == uid)
        return;
    auto m = wire::decode_broadcast(payload, nsp_);
    if (!m) {
        hub_->count_malformed("broadcast on " + std::string(channel));
        return;
    }
    if (m->uid == uid)
        return;
    std::shared_lock lock(owner_mutex_);
    if (owner_)
        owner_->apply_broadcast(m->packet, m->opts);
}

void namespace_link::on_request(std::string_view payload)
{
    auto doc = wire::decode_message(payload);
    if (!doc || !doc->value.is_object()) {
        hub_->count_malformed("request on " + channels_.request);
        return;
    }
    std::shared_lock lock(owner_mutex_);
    if (owner_)
        owner_->apply_request(std::move(*doc));
}

void namespace_link::on_response(std::string_view payload)
{
    auto doc = wire::decode_message(payload);
    const auto* m = doc ? doc->value.if_object() : nullptr;
    if (!m) {
        hub_->count_malformed("response on " + channels_.response);
        return;
    }
    auto id = std::string(wire::string_field(*m, "requestId"));
    pending p;
    {
        std::lock_guard lock(pending_mutex_);
        auto it = pending_.find(id);
        if (it == pending_.end())
            return; // another server's request, or one that ended
        p = it->second;
    }
    auto type = wire::type_of(*m);
    if (auto sink = p.fetch.lock()) {
        const auto* sockets = m->if_contains("sockets");
        if (!sockets || !sockets->is_array()) {
            hub_->count_malformed("fetch response");
            return;
        }
        std::vector<socket_info> infos;
        for (const auto& s : sockets->get_array())
            if (auto info = wire::decode_socket(s))
                infos.push_back(std::move(*info));
        sink->reply(std::move(infos));
    } else if (auto emit = p.emit.lock()) {
        json::array values;
        if (const auto* data = m->if_contains("data"))
            values.push_back(*data);
        emit->reply(arguments(std::move(values)));
    } else if (auto acks = p.acks.lock()) {
        if (type == static_cast<int>(wire::request_type::broadcast_client_count)) {
            const auto* n = m->if_contains("clientCount");
            if (n && n->is_int64() && n->get_int64() >= 0)
                acks->server_sent(static_cast<std::size_t>(n->get_int64()));
        } else if (type == static_cast<int>(wire::request_type::broadcast_ack)) {
            json::array values;
            if (const auto* packet = m->if_contains("packet"))
                values.push_back(*packet);
            acks->answer(arguments(std::move(values), std::move(doc->attachments)));
        }
    }
}

bool namespace_link::is_own_request(std::string_view id) const
{
    std::lock_guard lock(pending_mutex_);
    return pending_.contains(std::string(id));
}

void namespace_link::respond(std::string_view requester, std::string payload)
{
    auto channel = hub_->options().publish_on_specific_response_channel && !requester.empty()
                       ? channels_.response_channel_of(requester)
                       : channels_.response;
    hub_->publish(std::move(channel), std::move(payload));
}

std::string namespace_link::add_pending(pending p, bool timed)
{
    auto id = hub_->make_id();
    {
        std::lock_guard lock(pending_mutex_);
        // Requests end by their sinks' deadlines; forget the ended ones.
        std::erase_if(pending_, [](const auto& e) {
            return e.second.fetch.expired() && e.second.emit.expired() && e.second.acks.expired();
        });
        pending_[id] = std::move(p);
    }
    if (!timed)
        return id;
    auto timer = std::make_shared<boost::asio::steady_timer>(hub_->get_executor(), hub_->options().requests_timeout);
    timer->async_wait([timer, weak = weak_from_this(), id](boost::system::error_code ec) {
        if (ec)
            return;
        if (auto self = weak.lock())
            self->fail_pending(id, corio::error::cluster_timeout);
    });
    return id;
}

void namespace_link::fail_pending(const std::string& id, boost::system::error_code ec)
{
    pending p;
    {
        std::lock_guard lock(pending_mutex_);
        auto it = pending_.find(id);
        if (it == pending_.end())
            return;
        p = std::move(it->second);
        pending_.erase(it);
    }
    if (auto s = p.fetch.lock())
        s->fail(ec);
    if (auto s = p.emit.lock())
        s->fail(ec);
    if (auto s = p.acks.lock())
        s->fail(ec);
}

void namespace_link::send_request(std::string id, std::string payload, std::function<void(std::size_t)> sent)
{
    hub_->server_count(channels_.request, [self = shared_from_this(), id = std::move(id), payload = std::move(payload),
                                           sent = std::move(sent)](boost::system::result<std::size_t> servers) mutable {
        if (!servers) {
            self->fail_pending(id, servers.error());
            return;
        }
        auto n = *servers;
        self->hub_->publish(self->channels_.request, std::move(payload),
                            [self, id, n, sent = std::move(sent)](boost::system::error_code ec) {
                                if (ec)
                                    self->fail_pending(id, ec);
                                else
                                    sent(n);
                            });
    });
}

void namespace_link::fetch(const broadcast_options& opts, std::vector<socket_info> local,
                           std::shared_ptr<reply_sink<std::vector<socket_info>>> sink)
{
    if (!hub_->reachable()) {
        sink->fail(corio::error::cluster_unavailable);
        return;
    }
    auto id = add_pending({.fetch = sink}, true);
    json::object request;
    request.emplace("uid", hub_->uid());
    request.emplace("requestId", id);
    request.emplace("type", static_cast<int>(wire::request_type::remote_fetch));
    request.emplace("opts", wire::encode_selector(opts));
    send_request(id, protocol::to_json(request), [sink, local = std::move(local)](std::size_t servers) mutable {
        // Every server answers, this one included (its part is `local`).
        sink->reply(std::move(local));
        sink->expect(servers);
    });
}

void namespace_link::server_side_emit(const arguments& args, std::shared_ptr<reply_sink<arguments>> sink)
{
    json::object request;
    request.emplace("uid", hub_->uid());
    request.emplace("type", static_cast<int>(wire::request_type::server_side_emit));
    request.emplace("data", to_json_values(args));
    if (!sink) {
        hub_->publish(channels_.request, protocol::to_json(request));
        return;
    }
    if (!hub_->reachable()) {
        sink->fail(corio::error::cluster_unavailable);
        return;
    }
    auto id = add_pending({.emit = sink}, true);
    request.emplace("requestId", id);
    send_request(id, protocol::to_json(request), [sink](std::size_t servers) { sink->expect(servers - 1); });
}

void namespace_link::broadcast_with_ack(const protocol::socket_packet& packet, const broadcast_options& opts,
                                        std::chrono::milliseconds timeout, std::shared_ptr<broadcast_ack_sink> sink)
{
    if (!hub_->reachable()) {
        sink->fail(corio::error::cluster_unavailable);
        return;
    }
    // Ended by the sink's own deadline (the ack timeout), which may be
    // longer than requests_timeout.
    auto id = add_pending({.acks = sink}, false);
    json::object p;
    p.emplace("type", static_cast<int>(protocol::socket_packet_type::event));
    p.emplace("data", packet.data ? *packet.data : json::value(json::array{}));
    p.emplace("nsp", packet.nsp);
    auto selector = wire::encode_selector(opts);
    selector.emplace("flags", json::object{{"timeout", timeout.count()}});
    json::object request;
    request.emplace("uid", hub_->uid());
    request.emplace("requestId", id);
    request.emplace("type", static_cast<int>(wire::request_type::broadcast));
    request.emplace("packet", std::move(p));
    request.emplace("opts", std::move(selector));
    send_request(id, protocol::msgpack::encode(request, packet.attachments),
                 [sink](std::size_t servers) { sink->expect_servers(servers); });
}

void namespace_link::publish_operation(wire::request_type type, const broadcast_options& opts, json::object fields,
                                       adapter_completion done)
{
    if (opts.local) {
        if (done)
            done({});
        return;
    }
    json::object request;
    request.emplace("uid", hub_->uid());
    request.emplace("type", static_cast<int>(type));
    request.emplace("opts", wire::encode_selector(opts));
    for (auto& [k, v] : fields)
        request.emplace(k, std::move(v));
    hub_->publish(channels_.request, protocol::to_json(request), [done = std::move(done)](boost::system::error_code ec) {
        if (done)
            done(ec);
    });
}

} // namespace corio::redis::detail
