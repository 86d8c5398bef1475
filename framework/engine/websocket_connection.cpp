#include "engine/websocket_connection.hpp"

#include <boost/asio/error.hpp>

#include <algorithm>
#include <cstring>

namespace corio::engine::detail {

namespace net = boost::asio;
namespace ws = protocol::websocket;

namespace {

// From close(), how long the write in flight, our close frame and the
// peer's hang-up may take before the connection is cut. Closing at once
// after the close frame could reset the connection and lose the frame when
// the peer is still sending.
constexpr std::chrono::seconds close_linger{5};

// The kept tail of a read, or a write's bookkeeping, grown past this by a
// burst is freed once empty, so an idle connection does not keep it.
constexpr std::size_t keep_bytes = 4 * 1024;
constexpr std::size_t keep_entries = 64;

template <class Vector>
void clear_and_trim(Vector& v)
{
    v.clear();
    if (v.capacity() > keep_entries)
        Vector{}.swap(v);
}

} // namespace

websocket_connection::websocket_connection(executor_type strand, std::size_t max_message)
    : strand_(std::move(strand)), reader_(max_message)
{
}

void websocket_connection::enable_deflate(std::size_t threshold)
{
    reader_.enable_deflate();
    inflater_ = std::make_unique<ws::inflater>(reader_.max_message());
    deflate_threshold_ = threshold;
}

close_reason websocket_connection::reason_for(const boost::system::error_code& ec)
{
    if (ec == net::error::eof || ec == net::error::connection_reset || ec == net::error::operation_aborted)
        return close_reason::transport_close;
    return close_reason::transport_error;
}

void websocket_connection::start(std::shared_ptr<events> e, std::shared_ptr<void> hold)
{
    attach(std::move(e), std::move(hold));
    begin_reading();
}

void websocket_connection::attach(std::shared_ptr<events> e, std::shared_ptr<void> hold)
{
    events_ = std::move(e);
    hold_ = std::move(hold);
}

void websocket_connection::on_read_failed(close_reason reason)
{
    end_reading(reason);
    cut();
}

void websocket_connection::on_bytes(std::span<char> input)
{
    if (closing_ || ended_)
        return; // lingering: only the peer's hang-up matters now
    if (!partial_.empty()) {
        // Complete the kept frame with as few bytes of input as it may need:
        // a kept tail is at most max_kept bytes, so max_kept more complete
        // its frame, or at least its header (the reader then gathers the
        // rest of a data frame from input, where it is).
        const std::size_t take = std::min(input.size(), ws::frame_reader::max_kept);
        partial_.append(input.data(), take);
        input = input.subspan(take);
        std::span<char> kept(partial_.data(), partial_.size());
        handle_frames(kept);
        if (closing_ || ended_)
            return;
        if (kept.size() > take) {
            // Still cut, and input is spent: keep it all.
            partial_.erase(0, partial_.size() - kept.size());
            return;
        }
        // What is left came from input, untouched (need_more leaves its
        // input as it was): read it there, with the rest.
        input = std::span<char>(input.data() - kept.size(), input.size() + kept.size());
        partial_.clear();
        if (partial_.capacity() > keep_bytes)
            std::string{}.swap(partial_);
    }
    handle_frames(input);
    if (!input.empty() && !closing_ && !ended_)
        partial_.assign(input.data(), input.size());
    // Once no message is under way, an idle connection keeps no large
    // message buffer.
    reader_.release();
}

void websocket_connection::handle_frames(std::span<char>& input)
{
    while (!closing_ && !ended_) {
        auto event = reader_.next(input);
        if (event.what == ws::frame_event::kind::need_more || !handle_event(event))
            return;
    }
}

bool websocket_connection::handle_event(const ws::frame_event& event)
{
    using kind = ws::frame_event::kind;
    switch (event.what) {
    case kind::need_more:
        return true;
    case kind::text:
    case kind::binary:
        // A message gathered by the reader (cut across reads, or
        // fragmented) is offered to the session to take without a copy.
        if (!event.compressed)
            events_->on_ws_message(*this, event.what == kind::text, event.payload, reader_.message_buffer(event));
        else if (!deliver_compressed(event.what == kind::text, event.payload))
            return false;
        return true;
    case kind::ping:
        // Only the latest ping needs its pong (RFC 6455, section 5.5.3).
        control().pong.assign(event.payload);
        pong_owed_ = true;
        if (!writing_)
            start_write();
        return true;
    case kind::pong:
        return true;
    case kind::close:
        peer_closed_ = true;
        close(event.code == ws::close_code::no_status ? ws::close_code::normal : event.code);
        end_reading(close_reason::transport_close);
        return false;
    case kind::fail:
        close(event.code);
        end_reading(event.code == ws::close_code::too_big ? close_reason::payload_too_large : close_reason::parse_error);
        return false;
    }
    return false;
}

bool websocket_connection::deliver_compressed(bool text, std::string_view payload)
{
    // The reader saw RSV1 only because enable_deflate() made inflater_.
    auto error = inflater_->inflate_message(payload, inflated_);
    if (error == ws::inflate_error::none && text && !ws::valid_utf8(inflated_))
        error = ws::inflate_error::invalid;
    if (error != ws::inflate_error::none) {
        std::string{}.swap(inflated_);
        const bool too_big = error == ws::inflate_error::too_big;
        close(too_big ? ws::close_code::too_big : ws::close_code::invalid_payload);
        end_reading(too_big ? close_reason::payload_too_large : close_reason::parse_error);
        return false;
    }
    events_->on_ws_message(*this, text, inflated_, nullptr);
    if (inflated_.capacity() > keep_bytes)
        std::string{}.swap(inflated_);
    return true;
}

void websocket_connection::end_reading(close_reason reason)
{
    if (ended_)
        return;
    ended_ = true;
    if (events_)
        events_->on_ws_end(*this, reason);
}

void websocket_connection::write(std::vector<shared_packet>& packets)
{
    in_flight_.swap(packets);
    start_write();
}

void websocket_connection::precede_next_write(std::string bytes)
{
    preamble_ = std::make_unique<std::string>(std::move(bytes));
}

void websocket_connection::close(ws::close_code code)
{
    if (closing_)
        return;
    closing_ = true;
    control().close = ws::close_payload(code);
    // The whole close is bounded: a write in flight to a peer that does not
    // read would otherwise hold the close frame, and the connection, forever.
    linger_timer_ = std::make_unique<timer>(strand_);
    linger_timer_->expires_after(close_linger);
    linger_timer_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec)
            self->cut();
    });
    if (!writing_)
        start_write();
}

void websocket_connection::cut() noexcept
{
    if (open_) {
        open_ = false;
        close_transport();
    }
    if (linger_timer_)
        linger_timer_->cancel();
    release_if_done();
}

void websocket_connection::add_frame(ws::opcode op, std::string_view prefix, std::string_view data, bool compressed)
{
    auto& header = headers_.emplace_back();
    auto size =
        ws::encode_header(op, prefix.size() + data.size(), std::span(header).first<ws::max_header_size>(), compressed);
    // An empty prefix may have no storage: memcpy from a null pointer is
    // undefined even for zero bytes.
    if (!prefix.empty())
        std::memcpy(header.data() + size, prefix.data(), prefix.size());
    buffers_.emplace_back(header.data(), size + prefix.size());
    if (!data.empty())
        buffers_.emplace_back(data.data(), data.size());
}

void websocket_connection::add_packet(ws::opcode op, std::string_view prefix, const protocol::packet& p)
{
    if (inflater_ && p.compress && prefix.size() + p.data.size() >= deflate_threshold_)
        add_frame(op, {}, p.deflated.get(prefix, p.data), true);
    else
        add_frame(op, prefix, p.data);
}

websocket_connection::control_payloads& websocket_connection::control()
{
    if (!control_)
        control_ = std::make_unique<control_payloads>();
    return *control_;
}

void websocket_connection::start_write()
{
    if (!open_)
        return;
    headers_.clear();
    buffers_.clear();
    // Headers are referred to by buffers_: no reallocation once added.
    headers_.reserve(in_flight_.size() + 2);
    if (preamble_)
        buffers_.emplace_back(preamble_->data(), preamble_->size());
    if (pong_owed_) {
        pong_owed_ = false;
        control_->pong_in_flight.swap(control_->pong);
        add_frame(ws::opcode::pong, {}, control_->pong_in_flight);
    }
    for (const auto& p : in_flight_) {
        if (p->binary && prefix_binary_type_) {
            static constexpr char message_type = static_cast<char>(protocol::packet_type::message);
            add_frame(ws::opcode::binary, std::string_view(&message_type, 1), p->data);
        } else if (p->binary) {
            add_packet(ws::opcode::binary, {}, *p);
        } else {
            const char type_digit = static_cast<char>('0' + static_cast<int>(p->type));
            add_packet(ws::opcode::text, std::string_view(&type_digit, 1), *p);
        }
    }
    close_in_flight_ = closing_ && !close_sent_;
    if (close_in_flight_)
        add_frame(ws::opcode::close, {}, control_->close);
    if (buffers_.empty())
        return;
    writing_ = true;
    write_buffers();
}

void websocket_connection::on_written(boost::system::error_code ec)
{
    writing_ = false;
    std::size_t packets = in_flight_.size();
    std::size_t bytes = 0;
    for (const auto& p : in_flight_)
        bytes += p->data.size();
    clear_and_trim(in_flight_);
    clear_and_trim(headers_);
    clear_and_trim(buffers_);
    preamble_.reset();
    if (ec) {
        end_reading(close_reason::transport_error);
        cut();
        return;
    }
    if (close_in_flight_) {
        close_sent_ = true;
        close_in_flight_ = false;
        after_close_sent();
        return;
    }
    // Also after a write of control frames only: packets may have been
    // queued behind it.
    if (!ended_ && events_)
        events_->on_ws_written(*this, packets, bytes);
    if (!writing_ && (pong_owed_ || (closing_ && !close_sent_)))
        start_write();
}

void websocket_connection::on_written_at_once()
{
    auto self = shared_from_this();
    auto session = events_;
    on_written({});
}

void websocket_connection::after_close_sent()
{
    if (peer_closed_) {
        // The close handshake is complete: the server hangs up first (the
        // close in cut() sends the FIN; a shutdown before it would add a
        // system call and nothing else).
        cut();
        return;
    }
    // The linger timer started by close() cuts a peer that never hangs up.
    shutdown_send();
}

void websocket_connection::release_if_done()
{
    // The session holds this connection and this holds the session: once
    // nothing more can be reported, let go.
    if (!open_ && !reading_ && !writing_) {
        events_.reset();
        hold_.reset();
    }
}

} // namespace corio::engine::detail
