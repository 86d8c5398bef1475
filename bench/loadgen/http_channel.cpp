#include "http_channel.hpp"

#include "bound_socket.hpp"
#include "http_head.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <charconv>
#include <iterator>

namespace loadgen {

namespace net = boost::asio;

namespace {

/// A polling answer holds whatever the server had queued; this only stops a
/// runaway one.
constexpr std::size_t max_body = 64u << 20;
/// An answer's head may not be longer.
constexpr std::size_t max_head = 8192;

/// A listener that resumes a coroutine with the answer copied
/// (http_channel::exchange), and keeps the POST body alive until then.
template <class Handler> class reply_waiter final : public http_channel::listener {
public:
    reply_waiter(Handler handler, std::string body) : handler_(std::move(handler)), body_(std::move(body)) {}

    const std::string& body() const noexcept { return body_; }

    void on_answer(http_channel&, const http_answer& answer) override
    {
        http_reply reply{answer.ec, std::string(answer.failure), answer.status, std::string(answer.body)};
        std::move(handler_)(std::move(reply));
    }

private:
    Handler handler_;
    std::string body_;
};

} // namespace

http_channel::http_channel(net::any_io_executor executor, const target& t, std::optional<net::ip::address> source)
    : socket_(executor), timer_(executor), target_(t), source_(source)
{
}

void http_channel::get(std::string_view resource, std::shared_ptr<listener> l, clock::time_point deadline)
{
    start(false, resource, {}, std::move(l), deadline);
}

void http_channel::post(std::string_view resource, std::string_view body, std::shared_ptr<listener> l,
                        clock::time_point deadline)
{
    start(true, resource, body, std::move(l), deadline);
}

net::awaitable<http_reply> http_channel::exchange(bool post, std::string_view resource, std::string body,
                                                  clock::time_point deadline)
{
    return net::async_initiate<const net::use_awaitable_t<>&, void(http_reply)>(
        [this, post, deadline](auto handler, std::string owned_resource, std::string owned_body) {
            auto waiter =
                std::make_shared<reply_waiter<decltype(handler)>>(std::move(handler), std::move(owned_body));
            start(post, owned_resource, waiter->body(), waiter, deadline);
        },
        net::use_awaitable, std::string(resource), std::move(body));
}

void http_channel::start(bool post, std::string_view resource, std::string_view body, std::shared_ptr<listener> l,
                         clock::time_point deadline)
{
    if (shut_) {
        net::post(socket_.get_executor(), [this, l = std::move(l)] {
            fail(l, "closed", net::error::operation_aborted);
        });
        return;
    }
    busy_ = true;
    timed_out_ = false;
    deadline_ = deadline;
    // Every GET of a session is the same request, and its POSTs differ
    // only in their length: the head is rebuilt only for another resource.
    if (post != head_post_ || resource != head_resource_) {
        using namespace std::string_view_literals;
        head_resource_.assign(resource);
        head_post_ = post;
        head_.assign(post ? "POST "sv : "GET "sv).append(resource).append(" HTTP/1.1\r\nHost: "sv).append(target_.host);
        if (post)
            head_.append("\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: "sv);
        head_prefix_ = head_.size();
    }
    head_.resize(head_prefix_);
    if (post) {
        char digits[24];
        const auto length = std::to_chars(std::begin(digits), std::end(digits), body.size()).ptr;
        head_.append(digits, static_cast<std::size_t>(length - digits));
    }
    head_.append("\r\n\r\n");
    body_ = body;
    if (deadline != clock::time_point::max())
        watch_deadline(l);
    if (connected_ && clock::now() - last_used_ > reuse_limit)
        reset();
    if (connected_)
        write(std::move(l));
    else
        connect(std::move(l));
}

void http_channel::connect(std::shared_ptr<listener> l)
{
    if (auto ec = open_bound(socket_, target_.endpoint.protocol(), source_)) {
        // Not from within get() or post(): the listener may be in a call.
        net::post(socket_.get_executor(), [this, l = std::move(l), ec] { fail(l, "socket", ec); });
        return;
    }
    socket_.async_connect(target_.endpoint, [this, l = std::move(l)](boost::system::error_code ec) mutable {
        if (shut_) {
            fail(l, "closed", net::error::operation_aborted);
            return;
        }
        if (ec) {
            fail(l, "tcp_connect", ec);
            return;
        }
        // A request is small: it goes out at once instead of waiting on Nagle.
        socket_.set_option(net::ip::tcp::no_delay(true), ec);
        socket_.non_blocking(true, ec);
        connected_ = true;
        write(std::move(l));
    });
}

void http_channel::write(std::shared_ptr<listener> l)
{
    std::array<net::const_buffer, 2> request{net::buffer(head_), net::buffer(body_)};
    // Tried at once on the non-blocking socket: a request the kernel takes
    // whole needs no reactor operation and no completion posted for it.
    // The answer is then read at once; nothing can be buffered yet (an
    // answer only follows a request), so the listener is not called from
    // within get() or post().
    boost::system::error_code write_ec;
    const auto written = socket_.write_some(request, write_ec);
    if (write_ec && write_ec != net::error::would_block) {
        // Not from within get() or post().
        net::post(socket_.get_executor(), [this, l = std::move(l), write_ec] { fail(l, "write", write_ec); });
        return;
    }
    if (written == request[0].size() + request[1].size() && in_.size() == 0) {
        read_answer(std::move(l));
        return;
    }
    if (written < request[0].size()) {
        request[0] += written;
    } else {
        request[1] += written - request[0].size();
        request[0] = net::const_buffer();
    }
    net::async_write(socket_, request, [this, l = std::move(l)](boost::system::error_code ec, std::size_t) mutable {
        if (ec) {
            fail(l, "write", ec);
            return;
        }
        read_answer(std::move(l));
    });
}

void http_channel::read_answer(std::shared_ptr<listener> l)
{
    const auto parsed = http_head::parse(in_.unread(), max_head);
    if (const auto* reason = std::get_if<std::string_view>(&parsed)) {
        fail(l, "read", make_error_code(boost::system::errc::protocol_error), *reason);
        return;
    }
    const auto* head = std::get_if<http_head::head>(&parsed);
    std::size_t body_size = 0;
    if (head && head->status == 200) {
        if (!head->content_length || head->transfer_encoding) {
            fail(l, "read", make_error_code(boost::system::errc::protocol_error), "answer without Content-Length");
            return;
        }
        body_size = *head->content_length;
        if (body_size > max_body) {
            fail(l, "read", make_error_code(boost::system::errc::protocol_error), "answer too long");
            return;
        }
    }
    if (!head || in_.size() < head->size + body_size) {
        socket_.async_read_some(in_.space(), [this, l = std::move(l)](boost::system::error_code ec, std::size_t n) mutable {
            if (ec) {
                fail(l, "read", ec);
                return;
            }
            in_.commit(n);
            read_answer(std::move(l));
        });
        return;
    }

    http_answer answer;
    answer.status = head->status;
    answer.body = in_.unread().substr(head->size, body_size);
    // A status other than 200 ends the session: its body, of a length we
    // may not know, is left unread, so the connection is not reused.
    const bool reusable = head->keep_alive && head->status == 200;
    in_.consume(head->size + body_size);
    busy_ = false;
    deadline_ = clock::time_point::max();
    last_used_ = clock::now();
    // reset() keeps the buffer's bytes: the body's view stays valid.
    if (!reusable)
        reset();
    l->on_answer(*this, answer);
}

void http_channel::fail(const std::shared_ptr<listener>& l, std::string_view phase, boost::system::error_code ec,
                        std::string_view what)
{
    failure_.assign(phase).append(": ");
    if (!what.empty())
        failure_.append(what);
    else if (timed_out_)
        failure_.append("timeout");
    else
        failure_.append(ec.message());
    if (timed_out_)
        ec = net::error::timed_out;
    reset();
    busy_ = false;
    deadline_ = clock::time_point::max();
    http_answer answer;
    answer.ec = ec;
    answer.failure = failure_;
    l->on_answer(*this, answer);
}

void http_channel::watch_deadline(std::shared_ptr<listener> l)
{
    if (timer_running_ && timer_.expiry() <= deadline_)
        return;
    // Re-arming cancels a later wait; its handler then does nothing.
    timer_.expires_at(deadline_);
    timer_running_ = true;
    timer_.async_wait([this, l = std::move(l)](boost::system::error_code ec) mutable {
        if (ec)
            return;
        timer_running_ = false;
        if (shut_ || !busy_ || deadline_ == clock::time_point::max())
            return;
        if (clock::now() < deadline_) {
            watch_deadline(std::move(l));
            return;
        }
        // Closing the socket fails what is pending on it, which reports
        // the timeout.
        timed_out_ = true;
        boost::system::error_code ignored;
        socket_.close(ignored);
    });
}

void http_channel::reset()
{
    boost::system::error_code ignored;
    socket_.close(ignored);
    in_.clear();
    connected_ = false;
}

void http_channel::shutdown()
{
    shut_ = true;
    timer_running_ = false;
    timer_.cancel();
    reset();
}

} // namespace loadgen
