#include "play/clock.hpp"

#include <boost/asio/steady_timer.hpp>

#include <algorithm>

namespace corio_game {

namespace net = boost::asio;

namespace {

class steady_timer_handle final : public clock::timer {
public:
    explicit steady_timer_handle(std::shared_ptr<net::steady_timer> t) : timer_(std::move(t)) {}
    ~steady_timer_handle() override { cancel(); }
    void cancel() override { timer_->cancel(); }

private:
    std::shared_ptr<net::steady_timer> timer_;
};

class steady_clock final : public clock {
public:
    explicit steady_clock(net::any_io_executor ex) : ex_(std::move(ex)) {}

    duration now() const override
    {
        return std::chrono::duration_cast<duration>(std::chrono::steady_clock::now().time_since_epoch());
    }

    std::unique_ptr<timer> after(duration delay, std::function<void()> callback) override
    {
        auto t = std::make_shared<net::steady_timer>(ex_, delay);
        // The wait owns the timer, so the handle may go away first; a
        // cancelled wait completes with operation_aborted and does nothing.
        t->async_wait([t, callback = std::move(callback)](boost::system::error_code ec) {
            if (!ec)
                callback();
        });
        return std::make_unique<steady_timer_handle>(std::move(t));
    }

private:
    net::any_io_executor ex_;
};

} // namespace

std::unique_ptr<clock> make_steady_clock(net::any_io_executor ex) { return std::make_unique<steady_clock>(std::move(ex)); }

struct manual_clock::entry {
    duration due;
    std::uint64_t order;
    std::function<void()> callback;
    bool cancelled = false;
};

class manual_clock::handle final : public clock::timer {
public:
    explicit handle(std::weak_ptr<entry> e) : entry_(std::move(e)) {}
    ~handle() override { cancel(); }
    void cancel() override
    {
        if (auto e = entry_.lock())
            e->cancelled = true;
    }

private:
    std::weak_ptr<entry> entry_;
};

std::unique_ptr<clock::timer> manual_clock::after(duration delay, std::function<void()> callback)
{
    auto e = std::make_shared<entry>(entry{now_ + delay, scheduled_++, std::move(callback)});
    pending_.push_back(e);
    return std::make_unique<handle>(e);
}

void manual_clock::advance(duration by)
{
    const auto until = now_ + by;
    for (;;) {
        // Callbacks may schedule or cancel timers: pick the next due one afresh each time.
        auto& pending = pending_;
        std::erase_if(pending, [](const auto& e) { return e->cancelled; });
        auto next = std::ranges::min_element(pending, [](const auto& a, const auto& b) {
            return a->due != b->due ? a->due < b->due : a->order < b->order;
        });
        if (next == pending.end() || (*next)->due > until)
            break;
        auto e = *next;
        pending.erase(next);
        now_ = std::max(now_, e->due);
        e->callback();
    }
    now_ = until;
}

} // namespace corio_game
