#pragma once
// The socket layer's side of cluster requests: sinks that an adapter feeds
// with replies, which complete the waiting operation once everything
// expected arrived, or fail it at the deadline.

#include <corio/adapter.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace corio::detail {

/// Completes `done` exactly once: with the results, the first failure, or
/// `on_timeout` at the deadline. Derived classes decide when it is complete.
///
/// @par Thread safety
/// Any thread; `done` is called outside the lock.
template <class Result>
class request_completion : public std::enable_shared_from_this<request_completion<Result>> {
public:
    using handler = std::function<void(boost::system::result<Result>)>;

    request_completion(const boost::asio::any_io_executor& ex, handler done)
        : timer_(boost::asio::make_strand(ex)), done_(std::move(done))
    {
    }
    virtual ~request_completion() = default;

    /// Arms the deadline; call once, after construction.
    void start(std::chrono::milliseconds timeout, boost::system::error_code on_timeout)
    {
        timer_.expires_after(timeout);
        timer_.async_wait([self = this->shared_from_this(), on_timeout](boost::system::error_code ec) {
            if (!ec)
                self->finish(on_timeout);
        });
    }

protected:
    /// Ends the request with `r` unless it already ended.
    void finish(boost::system::result<Result> r)
    {
        {
            std::lock_guard lock(mutex_);
            if (finished_)
                return;
            finished_ = true;
        }
        boost::asio::post(timer_.get_executor(), [self = this->shared_from_this()] { self->timer_.cancel(); });
        done_(std::move(r));
    }

    std::mutex mutex_;
    bool finished_ = false; // under mutex_

private:
    boost::asio::steady_timer timer_;
    handler done_;
};

/// Collects one reply per server (fetch_sockets, server-side emit with ack).
template <class Reply>
class reply_collector final : public request_completion<std::vector<Reply>>, public reply_sink<Reply> {
public:
    using request_completion<std::vector<Reply>>::request_completion;

    void expect(std::size_t replies) override
    {
        std::unique_lock lock(this->mutex_);
        expected_ = replies;
        complete_if_done(lock);
    }
    void reply(Reply r) override
    {
        std::unique_lock lock(this->mutex_);
        if (this->finished_)
            return;
        replies_.push_back(std::move(r));
        complete_if_done(lock);
    }
    void fail(boost::system::error_code ec) override { this->finish(ec); }

private:
    void complete_if_done(std::unique_lock<std::mutex>& lock)
    {
        if (this->finished_ || !expected_ || replies_.size() < *expected_)
            return;
        auto replies = std::move(replies_);
        lock.unlock();
        this->finish(std::move(replies));
    }

    std::optional<std::size_t> expected_;
    std::vector<Reply> replies_;
};

/// Collects the answers of a broadcast with acks: complete once every
/// server reported how many sockets it asked and each of those answered.
class broadcast_ack_collector final : public request_completion<std::vector<arguments>>, public broadcast_ack_sink {
public:
    using request_completion::request_completion;

    void expect_servers(std::size_t servers) override
    {
        std::unique_lock lock(mutex_);
        expected_servers_ = servers;
        complete_if_done(lock);
    }
    void server_sent(std::size_t sockets) override
    {
        std::unique_lock lock(mutex_);
        ++servers_reported_;
        expected_answers_ += sockets;
        complete_if_done(lock);
    }
    void answer(arguments args) override
    {
        std::unique_lock lock(mutex_);
        if (finished_)
            return;
        answers_.push_back(std::move(args));
        complete_if_done(lock);
    }
    void fail(boost::system::error_code ec) override { finish(ec); }

private:
    void complete_if_done(std::unique_lock<std::mutex>& lock)
    {
        if (finished_ || !expected_servers_ || servers_reported_ < *expected_servers_ ||
            answers_.size() < expected_answers_)
            return;
        auto answers = std::move(answers_);
        lock.unlock();
        finish(std::move(answers));
    }

    std::optional<std::size_t> expected_servers_;
    std::size_t servers_reported_ = 0;
    std::size_t expected_answers_ = 0;
    std::vector<arguments> answers_;
};

} // namespace corio::detail
