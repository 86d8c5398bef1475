#include <corio/engine/http_stream.hpp>

#include "engine/use_tuple.hpp"
#include "engine/write_batch.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <array>
#include <cassert>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <span>
#include <string>
#include <tuple>
#include <utility>

namespace corio::engine {

namespace net = boost::asio;
namespace http = boost::beast::http;

using detail::use_tuple;

namespace {

/// The head of `res`, as Beast's serializer writes it: the status line, the
/// fields in their order, a blank line.
std::string serialize_head(const http_response& res)
{
    std::string head;
    head.reserve(256);
    head.append(res.version() == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
    char code[8];
    head.append(code, std::to_chars(code, code + sizeof code, res.result_int()).ptr);
    head.push_back(' ');
    const auto reason = res.reason();
    head.append(reason.empty() ? http::obsolete_reason(res.result()) : reason);
    head.append("\r\n");
    for (const auto& f : res) {
        head.append(f.name_string());
        head.append(": ");
        head.append(f.value());
        head.append("\r\n");
    }
    head.append("\r\n");
    return head;
}

/// An answer held for the thread's batch of writes: completes `Handler`
/// with what the socket took (negative: an errno; -ECANCELED when dropped),
/// on the handler's executor.
template <class Handler> class held_answer final : public detail::held_write_owner {
public:
    explicit held_answer(Handler h) : handler_(std::move(h)) {}

    void on_batched_write(std::int64_t result) override { complete(result); }
    void on_batched_write_dropped() override { complete(-ECANCELED); }

private:
    void complete(std::int64_t result)
    {
        auto ex = net::get_associated_executor(handler_);
        net::dispatch(ex, [h = std::move(handler_), result]() mutable { std::move(h)(result); });
    }

    Handler handler_;
};

/// Holds the write of `buffers` to socket `fd` (detail::hold_write), noting
/// it in `held` for close(); completes as held_answer does.
auto hold_answer(int fd, std::span<const net::const_buffer> buffers, const detail::held_write_owner*& held)
{
    return net::async_initiate<const net::use_awaitable_t<>&, void(std::int64_t)>(
        [fd, buffers, &held](auto handler) {
            auto answer = std::make_shared<held_answer<decltype(handler)>>(std::move(handler));
            held = answer.get();
            detail::hold_write(std::move(answer), fd, buffers);
        },
        net::use_awaitable);
}

/// What a held answer's result means for async_write: the bytes sent, and
/// the error. Not sent (-EIO: the batch could not send it) or not taken
/// (EAGAIN) is no error: the asynchronous write sends it.
std::size_t sent_of(std::int64_t result, boost::system::error_code& ec)
{
    if (result >= 0)
        return static_cast<std::size_t>(result);
    if (result != -EIO && result != -EAGAIN && result != -EWOULDBLOCK)
        ec.assign(static_cast<int>(-result), boost::system::system_category());
    return 0;
}

} // namespace

http_stream::http_stream(tls_stream& tls) noexcept : tcp_(&tls.next_layer()), tls_(&tls) {}

net::awaitable<boost::system::error_code> http_stream::async_write(http_response& res)
{
    // Written as the head, the body and, for a chunked answer, the end of
    // its one chunk, not through Beast's serializer: its buffer sequences
    // were a third of a polling answer's cost, and its write operations,
    // for TCP and TLS, half the code of this file.
    std::string head = serialize_head(res);
    std::string_view tail;
    if (res.chunked()) {
        if (!res.body().empty()) {
            char size[16];
            head.append(size, std::to_chars(size, size + sizeof size, res.body().size(), 16).ptr);
            head.append("\r\n");
            tail = "\r\n0\r\n\r\n";
        } else {
            head.append("0\r\n\r\n");
        }
    }
    const std::array<net::const_buffer, 3> all{net::buffer(head), net::buffer(res.body()), net::buffer(tail)};
    // No empty buffer in the sequence (see the TLS write below).
    const std::span<const net::const_buffer> buffers(all.data(), tail.empty() ? (res.body().empty() ? 1 : 2) : 3);
    boost::system::error_code ec;
    std::size_t sent = 0;
    if (!tls_) {
        // Tried at once on the socket made non-blocking (once): an answer the
        // kernel takes whole is written here, without the write's timer, a
        // reactor operation and the posts of its completion. When the thread
        // holds writes, the try waits for its batch, which sends the answers
        // of many connections in one system call (write_batch.hpp). Only what
        // the kernel does not take is written asynchronously, within
        // write_timeout.
        auto& socket = tcp_->socket();
        if (!socket.non_blocking())
            socket.non_blocking(true, ec);
        const std::size_t size = net::buffer_size(buffers);
        const bool hold = !ec && detail::may_hold_write(size);
        if (hold) {
            const std::int64_t result = co_await hold_answer(socket.native_handle(), buffers, held_);
            held_ = nullptr;
            sent = sent_of(result, ec);
        } else if (!ec) {
            sent = socket.write_some(buffers, ec);
        }
        if (ec == net::error::would_block || ec == net::error::try_again)
            ec = {};
        if (ec || sent == size) {
            // No timeout left set, whatever the caller had (cheap: the timer
            // has no wait pending).
            tcp_->expires_never();
            co_return ec;
        }
    }
    if (write_timeout_.count() > 0)
        tcp_->expires_after(write_timeout_);
    else
        tcp_->expires_never();
    if (tls_) {
        // Over TLS as a span with no empty buffer: Beast's flat_stream
        // (inside ssl_stream) copies buffers together only up to 16 KiB and
        // otherwise writes just the first one, which must then hold bytes;
        // SSL completes a write of nothing at once, and async_write would
        // take it for the end, leaving the rest unwritten. Asio skips
        // consumed buffers of a span, so a later first one is never empty.
        // (A two-element std::array is where it does not: its specialisation
        // of consuming_buffers hands on the consumed head as an empty buffer.)
        std::tie(ec, std::ignore) = co_await net::async_write(*tls_, buffers, use_tuple);
    } else {
        // What the at-once write left.
        boost::beast::buffers_suffix<std::span<const net::const_buffer>> rest(buffers);
        rest.consume(sent);
        std::tie(ec, std::ignore) = co_await net::async_write(*tcp_, rest, use_tuple);
    }
    // The tcp_stream closed the socket when its timer fired.
    if (ec == boost::beast::error::timeout)
        write_timed_out_ = true;
    else
        tcp_->expires_never();
    co_return ec;
}

void http_stream::close() noexcept
{
    assert(!released_);
    // A held answer must not go out on a closed descriptor, or on another
    // socket given the same number.
    if (held_)
        detail::drop_held_write(*std::exchange(held_, nullptr));
    boost::system::error_code ignored;
    tcp_->socket().close(ignored);
}

tls_stream http_stream::release_tls()
{
    assert(tls_ && !released_);
    released_ = true;
    tls_stream taken(std::move(*tls_));
    tls_ = nullptr;
    tcp_ = nullptr;
    return taken;
}

net::ip::tcp::socket http_stream::release_socket()
{
    assert(!tls_ && !released_);
    released_ = true;
    auto taken = tcp_->release_socket();
    tcp_ = nullptr;
    return taken;
}

} // namespace corio::engine
