#include "polling_connection.hpp"

#include "base64.hpp"
#include "http_channel.hpp"
#include "wire.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <deque>
#include <vector>

namespace loadgen {

namespace net = boost::asio;

namespace {

/// Packets a server may send between `40` and its answer (pings) before we
/// call the connect answer missing.
constexpr int max_packets_before_connect_answer = 16;
/// The most one POST carries: the servers' maxPayload (1e6 bytes, Engine.IO's
/// default); packets beyond it wait for the next POST.
constexpr std::size_t max_post_bytes = 1'000'000;

/// Why `reply` is no good answer: its failure, or a status other than 200.
template <class Reply> std::optional<std::string> problem_with(const Reply& reply)
{
    if (reply.ec)
        return std::string(reply.failure);
    if (reply.status != 200)
        return "HTTP " + std::to_string(reply.status);
    return std::nullopt;
}

/// Calls `fn(packet)` for each packet of a polling body, in order, until it
/// returns false.
template <class Fn> void for_each_packet(std::string_view body, Fn&& fn)
{
    for (;;) {
        auto end = body.find(wire::record_separator);
        if (!fn(body.substr(0, end)) || end == std::string_view::npos)
            return;
        body.remove_prefix(end + 1);
    }
}

class polling_connection final : public connection, public http_channel::listener {
public:
    polling_connection(net::any_io_executor executor, const target& t, std::optional<net::ip::address> source,
                       std::chrono::milliseconds post_timeout)
        : connection(executor), get_(executor, t, source), post_(executor, t, source), post_timeout_(post_timeout),
          binary_packets_(t.parser == wire::format::msgpack)
    {
    }

    static net::awaitable<open_result> open(const target& t, std::optional<net::ip::address> source,
                                            std::chrono::milliseconds timeout);

    void start(connection_observer& observer) override;

    void send(std::string message) override { queue(message, binary_packets_); }

    void send_binary(std::string bytes) override { queue(bytes, true); }

    void close(std::chrono::milliseconds timeout) override
    {
        net::dispatch(executor_, [self = self(), timeout] { self->begin_close(timeout); });
    }

    net::awaitable<boost::system::error_code> close_now(std::chrono::milliseconds timeout) override;

    void on_answer(http_channel& channel, const http_answer& answer) override
    {
        if (&channel == &get_)
            on_poll(answer);
        else
            on_posted(answer);
    }

private:
    std::shared_ptr<polling_connection> self()
    {
        return std::static_pointer_cast<polling_connection>(shared_from_this());
    }

    void queue(std::string_view bytes, bool binary)
    {
        if (ended_ || closing_)
            return;
        push(bytes, binary);
    }

    void push(std::string_view bytes, bool binary);
    void write_next();
    void poll() { get_.get(session_, self(), clock::time_point::max()); }
    void on_poll(const http_answer& answer);
    void on_posted(const http_answer& answer);
    std::optional<std::string> take_packets(std::string_view body);
    void end(std::optional<std::string> reason);
    void begin_close(std::chrono::milliseconds timeout);

    http_channel get_;  ///< the handshake, then the waiting GETs
    http_channel post_; ///< POSTs, opened on first use
    std::string session_; ///< the polling resource with "&sid=..."
    /// Bodies of the POSTs to come, packets joined by record separators;
    /// one holds at most max_post_bytes (or a single larger packet).
    std::deque<std::string> bodies_;
    std::string posting_; ///< the body of the POST in progress
    std::string spare_;   ///< an emptied body, its memory kept for the next
    /// GET answers' packets that came with the connect answer, for the
    /// observer once started.
    std::vector<std::string> early_;
    connection_observer* observer_ = nullptr;
    std::string failure_; ///< why the writer ended the connection
    std::optional<net::steady_timer> close_deadline_;
    const std::chrono::milliseconds post_timeout_;
    const bool binary_packets_;
    bool writing_ = false;
    bool closing_ = false;
    bool ended_ = false;
};

net::awaitable<open_result> polling_connection::open(const target& t, std::optional<net::ip::address> source,
                                                     std::chrono::milliseconds timeout)
{
    const auto started = clock::now();
    const auto deadline = started + timeout;
    // A POST's answer is due at once: the handshake timeout bounds it too.
    auto conn = std::make_shared<polling_connection>(co_await net::this_coro::executor, t, source, timeout);
    open_result result;

    auto hello = co_await conn->get_.exchange(false, t.polling_resource, {}, deadline);
    if (auto problem = problem_with(hello)) {
        result.failure = "eio_open: " + *problem;
        co_return result;
    }
    auto sid = wire::open_sid(std::string_view(hello.body).substr(0, hello.body.find(wire::record_separator)));
    if (!sid) {
        result.failure = "eio_open: unexpected packet";
        co_return result;
    }
    conn->session_ = t.polling_resource + "&sid=" + *sid;

    std::string connect = wire::connect_root(t.parser);
    if (conn->binary_packets_) {
        connect = std::string(1, wire::base64_prefix);
        base64::append_encoded(connect, wire::connect_root(t.parser));
    }
    auto sent = co_await conn->get_.exchange(true, conn->session_, std::move(connect), deadline);
    if (auto problem = problem_with(sent)) {
        result.failure = "sio_connect: " + *problem;
        co_return result;
    }

    enum class answer { none, accepted, refused, closed, bad };
    auto found = answer::none;
    int seen = 0;
    while (found == answer::none) {
        auto poll = co_await conn->get_.exchange(false, conn->session_, {}, deadline);
        if (auto problem = problem_with(poll)) {
            result.failure = "sio_connect: " + *problem;
            co_return result;
        }
        for_each_packet(poll.body, [&](std::string_view packet) {
            if (found == answer::accepted) {
                conn->early_.emplace_back(packet);
                return true;
            }
            std::optional<std::string> decoded;
            if (packet.starts_with(wire::base64_prefix)) {
                decoded = base64::decode(packet.substr(1));
                if (!decoded) {
                    found = answer::bad;
                    return false;
                }
            }
            std::string_view bytes = decoded ? std::string_view(*decoded) : packet;
            if (wire::is_connect_ok(t.parser, bytes))
                found = answer::accepted;
            else if (wire::is_connect_error(t.parser, bytes))
                found = answer::refused;
            else if (!decoded && wire::is_close(packet))
                found = answer::closed;
            else if (!decoded && packet == wire::ping)
                conn->queue(wire::pong, false);
            else if (++seen > max_packets_before_connect_answer)
                found = answer::bad;
            return found == answer::none || found == answer::accepted;
        });
    }
    switch (found) {
    case answer::accepted: break;
    case answer::refused: result.failure = "sio_connect: refused by server"; co_return result;
    case answer::closed: result.failure = "sio_connect: engine.io close from server"; co_return result;
    default: result.failure = "sio_connect: no answer to CONNECT"; co_return result;
    }
    result.latency = clock::now() - started;
    result.conn = std::move(conn);
    co_return result;
}

// Appends the packet to the last body to come, or to a new one past
// max_post_bytes, and starts the writer unless it runs. Queues even while
// closing (the close packet itself).
void polling_connection::push(std::string_view bytes, bool binary)
{
    const auto size = binary ? 1 + (bytes.size() + 2) / 3 * 4 : bytes.size();
    if (bodies_.empty() || (!bodies_.back().empty() && bodies_.back().size() + 1 + size > max_post_bytes)) {
        bodies_.push_back(std::move(spare_));
        spare_.clear();
    }
    auto& body = bodies_.back();
    if (!body.empty())
        body += wire::record_separator;
    if (binary) {
        body += wire::base64_prefix;
        base64::append_encoded(body, bytes);
    } else {
        body += bytes;
    }
    if (!writing_)
        write_next();
}

void polling_connection::write_next()
{
    writing_ = true;
    posting_.swap(bodies_.front());
    spare_ = std::move(bodies_.front());
    spare_.clear();
    bodies_.pop_front();
    post_.post(session_, posting_, self(), clock::now() + post_timeout_);
}

void polling_connection::on_posted(const http_answer& answer)
{
    posting_.clear();
    auto problem = problem_with(answer);
    // Node's engine.io cuts short the POST that carries the close packet
    // (it ends the request as it closes the session): no failure then.
    if (problem && !closing_ && !ended_) {
        failure_ = "post: " + *problem;
        bodies_.clear();
        // The reader's GET fails, and it ends with failure_.
        get_.shutdown();
    }
    if (!bodies_.empty() && !ended_ && failure_.empty()) {
        write_next();
        return;
    }
    writing_ = false;
    if (ended_)
        post_.shutdown();
}

void polling_connection::start(connection_observer& observer)
{
    observer_ = &observer;
    std::optional<std::string> reason;
    const auto early = std::move(early_);
    for (const auto& body : early) {
        reason = take_packets(body);
        if (reason)
            break;
    }
    if (reason)
        end(std::move(reason));
    else
        poll();
}

void polling_connection::on_poll(const http_answer& answer)
{
    if (auto problem = problem_with(answer)) {
        end("poll: " + *problem);
        return;
    }
    auto reason = take_packets(answer.body);
    // Closing: this is the answer to the GET that waited while the close
    // packet went out.
    if (reason || closing_)
        end(std::move(reason));
    else
        poll();
}

// Hands the messages of one GET answer to the observer and answers its
// pings; returns why the connection ends, if it does.
std::optional<std::string> polling_connection::take_packets(std::string_view body)
{
    std::optional<std::string> reason;
    for_each_packet(body, [&](std::string_view packet) {
        if (packet.starts_with(wire::base64_prefix)) {
            auto bytes = base64::decode(packet.substr(1));
            if (!bytes) {
                reason = "poll: bad base64 packet";
                return false;
            }
            observer_->on_message(*this, *bytes);
        } else if (packet == wire::ping) {
            queue(wire::pong, false);
        } else if (wire::is_close(packet)) {
            reason = "engine.io close from server";
            return false;
        } else if (!packet.empty() && packet != wire::noop) {
            observer_->on_message(*this, packet);
        }
        return true;
    });
    return reason;
}

void polling_connection::end(std::optional<std::string> reason)
{
    ended_ = true;
    // Release the descriptors now rather than when the last reference goes;
    // a POST in progress finishes first (on_posted closes its channel).
    get_.shutdown();
    if (!writing_)
        post_.shutdown();
    if (close_deadline_)
        close_deadline_->cancel();
    std::string why;
    if (!closing_)
        why = failure_.empty() ? reason.value_or("poll: ended") : failure_;
    observer_->on_closed(*this, why);
}

void polling_connection::begin_close(std::chrono::milliseconds timeout)
{
    if (closing_ || ended_)
        return;
    closing_ = true;
    push(wire::close_packet, false);
    // A server that never answers: both connections close at the deadline,
    // which ends the reader.
    close_deadline_.emplace(executor_, timeout);
    close_deadline_->async_wait([self = self()](boost::system::error_code ec) {
        if (ec)
            return;
        self->get_.shutdown();
        self->post_.shutdown();
    });
}

net::awaitable<boost::system::error_code> polling_connection::close_now(std::chrono::milliseconds timeout)
{
    closing_ = true;
    auto reply = co_await get_.exchange(true, session_, std::string(wire::close_packet), clock::now() + timeout);
    ended_ = true;
    get_.shutdown();
    post_.shutdown();
    // A POST cut short is the close done (see on_posted); a timeout is not.
    if (reply.ec == net::error::timed_out)
        co_return reply.ec;
    if (!reply.ec && reply.status != 200)
        co_return make_error_code(boost::system::errc::protocol_error);
    co_return boost::system::error_code{};
}

} // namespace

net::awaitable<open_result> open_polling(const target& t, std::optional<net::ip::address> source,
                                         std::chrono::milliseconds timeout)
{
    return polling_connection::open(t, source, timeout);
}

} // namespace loadgen
