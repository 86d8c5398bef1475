#pragma once
// Time as the game sees it: the reconnect grace period runs on a clock that
// tests can drive by hand.

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <functional>
#include <cstdint>
#include <memory>
#include <vector>

namespace corio_game {

/// Schedules callbacks. A callback runs at most once, never from inside
/// `after`, and not at all once its cancel handle is destroyed or `cancel`ed.
class clock {
public:
    using duration = std::chrono::milliseconds;

    /// Destroying or cancelling it stops the callback from running.
    class timer {
    public:
        virtual ~timer() = default;
        virtual void cancel() = 0;
    };

    virtual ~clock() = default;
    /// Milliseconds since some fixed point; only differences mean anything.
    virtual duration now() const = 0;
    virtual std::unique_ptr<timer> after(duration delay, std::function<void()> callback) = 0;
};

/// Real time: callbacks run on `ex` (any thread of its io_context).
std::unique_ptr<clock> make_steady_clock(boost::asio::any_io_executor ex);

/// Time that moves only when `advance` is called: the test's clock.
class manual_clock final : public clock {
public:
    duration now() const override { return now_; }
    std::unique_ptr<timer> after(duration delay, std::function<void()> callback) override;
    /// Moves time forward and runs, in time order on the calling thread, the
    /// callbacks that fall due.
    void advance(duration by);

private:
    struct entry;
    class handle;
    duration now_{0};
    std::uint64_t scheduled_ = 0; // breaks ties between timers due at the same time
    std::vector<std::shared_ptr<entry>> pending_;
};

} // namespace corio_game
