#include "engine/session_impl.hpp"
#include "engine/exact_allocator.hpp"

#include <corio/protocol/polling_payload.hpp>
#include <corio/protocol/polling_payload_v3.hpp>

#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>

namespace corio::engine::detail {

namespace net = boost::asio;
namespace http = boost::beast::http;
namespace ws = protocol::websocket;
using protocol::packet;
using protocol::packet_type;

namespace {

auto now() { return session_state::clock::now(); }

session_timing timing_of(const options& o, int protocol)
{
    return {o.ping_interval, o.ping_timeout, o.upgrade_timeout, protocol == 3};
}

queue_limits queue_limits_of(const options& o)
{
    return {o.max_queued_bytes, o.max_queued_packets};
}

poll_reply engine_error_reply(error e)
{
    return {http::status::bad_request, {}, e};
}

/// Reasons that end a WebSocket with a cut rather than a close frame: the
/// peer is gone or broken, or does not read (its write may never finish).
bool ends_with_cut(close_reason r)
{
    switch (r) {
    case close_reason::ping_timeout:
    case close_reason::transport_close:
    case close_reason::transport_error:
    case close_reason::send_queue_full:
        return true;
    default:
        return false;
    }
}

/// The close frame's code for a reason that ends with one.
ws::close_code close_code_for(close_reason r)
{
    switch (r) {
    case close_reason::payload_too_large:
        return ws::close_code::too_big;
    case close_reason::parse_error:
        return ws::close_code::protocol_error;
    default:
        return ws::close_code::normal;
    }
}

const shared_packet& probe_answer()
{
    static const shared_packet answer = std::make_shared<const packet>(packet{packet_type::pong, false, "probe"});
    return answer;
}

} // namespace

session_impl::session_impl(std::shared_ptr<const session_host> host, std::string id, request_info request,
                           executor_type strand, transport_kind transport, int protocol)
    : session(std::move(id), std::move(request), strand, transport, protocol),
      host_(std::move(host)),
      traffic_(host_->counters->traffic),
      drain_(host_->drain->hold()),
      state_(timing_of(host_->options, protocol), transport, now(), queue_limits_of(host_->options)),
      heartbeat_timer_(strand)
{
}

template <class Unit> void session_impl::send_unit(Unit unit)
{
    // Hot path: on the strand already (an ack or an emit from a handler, a
    // broadcast's deliver), queue at once; dispatch would run it inline too,
    // but only after copying the executor and the handler.
    if (get_executor().running_in_this_thread()) {
        after_send(state_.send(std::move(unit)));
        return;
    }
    net::dispatch(get_executor(), [self = self(), unit = std::move(unit)]() mutable {
        self->after_send(self->state_.send(std::move(unit)));
    });
}

void session_impl::send(packet p)
{
    send_unit(std::make_shared<const packet>(std::move(p)));
}

void session_impl::send(std::vector<packet> packets)
{
    send_shared(std::make_shared<const std::vector<packet>>(std::move(packets)));
}

void session_impl::send_shared(std::shared_ptr<const std::vector<packet>> packets)
{
    send_unit(std::move(packets));
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
        if (auto ws = std::move(self->ws_))
            ws->cut();
    });
}

std::shared_ptr<websocket_connection::events> session_impl::events_handle()
{
    return std::shared_ptr<websocket_connection::events>(self(), static_cast<websocket_connection::events*>(this));
}

void session_impl::start()
{
    // Closed before it started (close_all at its handshake): the handler
    // never hears of it, so it sees no on_close without an on_open.
    if (state_.closed())
        return;
    state_.enqueue(packet{packet_type::open, false, host_->open_packet_data(id(), state_.transport())});
    arm_heartbeat();
    // The handler first: once the open packet is out, the client may act on
    // it (a test looking the session up, say).
    handler_ = host_->app.on_open(shared_from_this());
    if (!handler_)
        close(close_reason::server_close);
    wake();
}

void session_impl::wake()
{
    if (state_.poll_pending() && signal_)
        signal_->cancel();
    flush();
}

void session_impl::flush()
{
    if (!ws_ || !ws_->can_write())
        return;
    if (state_.transport() != transport_kind::websocket) {
        // A probe: it carries nothing but its answer.
        if (probe_answer_owed_) {
            probe_answer_owed_ = false;
            batch_.push_back(probe_answer());
            write_batch();
        }
        return;
    }
    if (state_.has_outbound()) {
        state_.take_outbound(batch_);
        write_batch();
    } else if (state_.closed()) {
        close_transport();
    }
}

void session_impl::write_batch()
{
    // Counted as handed over, not once written: the batch that goes with a
    // close frame completes without on_ws_written.
    std::size_t bytes = 0;
    for (const auto& p : batch_)
        bytes += p->data.size() + (p->binary ? 0 : 1); // a text packet's type digit
    traffic_.add_out(batch_.size(), bytes);
    ws_->write(batch_);
}

void session_impl::close_transport()
{
    auto ws = std::move(ws_);
    auto reason = *state_.reason();
    if (ends_with_cut(reason))
        ws->cut();
    else
        ws->close(close_code_for(reason));
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
        heartbeat_timer_.expires_after(host_->options.ping_timeout);
        heartbeat_timer_.async_wait([self = self()](boost::system::error_code) {
            self->forget();
            self->drain_.reset();
        });
    } else {
        forget();
        // A GET waiting takes the hold with the close (poll).
        if (!state_.poll_pending())
            drain_.reset();
    }
    // A WebSocket session flushes what is queued, then closes (flush). A
    // probe is cut at once, and so is a WebSocket whose reason calls for a
    // cut: its write in flight may never finish (a client that stopped
    // reading), and cutting ends it and frees the frames.
    if (ws_ && (state_.transport() != transport_kind::websocket || ends_with_cut(*state_.reason())))
        std::exchange(ws_, nullptr)->cut();
    wake();
    // Let go after on_close: a session handler holding its session makes a
    // cycle, broken here.
    host_->counters->count_close(*state_.reason());
    if (auto h = std::move(handler_))
        h->on_close(*state_.reason());
}

void session_impl::forget()
{
    host_->finished(id());
}

void session_impl::handle_inbound(packet&& p)
{
    switch (state_.on_packet(p.type, now())) {
    case session_state::inbound::deliver:
        // A copy: the handler may end the session from inside (a send that
        // overflows), which lets go of handler_ before this call returns.
        if (auto h = handler_)
            h->on_message(std::move(p));
        break;
    case session_state::inbound::handled:
        break;
    case session_state::inbound::answered:
        wake();
        break;
    case session_state::inbound::closed:
    case session_state::inbound::invalid:
        finish_close();
        break;
    }
}

void session_impl::arm_heartbeat()
{
    // A callback, not a coroutine: nothing is held between deadlines but
    // the timer's wait.
    heartbeat_timer_.expires_at(state_.next_deadline());
    // Pending for a whole ping interval: sized exactly (exact_allocator).
    heartbeat_timer_.async_wait(
        net::bind_allocator(exact_allocator<void>(), [self = self()](boost::system::error_code) { self->on_heartbeat(); }));
}

void session_impl::on_heartbeat()
{
    // Also reached when the wait is cancelled to re-arm it (a probe's
    // deadline): on_timer acts only on deadlines that passed.
    if (state_.closed())
        return;
    if (run_deadline())
        arm_heartbeat();
}

bool session_impl::run_deadline()
{
    switch (state_.on_timer(now())) {
    case session_state::timer_event::none:
        break;
    case session_state::timer_event::ping_queued:
        wake();
        break;
    case session_state::timer_event::ping_timeout:
        finish_close();
        return false;
    case session_state::timer_event::upgrade_timeout:
        if (auto ws = std::move(ws_))
            ws->cut();
        wake();
        break;
    }
    return true;
}

void session_impl::catch_up_heartbeat()
{
    // Not re-armed here: the wait pending is due already, and re-arms the
    // timer when it runs. Each event moves a deadline on or closes.
    while (!state_.closed() && state_.next_deadline() <= now())
        if (!run_deadline())
            return;
}

std::optional<poll_reply> session_impl::begin_poll_request()
{
    catch_up_heartbeat();
    take_probe_input();
    switch (state_.begin_poll()) {
    case session_state::poll_start::closed:
        return engine_error_reply(error::unknown_sid);
    case session_state::poll_start::not_polling:
        return engine_error_reply(error::bad_request);
    case session_state::poll_start::duplicate:
        finish_close();
        return engine_error_reply(error::bad_request);
    case session_state::poll_start::wait:
        break;
    }
    if (!signal_)
        signal_ = std::make_unique<timer>(get_executor(), timer::time_point::max());
    return std::nullopt;
}

poll_reply session_impl::end_poll_request()
{
    auto reply = encode_poll(state_.end_poll());
    if (!state_.closed())
        return reply;
    // The session's last answer: it holds the drain until it is written.
    forget();
    reply.drain = std::move(drain_);
    return reply;
}

poll_reply session_impl::encode_poll(const std::vector<shared_packet>& packets)
{
    poll_reply reply;
    if (protocol_version() == 3) {
        // Binary form only for a client that takes it (no `b64` in its query)
        // and only when there is binary to carry, as engine.io does.
        const bool binary = !request().query_param("b64") &&
                            std::any_of(packets.begin(), packets.end(), [](const auto& p) { return p->binary; });
        const auto form = binary ? protocol::v3::payload_form::binary : protocol::v3::payload_form::text;
        for (const auto& p : packets)
            protocol::v3::append_to_payload(*p, form, reply.body);
        if (packets.empty())
            reply.body = protocol::v3::empty_payload;
        reply.binary = binary;
    } else {
        for (const auto& p : packets)
            protocol::append_to_payload(*p, reply.body);
    }
    traffic_.add_out(packets.size(), reply.body.size());
    return reply;
}

poll_reply session_impl::post(std::string body)
{
    catch_up_heartbeat();
    take_probe_input();
    if (state_.closed())
        return engine_error_reply(error::unknown_sid);
    if (state_.transport() != transport_kind::polling)
        return engine_error_reply(error::bad_request);
    auto packets = protocol_version() == 3 ? protocol::v3::decode_payload(body, host_->options.limits)
                                           : protocol::decode_payload(body, host_->options.limits);
    traffic_.add_in(packets ? packets->size() : 0, body.size());
    if (!packets) {
        close_now(packets.error() == protocol::error::payload_too_large ? close_reason::payload_too_large
                                                                        : close_reason::parse_error,
                  false);
        return engine_error_reply(error::bad_request);
    }
    for (auto& p : *packets) {
        handle_inbound(std::move(p));
        if (state_.closed())
            break;
    }
    if (state_.reason() == close_reason::parse_error)
        return engine_error_reply(error::bad_request);
    return poll_reply{http::status::ok, "ok", std::nullopt};
}

void session_impl::reject_oversized()
{
    close_now(close_reason::payload_too_large, false);
}

void session_impl::run_websocket(std::shared_ptr<websocket_connection> ws)
{
    ws_ = ws;
    if (protocol_version() == 3)
        ws->prefix_binary_type();
    // Attached first, so that the open packet's write may complete at once
    // (without a reactor operation) and the session hears of it; reading
    // begins only once the session has started. The drain is taken before
    // start(), which may already end the session (on_open sending more
    // than the queue bounds) and drop the session's own.
    ws->attach(events_handle(), drain_);
    start();
    ws->start_reading();
}

void session_impl::begin_probe(std::shared_ptr<websocket_connection> ws)
{
    take_probe_input();
    if (!state_.begin_upgrade(now())) {
        // Refused: a close frame, then reading only to see the peer hang up.
        ws->close(ws::close_code::policy_violation);
        ws->start(nullptr, nullptr);
        return;
    }
    ws_ = ws;
    if (protocol_version() == 3)
        ws->prefix_binary_type();
    // Re-arm the heartbeat: the upgrade deadline may come first.
    heartbeat_timer_.cancel();
    ws->start(events_handle(), drain_);
}

void session_impl::on_ws_message(websocket_connection& c, bool text, std::string_view payload, std::string* storage)
{
    if (&c != ws_.get())
        return;
    traffic_.add_in(1, payload.size());
    if (state_.transport() != transport_kind::websocket) {
        on_probe_message(c, text, payload);
        return;
    }
    auto p = decode_ws_message(text, payload, storage);
    if (!p) {
        close_now(close_reason::parse_error, false);
        return;
    }
    handle_inbound(std::move(*p));
}

protocol::result<packet> session_impl::decode_ws_message(bool text, std::string_view payload,
                                                          std::string* storage) const
{
    if (protocol_version() == 3)
        return text ? protocol::v3::decode_text_packet(payload) : protocol::v3::decode_binary_packet(payload);
    if (text)
        return protocol::decode_text_packet(payload);
    // A large message comes in its own allocation: it becomes the packet's.
    if (storage)
        return protocol::binary_message(std::move(*storage));
    return protocol::binary_message(std::string(payload));
}

void session_impl::take_probe_input()
{
    if (!ws_ || state_.transport() == transport_kind::websocket)
        return;
    // Held here: a message that abandons the probe lets go of ws_.
    auto probe = ws_;
    probe->take_received();
}

void session_impl::on_probe_message(websocket_connection& c, bool text, std::string_view payload)
{
    auto p = text ? protocol::decode_text_packet(payload) : protocol::result<packet>(protocol::error::unknown_packet_type);
    if (p && p->type == packet_type::ping && p->data == "probe") {
        // The writer answers, so a `5` right behind `2probe` completes the
        // upgrade before a racing GET.
        probe_answer_owed_ = true;
        state_.probe_answered();
        wake();
        return;
    }
    if (p && p->type == packet_type::upgrade) {
        state_.complete_upgrade();
        set_transport(transport_kind::websocket);
        wake();
        return;
    }
    // Anything else on a probe abandons the upgrade; polling goes on.
    ws_.reset();
    state_.abort_upgrade();
    c.cut();
    wake();
}

void session_impl::on_ws_end(websocket_connection& c, close_reason reason)
{
    if (&c != ws_.get())
        return;
    // The connection closes itself; the session lets it go.
    ws_.reset();
    if (state_.transport() == transport_kind::websocket) {
        close_now(reason, false);
    } else {
        state_.abort_upgrade();
        wake();
    }
}

void session_impl::on_ws_written(websocket_connection& c, std::size_t packets, std::size_t bytes)
{
    if (&c != ws_.get())
        return;
    if (state_.transport() == transport_kind::websocket)
        state_.written(packets, bytes);
    flush();
}

} // namespace corio::engine::detail
