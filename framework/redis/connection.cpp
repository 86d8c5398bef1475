// The command connection: a link whose replies answer the commands in the
// order they were written.

#include "link.hpp"
#include "resp_writer.hpp"

#include <corio/redis/connection.hpp>

#include <boost/asio/post.hpp>

#include <atomic>
#include <deque>
#include <stdexcept>

namespace corio::redis {

namespace net = boost::asio;

namespace {

class connection_impl final : public connection, public detail::link {
public:
    connection_impl(const net::any_io_executor& ex, connection_options opts) : link(ex, std::move(opts)) {}

    void start() override
    {
        net::post(strand(), [self = self()] { self->start_link(); });
    }

    void close() override
    {
        net::post(strand(), [self = self()] { self->do_close(); });
    }

    void exec(std::vector<std::string> args, callback done) override
    {
        post_exec(std::move(args), std::move(done), true);
    }

    void exec_if_connected(std::vector<std::string> args, callback done) override
    {
        post_exec(std::move(args), std::move(done), false);
    }

    net::any_io_executor get_executor() const override { return strand().get_inner_executor(); }

    bool connected() const noexcept override { return connected_.load(std::memory_order_acquire); }
    std::uint64_t reconnects() const noexcept override { return link::reconnects(); }

    void on_state(std::function<void(bool)> handler) override
    {
        net::post(strand(), [self = self(), handler = std::move(handler)]() mutable {
            if (!self->link_closed())
                self->on_state_ = std::move(handler);
        });
    }

private:
    std::shared_ptr<connection_impl> self()
    {
        return std::static_pointer_cast<connection_impl>(shared_from_this());
    }

    void post_exec(std::vector<std::string> args, callback done, bool queue_while_down)
    {
        // "*0" gets no reply from Redis at all: the replies after it would
        // all be matched to the wrong command.
        if (args.empty())
            throw std::invalid_argument("corio::redis::connection::exec: no command");
        net::post(strand(), [self = self(), args = std::move(args), done = std::move(done),
                             queue_while_down]() mutable { self->do_exec(args, std::move(done), queue_while_down); });
    }

    void do_exec(const std::vector<std::string>& args, callback done, bool queue_while_down)
    {
        if (link_closed()) {
            done(error::closed);
            return;
        }
        if (!queue_while_down && !link_up()) {
            done(error::not_connected);
            return;
        }
        auto before = queued_.size();
        detail::append_command(queued_, args);
        // While up, what waits here is written with the next write; the
        // bound is for what piles up while Redis is away.
        if (!link_up() && queued_.size() > options().max_queued_bytes) {
            queued_.resize(before);
            done(error::not_connected);
            return;
        }
        callbacks_.push_back(std::move(done));
        flush();
    }

    void do_close()
    {
        if (link_closed())
            return;
        close_link();
        connected_.store(false, std::memory_order_release);
        // The handlers may hold a shared_ptr to this connection.
        on_state_ = nullptr;
        queued_.clear();
        written_ = 0;
        auto pending = std::move(callbacks_);
        callbacks_.clear();
        for (auto& cb : pending)
            cb(error::closed);
    }

    void on_link_up() override
    {
        connected_.store(true, std::memory_order_release);
        if (on_state_)
            on_state_(true);
    }

    void on_link_down(boost::system::error_code reason) override
    {
        connected_.store(false, std::memory_order_release);
        if (on_state_)
            on_state_(false);
        // What was written may or may not have run; what was not is sent
        // again once reconnected.
        std::deque<callback> lost;
        for (; written_ > 0; --written_) {
            lost.push_back(std::move(callbacks_.front()));
            callbacks_.pop_front();
        }
        for (auto& cb : lost)
            cb(reason);
    }

    void on_reply(detail::raw_reply r) override
    {
        if (written_ == 0) {
            drop("a reply to no command", error::protocol_error);
            return;
        }
        auto cb = std::move(callbacks_.front());
        callbacks_.pop_front();
        --written_;
        cb(detail::to_reply(*r));
    }

    void collect(std::string& out) override
    {
        out.swap(queued_);
        written_ = callbacks_.size();
    }

    // callbacks_: one per command not answered yet, in order; the first
    // written_ of them were handed to the socket, the rest wait in queued_
    // (their encoded bytes, back to back).
    std::deque<callback> callbacks_;
    std::size_t written_ = 0;
    std::string queued_;
    std::function<void(bool)> on_state_;
    std::atomic<bool> connected_{false};
};

} // namespace

std::shared_ptr<connection> connection::create(net::any_io_executor ex, connection_options opts)
{
    return std::make_shared<connection_impl>(ex, std::move(opts));
}

} // namespace corio::redis
