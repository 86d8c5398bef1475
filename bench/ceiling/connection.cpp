#include "connection.hpp"

#include "packet.hpp"
#include "upgrade.hpp"
#include "worker.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ceiling {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// WebSocket close codes (RFC 6455 §7.4.1).
constexpr unsigned protocol_error = 1002;
constexpr unsigned message_too_big = 1009;

constexpr char ping_frame[] = {'\x81', '\x01', '2'}; // text "2": Engine.IO ping

// A buffer that held more than this is given back when emptied; smaller ones keep their
// capacity for the next time.
constexpr std::size_t kept_capacity = 64 * 1024;

void release_if_large(std::string& s)
{
    if (s.capacity() > kept_capacity)
        std::string().swap(s);
    else
        s.clear();
}

} // namespace

connection::connection(worker& w, socket_type socket)
    : worker_(w), socket_(std::move(socket))
{
}

void connection::start()
{
    boost::system::error_code ec;
    // Small frames go out at once, as every bench server sends them.
    socket_.set_option(tcp::no_delay(true), ec);
    socket_.non_blocking(true, ec);
    if (ec) {
        socket_.close(ec);
        return;
    }
    worker_.add(*this);
    await_readable();
}

void connection::await_readable()
{
    // async_read_some rather than async_wait: Asio reads at once when the socket may hold
    // bytes and otherwise only queues the operation, where a wait would cost an epoll_ctl each
    // time.
    socket_.async_read_some(net::buffer(inbox_),
                            [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                                if (self->state_ == state::closed)
                                    return;
                                if (ec) {
                                    self->close();
                                    return;
                                }
                                self->on_read(n);
                            });
}

void connection::on_read(std::size_t n)
{
    worker_.set_current(this);
    bool peer_gone = false;
    if (unread_.empty() && n < sizeof inbox_) {
        // The common case: everything the socket held (the read was short) is in the inbox, and
        // nothing from before: handled where it lies.
        const std::size_t consumed = consume(inbox_, n);
        if (consumed < n && (state_ == state::upgrading || state_ == state::open))
            unread_.assign(inbox_ + consumed, n - consumed);
    } else {
        peer_gone = !read_on(n);
    }
    worker_.set_current(nullptr);
    if (peer_gone) {
        worker_.output().clear();
        close();
        return;
    }
    flush_output();
    if (state_ == state::upgrading || state_ == state::open)
        await_readable();
}

bool connection::read_on(std::size_t n)
{
    // What was kept and what just came go to the worker's read buffer; a full inbox means the
    // socket may hold more, read there until the socket is drained (a read shorter than the
    // space offered). Each read's complete frames are handled at once.
    std::size_t used = unread_.size() + n;
    while (worker_.read_buffer_size() < used + sizeof inbox_)
        worker_.grow_read_buffer(0);
    std::memcpy(worker_.read_buffer(), unread_.data(), unread_.size());
    std::memcpy(worker_.read_buffer() + unread_.size(), inbox_, n);
    release_if_large(unread_);
    bool more = n == sizeof inbox_;
    for (;;) {
        char* buffer = worker_.read_buffer();
        const std::size_t consumed = consume(buffer, used);
        if (consumed > 0) {
            std::memmove(buffer, buffer + consumed, used - consumed);
            used -= consumed;
        }
        if (!more || (state_ != state::upgrading && state_ != state::open))
            break;
        if (used == worker_.read_buffer_size())
            worker_.grow_read_buffer(used);
        buffer = worker_.read_buffer();
        const std::size_t space = worker_.read_buffer_size() - used;
        boost::system::error_code ec;
        const std::size_t got = socket_.read_some(net::buffer(buffer + used, space), ec);
        if (ec == net::error::would_block)
            break;
        if (ec)
            return false;
        used += got;
        more = got == space;
    }
    if (used > 0 && (state_ == state::upgrading || state_ == state::open))
        unread_.assign(worker_.read_buffer(), used);
    return true;
}

std::size_t connection::consume(char* data, std::size_t size)
{
    std::size_t used = 0;
    if (state_ == state::upgrading) {
        used = consume_upgrade(data, size);
        if (state_ != state::open)
            return used;
    }
    return used + consume_frames(data + used, size - used);
}

std::size_t connection::consume_upgrade(char* data, std::size_t size)
{
    auto& out = worker_.output();
    auto request = upgrade::read({data, size}, worker_.opts().max_header_size);
    switch (request.result) {
    case upgrade::status::incomplete:
        return 0;
    case upgrade::status::upgrade: {
        upgrade::append_accept(out, request.key);
        char sid[20];
        worker_.new_id(sid);
        frame::append(out, frame::opcode::text,
                      {R"(0{"sid":")", std::string_view(sid, sizeof sid), worker_.open_packet_tail()});
        state_ = state::open;
        return request.size;
    }
    default:
        upgrade::append_refusal(out, request.result);
        state_ = state::closing;
        return size;
    }
}

std::size_t connection::consume_frames(char* data, std::size_t size)
{
    std::size_t at = 0;
    while (state_ == state::open) {
        frame::header h;
        auto status = frame::read_header(data + at, size - at, worker_.opts().max_payload, h);
        if (status == frame::read_status::incomplete)
            break;
        if (status != frame::read_status::ok) {
            fail(status == frame::read_status::too_big ? message_too_big : protocol_error);
            break;
        }
        if (size - at - h.size < h.payload)
            break;
        char* payload = data + at + h.size;
        const auto length = static_cast<std::size_t>(h.payload);
        frame::unmask(payload, length, h.mask);
        at += h.size + length;
        on_frame(h, {payload, length});
    }
    return at;
}

void connection::on_frame(const frame::header& h, std::string_view payload)
{
    auto& out = worker_.output();
    switch (h.op) {
    case frame::opcode::text:
    case frame::opcode::binary:
        if (fragmenting_) {
            fail(protocol_error);
            return;
        }
        if (!h.fin) {
            fragmenting_ = true;
            fragmented_text_ = h.op == frame::opcode::text;
            fragments_.assign(payload);
            return;
        }
        // The bench app has no binary messages: they are dropped.
        if (h.op == frame::opcode::text)
            on_message(payload);
        return;
    case frame::opcode::continuation: {
        if (!fragmenting_) {
            fail(protocol_error);
            return;
        }
        if (fragments_.size() + payload.size() > worker_.opts().max_payload) {
            fail(message_too_big);
            return;
        }
        fragments_.append(payload);
        if (!h.fin)
            return;
        fragmenting_ = false;
        std::string message;
        message.swap(fragments_);
        if (fragmented_text_)
            on_message(message);
        return;
    }
    case frame::opcode::ping:
        frame::append(out, frame::opcode::pong, {payload});
        return;
    case frame::opcode::pong:
        return;
    case frame::opcode::close:
        // The closing handshake: the client's status code back, then the server closes the
        // TCP connection first (RFC 6455 §7.1.1), as the client waits for.
        frame::append(out, frame::opcode::close, {payload.size() >= 2 ? payload.substr(0, 2) : std::string_view{}});
        state_ = state::closing;
        return;
    }
}

void connection::on_message(std::string_view text)
{
    auto& out = worker_.output();
    const auto m = packet::read(text);
    switch (m.what) {
    case packet::kind::ignore:
        return;
    case packet::kind::pong:
        awaiting_pong_ = false;
        return;
    case packet::kind::close:
        state_ = state::closing;
        return;
    case packet::kind::connect: {
        char sid[20];
        worker_.new_id(sid);
        frame::append(out, frame::opcode::text, {R"(40{"sid":")", std::string_view(sid, sizeof sid), R"("})"});
        return;
    }
    case packet::kind::disconnect:
        worker_.leave_bench(*this);
        return;
    case packet::kind::echo:
        if (!m.ack_id.empty())
            frame::append(out, frame::opcode::text, {"43", m.ack_id, "[", m.arguments});
        return;
    case packet::kind::join:
        // Room "bench" is the only one anything is sent to; joining another is acked and
        // changes nothing.
        if (m.arguments == R"("bench")")
            worker_.join_bench(*this);
        break;
    case packet::kind::bcast: {
        auto& f = worker_.frame_scratch();
        f.clear();
        frame::append(f, frame::opcode::text, {"42", m.arguments});
        worker_.broadcast(f);
        break;
    }
    }
    if (!m.ack_id.empty())
        frame::append(out, frame::opcode::text, {"43", m.ack_id, "[true]"});
}

void connection::fail(unsigned code)
{
    const char status[2] = {static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
    frame::append(worker_.output(), frame::opcode::close, {std::string_view(status, 2)});
    state_ = state::closing;
}

void connection::send(std::string_view frame)
{
    if (state_ != state::open)
        return;
    if (worker_.current() == this)
        worker_.output().append(frame);
    else if (!unsent_.empty())
        queue_unsent(frame);
    else
        write(frame);
}

void connection::flush_output()
{
    auto& out = worker_.output();
    if (state_ != state::closed && !out.empty()) {
        if (unsent_.empty())
            write(out);
        else
            queue_unsent(out);
    }
    out.clear();
    if (state_ == state::closing && unsent_.empty())
        close();
}

void connection::write(std::string_view bytes)
{
    if (worker_.hold_write(*this)) {
        unsent_.append(bytes);
        write_held_ = true;
        return;
    }
    boost::system::error_code ec;
    std::size_t n = socket_.write_some(net::buffer(bytes), ec);
    if (ec == net::error::would_block)
        n = 0;
    else if (ec) {
        // Possibly in the middle of a broadcast's walk over the member list: close later.
        state_ = state::closing;
        release_if_large(unsent_);
        net::post(worker_.context(), [self = shared_from_this()] { self->close(); });
        return;
    }
    if (n < bytes.size())
        queue_unsent(bytes.substr(n));
}

void connection::queue_unsent(std::string_view bytes)
{
    if (unsent_.size() + bytes.size() > worker_.opts().max_unsent) {
        state_ = state::closing;
        release_if_large(unsent_);
        net::post(worker_.context(), [self = shared_from_this()] { self->close(); });
        return;
    }
    unsent_.append(bytes);
    if (!awaiting_writable_ && !write_held_)
        await_writable();
}

void connection::send_held_alone()
{
    if (state_ == state::closed) {
        on_held_sent(0);
        return;
    }
    boost::system::error_code ec;
    const std::size_t n = socket_.write_some(net::buffer(unsent_), ec);
    if (ec == net::error::would_block)
        on_held_sent(0);
    else if (ec)
        on_held_sent(-1);
    else
        on_held_sent(static_cast<std::int64_t>(n));
}

void connection::on_held_sent(std::int64_t result)
{
    write_held_ = false;
    if (state_ == state::closed)
        return;
    if (result < 0 && result != -EAGAIN) {
        close();
        return;
    }
    unsent_.erase(0, static_cast<std::size_t>(std::max<std::int64_t>(result, 0)));
    if (!unsent_.empty()) {
        if (!awaiting_writable_)
            await_writable();
        return;
    }
    release_if_large(unsent_);
    if (state_ == state::closing)
        close();
}

void connection::await_writable()
{
    awaiting_writable_ = true;
    socket_.async_wait(socket_type::wait_write, [self = shared_from_this()](const boost::system::error_code& ec) {
        self->awaiting_writable_ = false;
        if (self->state_ == state::closed)
            return;
        if (ec) {
            self->close();
            return;
        }
        self->on_writable();
    });
}

void connection::on_writable()
{
    if (unsent_.empty())
        return;
    boost::system::error_code ec;
    std::size_t n = socket_.write_some(net::buffer(unsent_), ec);
    if (ec == net::error::would_block)
        n = 0;
    else if (ec) {
        close();
        return;
    }
    unsent_.erase(0, n);
    if (!unsent_.empty()) {
        await_writable();
        return;
    }
    release_if_large(unsent_);
    if (state_ == state::closing)
        close();
}

bool connection::ping()
{
    if (state_ != state::open) {
        // Still upgrading, or closing on a client that does not read: one heartbeat of grace.
        if (seen_by_heartbeat_)
            return false;
        seen_by_heartbeat_ = true;
        return true;
    }
    awaiting_pong_ = true;
    send(std::string_view(ping_frame, sizeof ping_frame));
    return true;
}

void connection::close()
{
    if (state_ == state::closed)
        return;
    state_ = state::closed;
    worker_.remove(*this);
    boost::system::error_code ec;
    socket_.close(ec);
    std::string().swap(unread_);
    std::string().swap(unsent_);
    std::string().swap(fragments_);
}

} // namespace ceiling
