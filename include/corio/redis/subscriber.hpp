#pragma once
// The Pub/Sub connection: a dedicated connection in subscribe mode that
// restores its subscriptions after every reconnect.

#include <corio/redis/connection_options.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace corio::redis {

/// One message from a subscription.
struct message {
    /// The channel it was published on.
    std::string_view channel;
    /// The pattern that matched, for PSUBSCRIBE; empty otherwise.
    std::string_view pattern;
    /// The bytes published, binary-safe.
    std::string_view payload;
};

/// Holds a set of subscriptions (SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE) and hands
/// every message to one handler. After start(), it connects and reconnects as
/// connection does, and re-subscribes to the whole set after each reconnect.
///
/// @par Thread safety
/// Every member may be called from any thread. The handlers run on the
/// subscriber's strand, one at a time, messages in the order Redis sent them.
class subscriber {
public:
    static std::shared_ptr<subscriber> create(boost::asio::any_io_executor ex, connection_options opts);
    virtual ~subscriber() = default;

    virtual void start() = 0;
    virtual void close() = 0;

    /// Adds to or removes from the set; sent at once when connected. Adding
    /// a subscription twice keeps one.
    virtual void subscribe(std::string channel) = 0;
    virtual void unsubscribe(std::string channel) = 0;
    virtual void psubscribe(std::string pattern) = 0;
    virtual void punsubscribe(std::string pattern) = 0;
    /// Sharded Pub/Sub (Redis >= 7).
    virtual void ssubscribe(std::string channel) = 0;
    virtual void sunsubscribe(std::string channel) = 0;

    /// Set before start(). The views are valid during the call only.
    virtual void on_message(std::function<void(const message&)> handler) = 0;
    /// True once (re)connected and every subscription confirmed by Redis;
    /// false once lost. A subscription Redis refuses (an error reply, such
    /// as NOPERM) is logged through connection_options::log and not
    /// waited for; it is tried again after the next reconnect. Set before
    /// start().
    virtual void on_state(std::function<void(bool up)> handler) = 0;
    virtual bool connected() const noexcept = 0;
    /// Times the subscriber came back up after it was lost (the first
    /// connect is not counted). Any thread.
    virtual std::uint64_t reconnects() const noexcept = 0;
};

} // namespace corio::redis
