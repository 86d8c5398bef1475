#include "engine/session_impl.hpp"

#include "engine/server_impl.hpp"

#include <corio/protocol/polling_payload.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/error.hpp>

#include <array>

namespace corio::engine::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using protocol::packet;
using protocol::packet_type;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

auto now() { return session_state::clock::now(); }

session_timing timing_of(const options& o)
{
    return {o.ping_interval, o.ping_timeout, o.upgrade_timeout};
}

queue_limits queue_limits_of(const options& o)
{
    return {o.max_queued_bytes, o.max_queued_packets};
}

poll_reply engine_error_reply(error e)
{
    return {http::status::bad_request, {}, e};
}

/// Maps how a WebSocket read ended to the session's close reason.
close_reason reason_for_read_error(const boost::system::error_code& ec)
{
    if (ec == websocket::error::closed || ec == net::error::eof || ec == net::error::connection_reset)
        return close_reason::transport_close;
    return close_reason::transport_error;
}

// Bytes asked of the socket per read while assembling a message.
constexpr std::size_t read_chunk = 64 * 1024;
// The first read of a message asks for less: an idle session waits with a
// buffer this small (Beast prepares the buffer before the data arrives), and
// most messages fit in it.
constexpr std::size_t first_read_chunk = 512;
// A buffer grown past this by a large message is freed before the next one,
// so a session does not keep the memory of its largest message while idle.
constexpr std::size_t read_buffer_keep = 4 * 1024;

/// Reads one whole message into `buffer`, or stops as soon as it grows past
/// `max` bytes (then `too_big`). Beast's own read_message_max is not used:
/// in Boost 1.81 its failure path resets the connection before the client
/// sees the 1009 close frame; the caller closes with async_close instead.
net::awaitable<std::tuple<boost::system::error_code, bool>> read_message(websocket_stream& ws,
                                                                         beast::flat_buffer& buffer,
                                                                         std::size_t max)
{
    buffer.clear();
    if (buffer.capacity() > read_buffer_keep)
        buffer.shrink_to_fit();
    for (;;) {
        auto limit = buffer.size() == 0 ? first_read_chunk : read_chunk;
        auto [ec, n] = co_await ws.async_read_some(buffer, limit, use_tuple);
        if (ec)
            co_return std::tuple{ec, false};
        if (buffer.size() > max)
            co_return std::tuple{boost::system::error_code{}, true};
        if (ws.is_message_done())
            co_return std::tuple{boost::system::error_code{}, false};
    }
}

/// Writes one packet as one frame. A text frame is the type digit then the
/// data, gathered from the (possibly shared) packet without copying it.
net::awaitable<boost::system::error_code> write_packet(websocket_stream& ws, const packet& p)
{
    ws.text(!p.binary);
    boost::system::error_code ec;
    if (p.binary) {
        std::tie(ec, std::ignore) = co_await ws.async_write(net::buffer(p.data), use_tuple);
    } else {
        const char type_digit = static_cast<char>('0' + static_cast<int>(p.type));
        std::array<net::const_buffer, 2> frame{net::buffer(&type_digit, 1), net::buffer(p.data)};
        std::tie(ec, std::ignore) = co_await ws.async_write(frame, use_tuple);
    }
    co_return ec;
}

net::awaitable<boost::system::error_code> write_probe_answer(websocket_stream& ws)
{
    ws.text(true);
    auto [ec, n] = co_await ws.async_write(net::buffer(std::string_view("3probe")), use_tuple);
    co_return ec;
}

/// Ends a WebSocket whose session closed: a close frame whose code says why,
/// or, when the connection is broken or clogged, a cut.
net::awaitable<void> close_websocket(websocket_stream& ws, close_reason reason)
{
    switch (reason) {
    case close_reason::ping_timeout:
    case close_reason::transport_close:
    case close_reason::transport_error:
    case close_reason::send_queue_full:
        beast::get_lowest_layer(ws).close();
        break;
    case close_reason::payload_too_large:
        co_await ws.async_close(websocket::close_code::too_big, use_tuple);
        break;
    case close_reason::parse_error:
        co_await ws.async_close(websocket::close_code::protocol_error, use_tuple);
        break;
    case close_reason::client_close:
    case close_reason::server_close:
    case close_reason::server_shutdown:
        co_await ws.async_close(websocket::close_code::normal, use_tuple);
        break;
    }
}

} // namespace

session_impl::session_impl(std::shared_ptr<server_impl> server, std::string id, request_info request,
                           executor_type strand, transport_kind transport)
    : session(std::move(id), std::move(request), strand, transport),
      server_(std::move(server)),
      state_(timing_of(server_->opts()), transport, now(), queue_limits_of(server_->opts())),
      heartbeat_timer_(strand),
      signal_(strand, net::steady_timer::time_point::max())
{
}

void session_impl::send(packet p)
{
    net::dispatch(get_executor(), [self = self(), p = std::make_shared<const packet>(std::move(p))]() mutable {
        self->after_send(self->state_.send(std::move(p)));
    });
}

void session_impl::send(std::vector<packet> packets)
{
    send_shared(std::make_shared<const std::vector<packet>>(std::move(packets)));
}

void session_impl::send_shared(std::shared_ptr<const std::vector<packet>> packets)
{
    // Hot path: on the strand already (a broadcast's deliver, an emit from a
    // handler), queue at once; dispatch would run it inline too, but only
    // after copying the executor and the handler.
    if (get_executor().running_in_this_thread()) {
        after_send(state_.send(packets));
        return;
    }
    net::dispatch(get_executor(),
                  [self = self(), packets = std::move(packets)] { self->after_send(self->state_.send(packets)); });
}

bool session_impl::send_volatile(std::shared_ptr<const std::vector<packet>> packets)
{
    return after_send(state_.send(packets, true));
}

bool session_impl::after_send(session_state::send_result r)
{
    switch (r) {
    case session_state::send_result::queued:
        wake();
        return true;
    case session_state::send_result::overflow:
        finish_close();
        return false;
    case session_state::send_result::dropped:
    case session_state::send_result::closed:
        break;
    }
    return false;
}

void session_impl::close(close_reason reason)
{
    // Posted, never run inline, so a handler closing its session from inside
    // on_message sees on_close afterwards, not nested.
    net::post(get_executor(), [self = self(), reason] { self->close_now(reason, true); });
}

void session_impl::abort()
{
    net::post(get_executor(), [self = self()] {
        self->close_now(close_reason::transport_close, false);
        if (self->ws_)
            beast::get_lowest_layer(*self->ws_).close();
    });
}

void session_impl::start()
{
    state_.enqueue(packet{packet_type::open, false, server_->open_packet_data(id(), state_.transport())});
    wake();
    net::co_spawn(get_executor(), [self = self()] { return self->heartbeat(); }, net::detached);
    server_->get_handler().on_open(shared_from_this());
}

bool session_impl::writer_has_work(const websocket_stream& ws) const noexcept
{
    return ws_.get() != &ws || probe_answer_owed_ || state_.closed() ||
           (state_.transport() == transport_kind::websocket && state_.has_outbound());
}

void session_impl::wake()
{
    signal_.cancel();
}

void session_impl::close_now(close_reason reason, bool notify_client)
{
    if (state_.closed())
        return;
    state_.close(reason, notify_client);
    finish_close();
}

void session_impl::finish_close()
{
    if (finished_)
        return;
    finished_ = true;
    heartbeat_timer_.cancel();
    if (state_.owes_poll() && !state_.poll_pending()) {
        // Stay findable until the client's next GET collects the close
        // packet, for at most a ping timeout.
        heartbeat_timer_.expires_after(server_->opts().ping_timeout);
        heartbeat_timer_.async_wait([self = self()](boost::system::error_code) {
            self->server_->sessions().erase(self->id());
        });
    } else {
        server_->sessions().erase(id());
    }
    wake();
    // A WebSocket whose writer is not running (a probe, or a session that
    // never upgraded) is cut here; a running writer flushes and closes it.
    // After an overflow the writer may be stuck on a client that does not
    // read: cutting the connection ends its write and frees the frames.
    if (ws_ && (state_.transport() != transport_kind::websocket || state_.reason() == close_reason::send_queue_full))
        beast::get_lowest_layer(*ws_).close();
    server_->get_handler().on_close(shared_from_this(), *state_.reason());
}

void session_impl::handle_inbound(packet&& p)
{
    switch (state_.on_packet(p.type, now())) {
    case session_state::inbound::deliver:
        server_->get_handler().on_message(shared_from_this(), std::move(p));
        break;
    case session_state::inbound::handled:
        break;
    case session_state::inbound::closed:
    case session_state::inbound::invalid:
        finish_close();
        break;
    }
}

net::awaitable<void> session_impl::heartbeat()
{
    auto keep_alive = self();
    while (!state_.closed()) {
        heartbeat_timer_.expires_at(state_.next_deadline());
        co_await heartbeat_timer_.async_wait(use_tuple);
        switch (state_.on_timer(now())) {
        case session_state::timer_event::none:
            break;
        case session_state::timer_event::ping_queued:
            wake();
            break;
        case session_state::timer_event::ping_timeout:
            finish_close();
            break;
        case session_state::timer_event::upgrade_timeout:
            if (ws_) {
                beast::get_lowest_layer(*ws_).close();
                ws_.reset();
            }
            wake();
            break;
        }
    }
}

net::awaitable<poll_reply> session_impl::open_polling()
{
    start();
    co_return co_await poll();
}

net::awaitable<poll_reply> session_impl::poll()
{
    switch (state_.begin_poll()) {
    case session_state::poll_start::closed:
        co_return engine_error_reply(error::unknown_sid);
    case session_state::poll_start::not_polling:
        co_return engine_error_reply(error::bad_request);
    case session_state::poll_start::duplicate:
        finish_close();
        co_return engine_error_reply(error::bad_request);
    case session_state::poll_start::wait:
        break;
    }
    auto keep_alive = self();
    while (!state_.poll_ready())
        co_await signal_.async_wait(use_tuple);
    std::string payload;
    for (const auto& p : state_.end_poll())
        protocol::append_to_payload(*p, payload);
    if (state_.closed())
        server_->sessions().erase(id());
    co_return poll_reply{http::status::ok, std::move(payload), std::nullopt};
}

net::awaitable<poll_reply> session_impl::post(std::string body)
{
    if (state_.closed())
        co_return engine_error_reply(error::unknown_sid);
    if (state_.transport() != transport_kind::polling)
        co_return engine_error_reply(error::bad_request);
    auto packets = protocol::decode_payload(body, server_->opts().limits);
    if (!packets) {
        close_now(packets.error() == protocol::error::payload_too_large ? close_reason::payload_too_large
                                                                        : close_reason::parse_error,
                  false);
        co_return engine_error_reply(error::bad_request);
    }
    for (auto& p : *packets) {
        handle_inbound(std::move(p));
        if (state_.closed())
            break;
    }
    if (state_.reason() == close_reason::parse_error)
        co_return engine_error_reply(error::bad_request);
    co_return poll_reply{http::status::ok, "ok", std::nullopt};
}

void session_impl::reject_oversized()
{
    close_now(close_reason::payload_too_large, false);
}

net::awaitable<void> session_impl::run_websocket(std::shared_ptr<websocket_stream> ws)
{
    auto keep_alive = self();
    ws_ = ws;
    start();
    net::co_spawn(get_executor(), websocket_writer(ws), net::detached);
    co_await websocket_reader(std::move(ws));
}

net::awaitable<void> session_impl::run_upgrade(std::shared_ptr<websocket_stream> ws, http_request req)
{
    auto keep_alive = self();
    if (auto [ec] = co_await ws->async_accept(req, use_tuple); ec)
        co_return;
    // This frame lives as long as the session: keep no request headers in it.
    req = {};
    if (!state_.begin_upgrade(now())) {
        co_await ws->async_close(websocket::close_code::policy_error, use_tuple);
        co_return;
    }
    ws_ = ws;
    // Re-arm the heartbeat timer: the upgrade deadline may come first.
    heartbeat_timer_.cancel();
    // The writer answers the probe, so this loop never waits on a write: a
    // `5` right behind `2probe` completes the upgrade before a racing GET.
    net::co_spawn(get_executor(), websocket_writer(ws), net::detached);
    beast::flat_buffer buffer;
    for (;;) {
        auto [ec, too_big] = co_await read_message(*ws, buffer, server_->max_payload());
        if (ec || too_big || ws_ != ws || state_.closed())
            break;
        auto p = ws->got_text() ? protocol::decode_text_packet(beast::buffers_to_string(buffer.data()))
                                : protocol::result<packet>(protocol::error::unknown_packet_type);
        if (p && p->type == packet_type::ping && p->data == "probe") {
            probe_answer_owed_ = true;
            state_.probe_answered();
            wake();
            continue;
        }
        if (p && p->type == packet_type::upgrade) {
            state_.complete_upgrade();
            set_transport(transport_kind::websocket);
            wake();
            // The reader has a buffer of its own; this frame stays alive.
            buffer.clear();
            buffer.shrink_to_fit();
            co_await websocket_reader(std::move(ws));
            co_return;
        }
        // Anything else on a probe abandons the upgrade; polling goes on.
        break;
    }
    if (ws_ == ws) {
        ws_.reset();
        state_.abort_upgrade();
        wake();
    }
}

net::awaitable<void> session_impl::websocket_reader(std::shared_ptr<websocket_stream> ws)
{
    auto keep_alive = self();
    beast::flat_buffer buffer;
    while (!state_.closed()) {
        auto [ec, too_big] = co_await read_message(*ws, buffer, server_->max_payload());
        if (ec || too_big) {
            close_now(too_big ? close_reason::payload_too_large : reason_for_read_error(ec), false);
            break;
        }
        if (ws->got_text()) {
            auto p = protocol::decode_text_packet(
                std::string_view(static_cast<const char*>(buffer.data().data()), buffer.size()));
            if (!p) {
                close_now(close_reason::parse_error, false);
                break;
            }
            handle_inbound(std::move(*p));
        } else {
            handle_inbound(protocol::binary_message(beast::buffers_to_string(buffer.data())));
        }
    }
}

net::awaitable<void> session_impl::websocket_writer(std::shared_ptr<websocket_stream> ws)
{
    // This frame lives as long as the session, so the writes are coroutines
    // of their own: their state exists only while they run.
    auto keep_alive = self();
    for (;;) {
        while (!writer_has_work(*ws))
            co_await signal_.async_wait(use_tuple);
        if (ws_ != ws) {
            // A probe that was abandoned or timed out.
            beast::get_lowest_layer(*ws).close();
            co_return;
        }
        if (probe_answer_owed_) {
            probe_answer_owed_ = false;
            auto ec = co_await write_probe_answer(*ws);
            if (ec) {
                beast::get_lowest_layer(*ws).close();
                co_return;
            }
            continue;
        }
        if (state_.transport() != transport_kind::websocket) {
            // Closed during the probe: finish_close already cut the socket.
            co_return;
        }
        if (!co_await write_outbound(*ws))
            co_return;
        // Packets queued while the writes above were under way go out
        // before the close.
        if (state_.closed() && !state_.has_outbound())
            break;
    }
    co_await close_websocket(*ws, *state_.reason());
}

net::awaitable<bool> session_impl::write_outbound(websocket_stream& ws)
{
    auto batch = state_.take_outbound();
    for (auto& p : batch) {
        auto ec = co_await write_packet(ws, *p);
        if (ec) {
            close_now(close_reason::transport_error, false);
            beast::get_lowest_layer(ws).close();
            co_return false;
        }
        state_.written(*p);
        // Released as soon as written, not when the whole batch is.
        p.reset();
    }
    co_return true;
}

} // namespace corio::engine::detail
