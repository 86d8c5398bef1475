// The subscriber: a link in subscribe mode that restores its set of
// subscriptions after every reconnect and hands messages to one handler.

#include "link.hpp"
#include "resp_writer.hpp"

#include <corio/redis/error.hpp>
#include <corio/redis/subscriber.hpp>

#include <boost/asio/post.hpp>

#include <atomic>
#include <deque>
#include <set>
#include <vector>

namespace corio::redis {

namespace net = boost::asio;

namespace {

// The three kinds of subscription, each with its commands and the first
// element of Redis's confirmation frames (the command in lower case).
enum class family { channel, pattern, shard };

struct verbs {
    std::string_view subscribe;
    std::string_view unsubscribe;
};

constexpr verbs verbs_of(family f) noexcept
{
    switch (f) {
    case family::channel: return {"subscribe", "unsubscribe"};
    case family::pattern: return {"psubscribe", "punsubscribe"};
    case family::shard: return {"ssubscribe", "sunsubscribe"};
    }
    return {};
}

// Channels per SUBSCRIBE or PSUBSCRIBE when restoring a large set.
constexpr std::size_t restore_batch = 256;

std::string_view text_of(const redisReply& r) noexcept
{
    return {r.str, r.len};
}

bool is_text(const redisReply& r) noexcept
{
    return r.type == REDIS_REPLY_STRING || r.type == REDIS_REPLY_STATUS;
}

class subscriber_impl final : public subscriber, public detail::link {
public:
    subscriber_impl(const net::any_io_executor& ex, connection_options opts) : link(ex, std::move(opts)) {}

    void start() override
    {
        net::post(strand(), [self = self()] { self->start_link(); });
    }

    void close() override
    {
        net::post(strand(), [self = self()] { self->do_close(); });
    }

    void subscribe(std::string channel) override { change(family::channel, true, std::move(channel)); }
    void unsubscribe(std::string channel) override { change(family::channel, false, std::move(channel)); }
    void psubscribe(std::string pattern) override { change(family::pattern, true, std::move(pattern)); }
    void punsubscribe(std::string pattern) override { change(family::pattern, false, std::move(pattern)); }
    void ssubscribe(std::string channel) override { change(family::shard, true, std::move(channel)); }
    void sunsubscribe(std::string channel) override { change(family::shard, false, std::move(channel)); }

    void on_message(std::function<void(const message&)> handler) override
    {
        net::post(strand(), [self = self(), handler = std::move(handler)]() mutable {
            if (!self->link_closed())
                self->on_message_ = std::move(handler);
        });
    }

    void on_state(std::function<void(bool)> handler) override
    {
        net::post(strand(), [self = self(), handler = std::move(handler)]() mutable {
            if (!self->link_closed())
                self->on_state_ = std::move(handler);
        });
    }

    bool connected() const noexcept override { return connected_.load(std::memory_order_acquire); }
    std::uint64_t reconnects() const noexcept override { return link::reconnects(); }

private:
    // A command sent and the confirmation frames it still owes: one per
    // name, or a single error reply for the whole command.
    struct sent_command {
        family kind;
        bool subscribe;
        std::size_t frames_left;
        // Part of the restore after a reconnect: on_state(true) waits for it.
        bool restore;
    };

    std::shared_ptr<subscriber_impl> self()
    {
        return std::static_pointer_cast<subscriber_impl>(shared_from_this());
    }

    std::set<std::string>& set_of(family f) noexcept
    {
        switch (f) {
        case family::channel: return channels_;
        case family::pattern: return patterns_;
        case family::shard: break;
        }
        return shards_;
    }

    void change(family f, bool add, std::string name)
    {
        net::post(strand(), [self = self(), f, add, name = std::move(name)]() mutable {
            self->do_change(f, add, std::move(name));
        });
    }

    void do_change(family f, bool add, std::string name)
    {
        if (link_closed())
            return;
        auto& set = set_of(f);
        bool changed = add ? set.insert(name).second : set.erase(name) > 0;
        // While not up, the set is all there is: the restore sends it.
        if (!changed || !link_up())
            return;
        std::string_view verb = add ? verbs_of(f).subscribe : verbs_of(f).unsubscribe;
        detail::append_command(out_, {verb, name});
        sent_.push_back({f, add, 1, false});
        flush();
    }

    void do_close()
    {
        if (link_closed())
            return;
        close_link();
        connected_.store(false, std::memory_order_release);
        // The handlers may hold a shared_ptr to this subscriber.
        on_message_ = nullptr;
        on_state_ = nullptr;
        out_.clear();
        sent_.clear();
    }

    void on_link_up() override
    {
        out_.clear();
        sent_.clear();
        awaiting_ = 0;
        restore(family::channel, restore_batch);
        restore(family::pattern, restore_batch);
        // One SSUBSCRIBE per channel: in a cluster, the channels of one
        // SSUBSCRIBE must hash to one slot.
        restore(family::shard, 1);
        restoring_ = true;
        if (awaiting_ == 0)
            restored();
    }

    void restore(family f, std::size_t batch)
    {
        const auto& set = set_of(f);
        std::vector<std::string_view> args;
        for (auto it = set.begin(); it != set.end();) {
            args.assign(1, verbs_of(f).subscribe);
            for (; it != set.end() && args.size() <= batch; ++it)
                args.push_back(*it);
            detail::append_command(out_, args);
            sent_.push_back({f, true, args.size() - 1, true});
            awaiting_ += args.size() - 1;
        }
    }

    void restored()
    {
        restoring_ = false;
        connected_.store(true, std::memory_order_release);
        if (on_state_)
            on_state_(true);
    }

    void on_link_down(boost::system::error_code) override
    {
        // What was not confirmed is sent again from the set once
        // reconnected.
        out_.clear();
        sent_.clear();
        restoring_ = false;
        bool was_up = connected_.exchange(false, std::memory_order_acq_rel);
        if (was_up && on_state_)
            on_state_(false);
    }

    void collect(std::string& out) override { out.swap(out_); }

    void on_reply(detail::raw_reply r) override
    {
        if (r->type == REDIS_REPLY_ERROR) {
            on_refused(text_of(*r));
            return;
        }
        // Anything but an array (there is none in RESP2 subscribe mode) is
        // not ours to interpret.
        if (r->type != REDIS_REPLY_ARRAY || r->elements == 0 || !is_text(*r->element[0]))
            return;
        std::string_view kind = text_of(*r->element[0]);
        if (kind == "message" || kind == "smessage")
            deliver(*r, false);
        else if (kind == "pmessage")
            deliver(*r, true);
        else
            on_confirmation(kind);
    }

    void deliver(const redisReply& r, bool with_pattern)
    {
        std::size_t want = with_pattern ? 4 : 3;
        if (r.elements != want) {
            log(log_level::warning, "Redis sent a malformed message frame, dropped");
            return;
        }
        for (std::size_t i = 1; i < want; ++i)
            if (r.element[i]->type != REDIS_REPLY_STRING) {
                log(log_level::warning, "Redis sent a malformed message frame, dropped");
                return;
            }
        if (!on_message_)
            return;
        message m;
        std::size_t i = 1;
        if (with_pattern)
            m.pattern = text_of(*r.element[i++]);
        m.channel = text_of(*r.element[i++]);
        m.payload = text_of(*r.element[i]);
        on_message_(m);
    }

    void on_confirmation(std::string_view kind)
    {
        // A frame for a command we did not send (such as Redis unsubscribing
        // a shard channel whose slot moved) is left alone.
        if (sent_.empty())
            return;
        auto& front = sent_.front();
        verbs v = verbs_of(front.kind);
        if (kind != (front.subscribe ? v.subscribe : v.unsubscribe))
            return;
        bool restore_frame = front.restore;
        if (--front.frames_left == 0)
            sent_.pop_front();
        if (restore_frame)
            confirmed(1);
    }

    void on_refused(std::string_view text)
    {
        log(log_level::warning, "Redis refused a subscription", text);
        if (sent_.empty())
            return;
        auto front = sent_.front();
        sent_.pop_front();
        // Not retried until the next reconnect: Redis would refuse it again.
        if (front.restore)
            confirmed(front.frames_left);
    }

    void confirmed(std::size_t n)
    {
        awaiting_ -= std::min(n, awaiting_);
        if (restoring_ && awaiting_ == 0)
            restored();
    }

    std::set<std::string> channels_;
    std::set<std::string> patterns_;
    std::set<std::string> shards_;
    // Commands encoded and not yet handed to the socket.
    std::string out_;
    // Commands written and not yet fully answered, in order.
    std::deque<sent_command> sent_;
    // Confirmation frames of the restore still to come.
    std::size_t awaiting_ = 0;
    bool restoring_ = false;
    std::function<void(const message&)> on_message_;
    std::function<void(bool)> on_state_;
    std::atomic<bool> connected_{false};
};

} // namespace

std::shared_ptr<subscriber> subscriber::create(net::any_io_executor ex, connection_options opts)
{
    return std::make_shared<subscriber_impl>(ex, std::move(opts));
}

} // namespace corio::redis
