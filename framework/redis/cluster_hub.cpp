#include "cluster_hub.hpp"

#include "classic_link.hpp"
#include "redis_adapter.hpp"
#include "sharded_link.hpp"
#include "streams_link.hpp"
#include "streams_wire.hpp"

#include <corio/error.hpp>

namespace corio::redis {

std::shared_ptr<cluster> cluster::create(std::shared_ptr<connection> pub, std::shared_ptr<subscriber> sub,
                                         adapter_options opts)
{
    auto hub = std::make_shared<detail::cluster_hub>(
        std::move(pub), std::move(sub), nullptr,
        detail::hub_settings{.key = std::move(opts.key),
                             .requests_timeout = opts.requests_timeout,
                             .publish_on_specific_response_channel = opts.publish_on_specific_response_channel,
                             .log = std::move(opts.log)});
    hub->start();
    return hub;
}

std::shared_ptr<cluster> cluster::create_sharded(std::shared_ptr<connection> pub, std::shared_ptr<subscriber> sub,
                                                 sharded_adapter_options opts)
{
    auto hub = std::make_shared<detail::cluster_hub>(std::move(pub), std::move(sub), nullptr,
                                                     detail::hub_settings{.kind = detail::variant::sharded,
                                                                          .key = std::move(opts.channel_prefix),
                                                                          .requests_timeout = opts.requests_timeout,
                                                                          .mode = opts.mode,
                                                                          .log = std::move(opts.log)});
    hub->start();
    return hub;
}

std::shared_ptr<cluster> cluster::create_streams(std::shared_ptr<connection> pub, std::shared_ptr<subscriber> sub,
                                                 std::shared_ptr<connection> reader, streams_adapter_options opts)
{
    detail::hub_settings settings{.kind = detail::variant::streams,
                                  .key = opts.channel_prefix,
                                  .requests_timeout = opts.requests_timeout,
                                  .mode = subscription_mode::static_,
                                  .log = opts.log};
    settings.streams = std::move(opts);
    auto hub = std::make_shared<detail::cluster_hub>(std::move(pub), std::move(sub), std::move(reader),
                                                     std::move(settings));
    hub->start();
    return hub;
}

adapter_factory create_adapter(std::shared_ptr<connection> pub, std::shared_ptr<subscriber> sub,
                               adapter_options opts)
{
    return cluster::create(std::move(pub), std::move(sub), std::move(opts))->factory();
}

adapter_factory create_sharded_adapter(std::shared_ptr<connection> pub, std::shared_ptr<subscriber> sub,
                                       sharded_adapter_options opts)
{
    return cluster::create_sharded(std::move(pub), std::move(sub), std::move(opts))->factory();
}

adapter_factory create_streams_adapter(std::shared_ptr<connection> pub, std::shared_ptr<subscriber> sub,
                                       std::shared_ptr<connection> reader, streams_adapter_options opts)
{
    return cluster::create_streams(std::move(pub), std::move(sub), std::move(reader), std::move(opts))->factory();
}

} // namespace corio::redis

namespace corio::redis::detail {

namespace {

/// The characters of Node's uid2.
constexpr std::string_view id_chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr auto warning_interval = std::chrono::seconds(10);

} // namespace

cluster_hub::cluster_hub(std::shared_ptr<connection> pub, std::shared_ptr<subscriber> sub,
                         std::shared_ptr<connection> reader, hub_settings settings)
    : pub_(std::move(pub)), sub_(std::move(sub)), reader_(std::move(reader)), settings_(std::move(settings)),
      random_(std::random_device{}()), uid_(make_id())
{
    if (settings_.kind == variant::streams && !reader_)
        throw std::invalid_argument("corio::redis::cluster::create_streams: no reader connection");
    if (reader_)
        retry_timer_ = std::make_unique<boost::asio::steady_timer>(reader_->get_executor());
}

void cluster_hub::start()
{
    // The subscriber's strand calls this; the hub lives as long as the
    // subscriber holds the handler, which the caller closes on shutdown.
    sub_->on_message([weak = weak_from_this()](const message& m) {
        if (auto self = weak.lock())
            self->on_message(m);
    });
    if (settings_.kind == variant::streams)
        read_stream();
}

adapter_factory cluster_hub::factory()
{
    return [self = shared_from_this()](local_namespace& nsp) -> std::unique_ptr<adapter> {
        auto a = std::make_unique<redis_adapter>(nsp);
        std::shared_ptr<cluster_link> link;
        switch (self->settings_.kind) {
        case variant::classic: link = std::make_shared<classic_link>(self, nsp.name(), *a); break;
        case variant::sharded: link = std::make_shared<sharded_link>(self, nsp.name(), *a); break;
        case variant::streams: link = std::make_shared<streams_link>(self, nsp.name(), *a); break;
        }
        a->attach(std::move(link));
        return a;
    };
}

adapter_stats cluster_hub::stats() const noexcept
{
    return {.published = published_.load(),
            .unpublished = unpublished_.load(),
            .malformed = malformed_.load(),
            .received = received_.load(std::memory_order_relaxed),
            .request_timeouts = request_timeouts_.load(std::memory_order_relaxed),
            .publisher_reconnects = pub_->reconnects(),
            .subscriber_reconnects = sub_->reconnects()};
}

void cluster_hub::subscribe(const std::shared_ptr<cluster_link>& link, std::string channel, channel_role role,
                            family f)
{
    {
        std::lock_guard lock(routes_mutex_);
        routes_[channel] = {link, role};
    }
    switch (f) {
    case family::channel: sub_->subscribe(std::move(channel)); break;
    case family::pattern: sub_->psubscribe(std::move(channel)); break;
    case family::shard: sub_->ssubscribe(std::move(channel)); break;
    }
}

void cluster_hub::unsubscribe(const std::string& channel, family f)
{
    switch (f) {
    case family::channel: sub_->unsubscribe(channel); break;
    case family::pattern: sub_->punsubscribe(channel); break;
    case family::shard: sub_->sunsubscribe(channel); break;
    }
    std::lock_guard lock(routes_mutex_);
    routes_.erase(channel);
}

void cluster_hub::on_message(const message& m)
{
    received_.fetch_add(1, std::memory_order_relaxed);
    route r;
    {
        std::lock_guard lock(routes_mutex_);
        auto it = routes_.find(std::string(m.pattern.empty() ? m.channel : m.pattern));
        if (it == routes_.end())
            return;
        r = it->second;
    }
    auto link = r.link.lock();
    if (!link)
        return;
    link->on_message(r.role, m.channel, m.payload);
}

bool cluster_hub::publish(std::string channel, std::string payload, std::function<void(boost::system::error_code)> done)
{
    if (!pub_->connected()) {
        count_unpublished();
        if (done)
            done(corio::error::cluster_unavailable);
        return false;
    }
    // Not queued while Redis is away: published after the reconnect, a
    // broadcast would reach the other nodes long after its local delivery.
    pub_->exec_if_connected({settings_.kind == variant::sharded ? "SPUBLISH" : "PUBLISH", std::move(channel), std::move(payload)},
               [self = shared_from_this(), done = std::move(done)](boost::system::result<reply> r) {
                   if (r && !r->is_error()) {
                       ++self->published_;
                       if (done)
                           done({});
                       return;
                   }
                   self->count_unpublished();
                   if (done)
                       done(corio::error::cluster_unavailable);
               });
    return true;
}

void cluster_hub::server_count(const std::string& channel, std::function<void(boost::system::result<std::size_t>)> done)
{
    if (!reachable()) {
        done(corio::error::cluster_unavailable);
        return;
    }
    pub_->exec({"PUBSUB", settings_.kind == variant::sharded ? "SHARDNUMSUB" : "NUMSUB", channel}, [done = std::move(done)](boost::system::result<reply> r) {
        // [channel, count]
        if (!r || r->type != reply::kind::array || r->elements.size() != 2 ||
            r->elements[1].type != reply::kind::integer) {
            done(corio::error::cluster_unavailable);
            return;
        }
        // This server subscribes too; a count of 0 is a race with a
        // reconnect of the subscriber, and counts this server alone.
        auto n = r->elements[1].integer;
        done(static_cast<std::size_t>(n < 1 ? 1 : n));
    });
}

void cluster_hub::route_stream(const std::shared_ptr<streams_link>& link, const std::string& nsp)
{
    std::lock_guard lock(routes_mutex_);
    stream_routes_[nsp] = link;
}

void cluster_hub::unroute_stream(const std::string& nsp)
{
    std::lock_guard lock(routes_mutex_);
    stream_routes_.erase(nsp);
}

void cluster_hub::add_to_stream(std::vector<std::string> fields,
                                std::function<void(boost::system::result<std::string>)> done)
{
    if (!pub_->connected()) {
        count_unpublished();
        if (done)
            done(corio::error::cluster_unavailable);
        return;
    }
    std::vector<std::string> args{"XADD", settings_.streams.stream_name, "MAXLEN", "~",
                                  std::to_string(settings_.streams.max_len), "*"};
    args.reserve(args.size() + fields.size());
    std::move(fields.begin(), fields.end(), std::back_inserter(args));
    // Not queued while Redis is away, as publish().
    pub_->exec_if_connected(std::move(args), [self = shared_from_this(), done = std::move(done)](
                                                 boost::system::result<reply> r) {
        if (r && r->type == reply::kind::string) {
            ++self->published_;
            if (done)
                done(std::move(r->str));
            return;
        }
        self->count_unpublished();
        if (done)
            done(corio::error::cluster_unavailable);
    });
}

void cluster_hub::read_stream(std::chrono::milliseconds delay)
{
    auto read = [weak = weak_from_this()] {
        auto self = weak.lock();
        if (!self)
            return;
        const auto& o = self->settings_.streams;
        if (self->stream_offset_.empty()) {
            // Entries added after this command are the ones to read.
            self->reader_->exec({"XREVRANGE", o.stream_name, "+", "-", "COUNT", "1"},
                                [weak](boost::system::result<reply> r) {
                                    if (auto hub = weak.lock())
                                        hub->on_stream_end(r);
                                });
            return;
        }
        self->reader_->exec({"XREAD", "COUNT", std::to_string(o.read_count), "BLOCK",
                             std::to_string(o.block_time.count()), "STREAMS", o.stream_name, self->stream_offset_},
                            [weak](boost::system::result<reply> r) {
                                if (auto hub = weak.lock())
                                    hub->on_stream_read(r);
                            });
    };
    if (delay.count() == 0) {
        read();
        return;
    }
    retry_timer_->expires_after(delay);
    retry_timer_->async_wait([read](boost::system::error_code ec) {
        if (!ec)
            read();
    });
}

void cluster_hub::retry_read(const boost::system::result<reply>& r, std::string_view what)
{
    if (!r && r.error() == error::closed)
        return; // the caller closed the reader: the end
    // Lost connections retry at once: the command waits in the reader's
    // queue for the reconnect.
    if (!r && r.error() != error::not_connected) {
        read_stream();
        return;
    }
    log({.level = log_level::warning, .message = what,
         .reason = r ? std::string_view(r->str) : std::string_view("not connected")});
    read_stream(std::chrono::seconds(1));
}

void cluster_hub::on_stream_end(const boost::system::result<reply>& r)
{
    if (!r || r->is_error()) {
        retry_read(r, "Redis adapter cannot find the end of its stream");
        return;
    }
    // [[id, fields]], or [] when the stream is empty (or not there yet).
    const bool some = r->type == reply::kind::array && !r->elements.empty() && !r->elements[0].elements.empty();
    stream_offset_ = some ? r->elements[0].elements[0].str : "0-0";
    read_stream();
}

void cluster_hub::on_stream_read(const boost::system::result<reply>& r)
{
    if (!r || r->is_error()) {
        retry_read(r, "Redis adapter cannot read its stream");
        return;
    }
    // nil when BLOCK timed out; else [[stream, [[id, [field, value, ...]], ...]]].
    if (r->type == reply::kind::array && !r->elements.empty() && r->elements[0].elements.size() == 2) {
        for (const auto& e : r->elements[0].elements[1].elements) {
            if (e.elements.size() != 2 || e.elements[0].type != reply::kind::string)
                continue;
            stream_offset_ = e.elements[0].str;
            received_.fetch_add(1, std::memory_order_relaxed);
            streams_wire::entry entry{.id = e.elements[0].str};
            const auto& fields = e.elements[1].elements;
            for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
                const auto& name = fields[i].str;
                const auto& value = fields[i + 1].str;
                if (name == "uid")
                    entry.uid = value;
                else if (name == "nsp")
                    entry.nsp = value;
                else if (name == "type")
                    entry.type = streams_wire::to_type(value);
                else if (name == "data")
                    entry.data = value;
            }
            if (entry.uid == uid_)
                continue; // this server's own, delivered here already
            std::shared_ptr<streams_link> link;
            {
                std::lock_guard lock(routes_mutex_);
                auto it = stream_routes_.find(entry.nsp);
                if (it != stream_routes_.end())
                    link = it->second.lock();
            }
            if (link)
                link->on_stream_entry(std::move(entry));
        }
    }
    read_stream();
}

std::string cluster_hub::make_id()
{
    std::lock_guard lock(id_mutex_);
    auto bits = random_();
    if (settings_.kind != variant::classic) {
        constexpr std::string_view hex = "0123456789abcdef";
        std::string id(16, ' ');
        for (auto& c : id) {
            c = hex[bits & 0xf];
            bits >>= 4;
        }
        return id;
    }
    std::string id(6, ' ');
    for (auto& c : id) {
        c = id_chars[bits % id_chars.size()];
        bits /= id_chars.size();
    }
    return id;
}

void cluster_hub::count_malformed(std::string_view what)
{
    ++malformed_;
    log({.level = log_level::warning, .message = "Redis adapter dropped a malformed message", .reason = what});
}

void cluster_hub::count_unpublished()
{
    ++unpublished_;
    ++unpublished_unreported_;
    auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    auto last = last_warning_.load();
    auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(warning_interval).count();
    if (last != 0 && now - last < interval)
        return;
    if (!last_warning_.compare_exchange_strong(last, now))
        return;
    auto n = unpublished_unreported_.exchange(0);
    if (!settings_.log.enabled(log_level::warning))
        return;
    auto text = std::to_string(n) + " message(s) reached this server only since the last report";
    log({.level = log_level::warning, .message = "Redis is unreachable", .reason = text});
}

} // namespace corio::redis::detail
