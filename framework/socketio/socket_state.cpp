#include "socketio/socket_state.hpp"

#include "socketio/arguments_access.hpp"
#include "socketio/await_callback.hpp"
#include "socketio/client_state.hpp"
#include "socketio/namespace_state.hpp"

#include <corio/context.hpp>
#include <corio/engine/session_id.hpp>
#include <corio/protocol/socket_packet.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/string.hpp>

#include <algorithm>
#include <utility>

namespace corio::detail {

namespace net = boost::asio;
namespace json = boost::json;
using protocol::socket_packet;
using protocol::socket_packet_type;

namespace {

// Runs a handler and clears the cancellation it may have received: in Boost
// 1.81, co_spawn's entry point awaits once more after the coroutine returns,
// outside its try block, and a pending cancellation (a handler that
// disconnected its own socket) would then throw out of io_context::run.
net::awaitable<void> guarded(net::awaitable<void> work)
{
    std::exception_ptr failure;
    try {
        co_await std::move(work);
    } catch (...) {
        failure = std::current_exception();
    }
    co_await net::this_coro::throw_if_cancelled(false);
    if (failure)
        std::rethrow_exception(failure);
}

// What a log says of a refusal: its `message` when it has one (as
// socket.io's Error does), never the rest of the data, which the
// application chose for the client.
std::string_view refusal_message(const json::value& refusal) noexcept
{
    if (const auto* o = refusal.if_object())
        if (auto it = o->find("message"); it != o->end() && it->value().is_string())
            return it->value().get_string();
    return "refused";
}

bool truthy(const json::value& v) noexcept
{
    if (v.is_null() || (v.is_bool() && !v.get_bool()))
        return false;
    if (const auto* s = v.if_string())
        return !s->empty();
    if (v.is_number())
        return v.to_number<double>() != 0;
    return true;
}

/// A refusal as socket.io sends it to a protocol v4 client (socket.io-client
/// 2.x): the refusal's `data` if it has one, else its message, alone.
json::value v4_refusal(json::value refusal)
{
    if (auto* o = refusal.if_object()) {
        if (auto* data = o->if_contains("data"); data && truthy(*data))
            return std::move(*data);
        if (auto* message = o->if_contains("message"))
            return std::move(*message);
    }
    return refusal;
}

// socket.io's RECOVERABLE_DISCONNECT_REASONS: the connection was lost, not
// ended on purpose by either side.
bool recoverable(disconnect_reason r) noexcept
{
    switch (r) {
    case disconnect_reason::transport_close:
    case disconnect_reason::transport_error:
    case disconnect_reason::ping_timeout:
    case disconnect_reason::server_shutting_down:
        return true;
    default:
        return false;
    }
}

// The adapter's restore_session as an awaitable. Not a coroutine: g++ 12
// mishandles lambdas with init-captures inside coroutines.
net::awaitable<std::optional<restored_session>> restore_session(std::shared_ptr<namespace_state> nsp, std::string pid,
                                                                std::string offset)
{
    return await_callback<std::optional<restored_session>>(
        [nsp = std::move(nsp), pid = std::move(pid),
         offset = std::move(offset)](std::function<void(std::optional<restored_session>)> done) mutable {
            nsp->adapter().restore_session(std::move(pid), std::move(offset), std::move(done));
        });
}

} // namespace

socket_state::socket_state(std::shared_ptr<namespace_state> nsp, std::shared_ptr<client_state> client,
                           std::shared_ptr<engine::session> session, std::string id, handshake hs)
    : nsp_(std::move(nsp)),
      client_(client),
      session_(std::move(session)),
      id_(std::move(id)),
      handshake_(std::move(hs))
{
}

socket_state::~socket_state()
{
    // A socket whose connect never ran (its client closed first) still
    // lets its namespace go.
    release_namespace();
}

void socket_state::release_namespace()
{
    if (!std::exchange(holds_nsp_, false))
        return;
    nsp_->release_user();
}

void socket_state::deliver(const socket_packet& packet, const protocol::encoded_socket_packet& encoded,
                           bool is_volatile)
{
    nsp_->context().count_delivery();
    emit_packet(packet, encoded, is_volatile);
}

void socket_state::emit_packet(const socket_packet& packet, const protocol::encoded_socket_packet& encoded,
                               bool is_volatile)
{
    if (nsp_->watches_outgoing())
        notify_outgoing(packet);
    deliver_encoded(encoded, is_volatile);
}

void socket_state::notify_outgoing(const socket_packet& packet)
{
    const auto* data = packet.data ? packet.data->if_array() : nullptr;
    if (!data || data->empty() || !data->front().is_string())
        return;
    arguments args(json::array(data->begin() + 1, data->end()), packet.attachments);
    nsp_->notify_outgoing(socket_ref(shared_from_this()), std::string_view(data->front().get_string()), args);
}

void socket_state::deliver_encoded(protocol::encoded_socket_packet packet, bool is_volatile)
{
    net::dispatch(session_->get_executor(), [self = shared_from_this(), packet = std::move(packet), is_volatile]() mutable {
        switch (self->phase_) {
        case phase::connecting:
            if (!is_volatile)
                self->before_connect_.push_back(std::move(packet));
            else
                self->nsp_->context().count_volatile_drop();
            break;
        case phase::connected:
            if (!is_volatile)
                self->send_now(packet);
            else if (!self->session_->send_volatile(std::move(packet)))
                self->nsp_->context().count_volatile_drop();
            break;
        case phase::disconnected:
            break;
        }
    });
}

void socket_state::deliver_with_ack(const socket_packet& packet, const protocol::encoded_socket_packet& encoded,
                                    std::chrono::milliseconds timeout, std::function<void(socket_ack_result)> done)
{
    nsp_->context().count_delivery();
    if (nsp_->watches_outgoing())
        notify_outgoing(packet);
    net::dispatch(session_->get_executor(),
                  [self = shared_from_this(), encoded, ack_id = *packet.id, timeout, done = std::move(done)]() mutable {
                      if (self->phase_ == phase::disconnected) {
                          done(make_error_code(error::socket_disconnected));
                          return;
                      }
                      if (!self->ack_room_left()) {
                          done(make_error_code(error::too_many_pending_acks));
                          return;
                      }
                      self->expect_ack(ack_id, timeout, std::move(done));
                      self->send_or_hold(encoded);
                  });
}

void socket_state::disconnect(bool close_connection)
{
    net::dispatch(session_->get_executor(), [self = shared_from_this(), close_connection] {
        self->disconnect_now(disconnect_reason::server_disconnect, true);
        // After the DISCONNECT packet, which the session flushes before its close.
        if (close_connection)
            self->session_->close(engine::close_reason::server_close);
    });
}

log_record socket_state::record(log_level level, std::string_view message) const noexcept
{
    return {.level = level,
            .message = message,
            .sid = session_->id(),
            .socket = id_,
            .nsp = nsp_->name(),
            .remote = handshake_.address()};
}

socket_info socket_state::describe() const
{
    return {id_, handshake_.describe(), {}, shared_data()};
}

boost::json::value socket_state::shared_data() const
{
    std::lock_guard lock(shared_data_mutex_);
    return shared_data_;
}

void socket_state::set_shared_data(boost::json::value data)
{
    std::lock_guard lock(shared_data_mutex_);
    shared_data_ = std::move(data);
}

void socket_state::send_now(const protocol::encoded_socket_packet& packet)
{
    session_->send_shared(packet);
}

void socket_state::send_or_hold(const protocol::encoded_socket_packet& packet)
{
    if (phase_ == phase::connected)
        send_now(packet);
    else
        before_connect_.push_back(packet);
}

void socket_state::request_disconnect(disconnect_reason reason, bool notify_client)
{
    net::dispatch(session_->get_executor(),
                  [self = shared_from_this(), reason, notify_client] { self->disconnect_now(reason, notify_client); });
}

// g++ 12 inlines Asio's allocation of this coroutine's frame (aligned_alloc,
// through its per-thread cache) and its release (free, through the same
// cache), then warns that the frame's class operator delete does not match:
// a false positive.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
net::awaitable<void> socket_state::run_connect()
{
    auto self = shared_from_this();
    auto client = client_.lock();
    if (!client) {
        release_namespace();
        co_return;
    }
    auto& server = nsp_->context();
    const auto& recovery = nsp_->recovery();
    std::vector<protocol::socket_packet> missed;
    std::vector<std::string> rooms;
    // A protocol v4 client is never told a pid: it cannot recover.
    const bool v4_client = session_->protocol_version() == 3;
    if (recovery.enabled && !v4_client) {
        auto restored = co_await try_restore();
        if (restored) {
            rooms = std::move(restored->session.rooms);
            missed = std::move(restored->missed);
            adopt(std::move(restored->session));
        } else {
            pid_ = engine::make_session_id();
        }
    }
    // In its rooms from the start, so that middlewares and the connect
    // handler can join rooms; operations pass it by until it is connected.
    nsp_->adapter().add_socket(self);
    for (const auto& room : rooms)
        nsp_->adapter().join(id_, room);
    context ctx(socket_ref(self), "connect", std::nullopt);
    std::vector<const connect_handler*> chain;
    if (!recovered_ || !recovery.skip_middlewares) {
        for (auto& m : server.middlewares)
            chain.push_back(&m);
        for (auto& m : nsp_->middlewares)
            chain.push_back(&m);
    }
    if (nsp_->on_connect)
        chain.push_back(&nsp_->on_connect);

    std::optional<json::value> refusal;
    for (auto* step : chain) {
        try {
            auto verdict = co_await (*step)(ctx);
            refusal = std::move(verdict.refusal);
        } catch (const std::exception& e) {
            server.count_handler_error();
            auto r = record(log_level::error, "connect handler threw");
            r.error = e.what();
            server.log(r);
            refusal = json::object{{"message", "internal error"}};
        }
        if (refusal || client->closed() || phase_ != phase::connecting)
            break;
    }
    if (client->closed() || phase_ != phase::connecting) {
        phase_ = phase::disconnected;
        nsp_->adapter().remove_socket(id_);
        release_namespace();
        co_return;
    }
    if (refusal) {
        server.count_connect_refused();
        if (server.log_enabled(log_level::info)) {
            auto r = record(log_level::info, "connect refused");
            r.reason = refusal_message(*refusal);
            server.log(r);
        }
        phase_ = phase::disconnected;
        nsp_->adapter().remove_socket(id_);
        client->forget(nsp_->name(), this);
        client.reset();
        if (v4_client)
            refusal = v4_refusal(std::move(*refusal));
        send_now(nsp_->context().encode(socket_packet::connect_error(nsp_->name(), std::move(*refusal))));
        release_namespace();
        co_return;
    }

    phase_ = phase::connected;
    server.count_connect();
    connected_.store(true, std::memory_order_release);
    nsp_->add(self);
    client->socket_connected();
    server.log(record(log_level::info, "connected"));
    // The missed events go before the CONNECT answer, as socket.io sends
    // them (its client holds them until it connected).
    for (const auto& p : missed)
        send_now(nsp_->context().encode(p));
    // Protocol v4's CONNECT answer carries nothing.
    if (v4_client)
        send_now(nsp_->context().encode(socket_packet::connect(nsp_->name())));
    else
        send_now(connect_answer());
    for (auto& p : std::exchange(before_connect_, {}))
        send_now(p);
    for (const auto& o : server.observers)
        o->socket_connected(socket_ref(self));
    start_draining();
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

net::awaitable<std::optional<restored_session>> socket_state::try_restore()
{
    const auto* pid = handshake_.auth.if_contains("pid");
    const auto* offset = handshake_.auth.if_contains("offset");
    // socket.io restores only when both are strings; its client sends an
    // offset once it has received an event.
    if (!pid || !offset || !pid->is_string() || !offset->is_string())
        co_return std::nullopt;
    auto restored = co_await restore_session(nsp_, std::string(pid->get_string()), std::string(offset->get_string()));
    nsp_->context().count_recovery(restored.has_value());
    if (nsp_->context().log_enabled(log_level::info))
        nsp_->context().log(record(log_level::info, restored ? "session recovered" : "session not recovered"));
    co_return restored;
}

void socket_state::adopt(persisted_session session)
{
    id_ = std::move(session.sid);
    pid_ = std::move(session.pid);
    set_shared_data(std::move(session.data));
    recovered_ = true;
}

socket_state::extras& socket_state::more()
{
    if (!extras_)
        extras_ = std::make_unique<extras>();
    return *extras_;
}

protocol::encoded_socket_packet socket_state::connect_answer() const
{
    // The pid only with recovery on: the official suite requires exactly
    // {"sid"} (pid_ is empty then).
    if (nsp_->context().options().parser == protocol::socket_parser::json) {
        // Written directly: no json::object built and walked per connection.
        std::vector<protocol::packet> messages;
        messages.push_back(protocol::text_message(protocol::encode_connect_answer(nsp_->name(), id_, pid_)));
        return std::make_shared<const std::vector<protocol::packet>>(std::move(messages));
    }
    json::object answer{{"sid", id_}};
    if (!pid_.empty())
        answer["pid"] = pid_;
    return nsp_->context().encode(socket_packet::connect(nsp_->name(), std::move(answer)));
}

void socket_state::on_event(std::string event, arguments&& args, std::optional<std::uint64_t> ack_id)
{
    if (phase_ == phase::disconnected)
        return;
    // Per packet: the level test first, and never the arguments (they may
    // carry anything, passwords included).
    if (nsp_->context().log_enabled(log_level::debug)) {
        auto r = record(log_level::debug, "event received");
        r.event = event;
        nsp_->context().log(r);
    }
    auto& server = nsp_->context();
    if (!take_token(event)) {
        server.count_rate_limited();
        if (server.log_enabled(log_level::debug)) {
            auto r = record(log_level::debug, "event dropped: rate limited");
            r.event = event;
            server.log(r);
        }
        // Answered, as an argument error is, so the client's callback need
        // not time out; one packet for one event, so no amplification.
        if (ack_id && phase_ == phase::connected)
            send_ack(*ack_id, arguments(json::array{json::object{{"error", "rate limited"}, {"event", event}}}, {}));
        return;
    }
    if (queue_.size() - queue_head_ >= server.options().limits.max_queued_events) {
        server.count_event_queue_full();
        if (auto client = client_.lock())
            client->close_for(disconnect_reason::event_queue_full, engine::close_reason::server_close);
        return;
    }
    if (server.observers_want_events)
        for (const auto& o : server.observers)
            o->event_received(socket_ref(shared_from_this()), event, args);
    if (const auto* handler = runnable_now(event)) {
        run_now(*handler, std::move(event), std::move(args), ack_id);
        return;
    }
    queue_.push_back(queued_event{std::move(event), std::move(args), ack_id});
    if (phase_ == phase::connected)
        start_draining();
}

const sync_event_handler* socket_state::runnable_now(const std::string& event) const
{
    if (phase_ != phase::connected || busy_slots_ != 0 || !queue_empty() || nsp_->any)
        return nullptr;
    auto it = nsp_->handlers.find(event);
    if (it == nsp_->handlers.end() || !it->second.sync)
        return nullptr;
    return &it->second.sync;
}

void socket_state::run_now(const sync_event_handler& handler, std::string event, arguments&& args,
                           std::optional<std::uint64_t> ack_id)
{
    // Not counted among the running handlers that a shutdown waits for: it
    // ends before anything the shutdown posts to this strand runs. The
    // namespace keeps `handler`: its handlers are dropped only once no
    // socket can use them (namespace_registry).
    context ctx(socket_ref(shared_from_this()), std::move(event), ack_id);
    const auto started = std::chrono::steady_clock::now();
    try {
        handler(ctx, std::move(args));
    } catch (const std::exception& e) {
        report_failure(ctx, e.what());
    } catch (...) {
        report_failure(ctx, "not a std::exception");
    }
    nsp_->context().observe_handler(std::chrono::steady_clock::now() - started);
}

std::size_t socket_state::slot_limit() const noexcept
{
    if (!nsp_->concurrent)
        return 1;
    return std::max<std::size_t>(1, nsp_->context().options().limits.max_concurrent_handlers);
}

bool socket_state::take_token(const std::string& event)
{
    const auto& limits = nsp_->context().options().limits;
    const event_rate* rate = &limits.events;
    bucket* b = &events_bucket_;
    if (!limits.event_rates.empty()) {
        if (auto it = limits.event_rates.find(event); it != limits.event_rates.end()) {
            rate = &it->second;
            b = &more().event_buckets[event];
        }
    }
    if (!(rate->per_second > 0))
        return true;
    const double burst = std::max(1.0, rate->burst);
    const auto now = std::chrono::steady_clock::now();
    if (!b->started) {
        b->started = true;
        b->tokens = burst;
    } else {
        const std::chrono::duration<double> elapsed = now - b->updated;
        b->tokens = std::min(burst, b->tokens + elapsed.count() * rate->per_second);
    }
    b->updated = now;
    if (b->tokens < 1)
        return false;
    b->tokens -= 1;
    return true;
}

void socket_state::start_draining()
{
    // Each slot takes its first event now, so that no slot starts for an
    // event another took.
    const auto limit = slot_limit();
    while (busy_slots_ < limit && !queue_empty()) {
        ++busy_slots_;
        start_handler(drain_queue(pop_event()));
    }
}

void socket_state::start_handler(net::awaitable<void> work)
{
    nsp_->context().handler_started();
    auto it = running_.emplace(running_.end());
    net::co_spawn(session_->get_executor(), guarded(std::move(work)),
                  net::bind_cancellation_slot(it->slot(), [self = shared_from_this(), it](std::exception_ptr) {
                      self->running_.erase(it);
                      self->nsp_->context().handler_finished();
                  }));
}

net::awaitable<void> socket_state::drain_queue(queued_event first)
{
    auto self = shared_from_this();
    // The slot is free again however this ends (a cancelled handler).
    struct slot_guard {
        std::size_t& busy;
        ~slot_guard() { --busy; }
    } guard{busy_slots_};
    co_await run_event(std::move(first));
    while (!queue_empty() && phase_ == phase::connected)
        co_await run_event(pop_event());
}

socket_state::queued_event socket_state::pop_event()
{
    auto ev = std::move(queue_[queue_head_++]);
    if (queue_empty()) {
        queue_.clear();
        queue_head_ = 0;
        if (queue_.capacity() > 8)
            std::vector<queued_event>{}.swap(queue_);
    }
    return ev;
}

net::awaitable<void> socket_state::run_event(queued_event ev)
{
    auto self = shared_from_this();
    context ctx(socket_ref(self), ev.event, ev.ack_id);
    const auto started = std::chrono::steady_clock::now();
    try {
        if (nsp_->any)
            co_await nsp_->any(ctx, ev.args);
        auto it = nsp_->handlers.find(ev.event);
        if (it != nsp_->handlers.end())
            co_await it->second.async(ctx, std::move(ev.args));
        else if (nsp_->fallback)
            co_await nsp_->fallback(ctx, std::move(ev.args));
    } catch (const boost::system::system_error& e) {
        // A handler cancelled because its socket left ends quietly.
        if (e.code() != net::error::operation_aborted || phase_ == phase::connected)
            report_failure(ctx, e.what());
    } catch (const std::exception& e) {
        report_failure(ctx, e.what());
    }
    nsp_->context().observe_handler(std::chrono::steady_clock::now() - started);
}

void socket_state::report_failure(context& ctx, std::string_view what)
{
    auto& server = nsp_->context();
    server.count_handler_error();
    if (nsp_->on_error)
        nsp_->on_error(ctx, std::current_exception());
    else if (server.log_enabled(log_level::error)) {
        auto r = record(log_level::error, "handler threw");
        r.event = ctx.event();
        r.error = what;
        server.log(r);
    }
}

void socket_state::on_ack(std::uint64_t id, arguments args)
{
    if (!extras_)
        return; // unknown: none was ever awaited
    auto& acks = extras_->acks;
    auto it = acks.find(id);
    if (it == acks.end())
        return; // late or unknown: the waiter timed out
    auto waiter = std::move(it->second);
    acks.erase(it);
    nsp_->context().observe_ack(std::chrono::steady_clock::now() - waiter->sent);
    waiter->timer.cancel();
    waiter->done(std::move(args));
}

bool socket_state::ack_room_left()
{
    const std::size_t pending = extras_ ? extras_->acks.size() : 0;
    if (pending < nsp_->context().options().limits.max_pending_acks)
        return true;
    nsp_->context().count_ack_limit();
    if (nsp_->context().log_enabled(log_level::info))
        nsp_->context().log(record(log_level::info, "emit with ack refused: too many pending acks"));
    return false;
}

void socket_state::expect_ack(std::uint64_t id, std::chrono::milliseconds timeout,
                              std::function<void(socket_ack_result)> done)
{
    auto waiter = std::make_shared<ack_waiter>(session_->get_executor());
    waiter->done = std::move(done);
    waiter->timer.expires_after(timeout);
    waiter->timer.async_wait([self = shared_from_this(), id, waiter](boost::system::error_code ec) {
        if (ec)
            return; // answered, or the socket left: done was called there
        self->extras_->acks.erase(id);
        waiter->done(make_error_code(error::ack_timeout));
    });
    more().acks.emplace(id, std::move(waiter));
}

void socket_state::emit_with_ack(std::string_view event, arguments args, std::chrono::milliseconds timeout,
                                 std::function<void(socket_ack_result)> done)
{
    if (phase_ == phase::disconnected) {
        done(make_error_code(error::socket_disconnected));
        return;
    }
    if (!ack_room_left()) {
        done(make_error_code(error::too_many_pending_acks));
        return;
    }
    auto id = next_ack_id_++;
    nsp_->notify_outgoing(socket_ref(shared_from_this()), event, args);
    expect_ack(id, timeout, std::move(done));
    send_or_hold(nsp_->context().encode(
        socket_packet::event(nsp_->name(), event, std::move(args.values()), std::move(args.attachments()), id)));
}

void socket_state::send_ack(std::uint64_t id, arguments&& args)
{
    if (phase_ != phase::connected)
        return;
    // Built in place, not by socket_packet::ack: the arguments' array, or
    // their text when no one has read them, is moved once, straight into
    // the packet.
    socket_packet p;
    p.type = socket_packet_type::ack;
    p.nsp = nsp_->name();
    p.id = id;
    arguments_access::into_ack(std::move(args), p);
    // One message for this socket alone: sent as it is, not wrapped in the
    // shared unit that a broadcast's packets need.
    if (p.attachments.empty() && nsp_->context().options().parser == protocol::socket_parser::json) {
        session_->send(protocol::text_message(protocol::encode_socket_packet(std::move(p))));
        return;
    }
    send_now(nsp_->context().encode(std::move(p)));
}

void socket_state::disconnect_now(disconnect_reason reason, bool notify_client)
{
    if (phase_ == phase::disconnected)
        return;
    bool was_connected = phase_ == phase::connected;
    phase_ = phase::disconnected;
    // The client may connect to this namespace again.
    if (auto client = client_.lock())
        client->forget(nsp_->name(), this);
    connected_.store(false, std::memory_order_release);
    before_connect_.clear();
    queue_.clear();
    queue_head_ = 0;
    for (auto& signal : running_)
        signal.emit(net::cancellation_type::terminal);
    if (extras_) {
        for (auto& [id, waiter] : std::exchange(extras_->acks, {})) {
            waiter->timer.cancel();
            waiter->done(make_error_code(error::socket_disconnected));
        }
    }
    if (notify_client && was_connected)
        send_now(nsp_->context().encode(socket_packet::disconnect(nsp_->name())));
    if (!was_connected)
        return;
    nsp_->context().count_disconnect(reason);
    // Its rooms as it left, before the disconnect handler changes them.
    if (!pid_.empty() && recoverable(reason))
        more().to_persist = persisted_session{id_, pid_, nsp_->adapter().rooms_of(id_), shared_data()};
    for (const auto& o : nsp_->context().observers)
        o->socket_disconnected(socket_ref(shared_from_this()), reason);
    if (nsp_->context().log_enabled(log_level::info)) {
        auto r = record(log_level::info, "disconnected");
        r.reason = to_string(reason);
        nsp_->context().log(r);
    }
    // Without a disconnect handler there is nothing to wait for: the socket
    // leaves here, on the strand, as the coroutine would have (co_spawn
    // runs it inline up to its first suspension), without its frames.
    if (!nsp_->on_disconnect) {
        // Leaving drops the namespace's and the adapter's references.
        const auto self = shared_from_this();
        leave_namespace();
        return;
    }
    net::co_spawn(session_->get_executor(), run_disconnect(reason), net::detached);
}

net::awaitable<void> socket_state::run_disconnect(disconnect_reason reason)
{
    auto self = shared_from_this();
    auto& server = nsp_->context();
    context ctx(socket_ref(self), "disconnect", std::nullopt);
    try {
        co_await nsp_->on_disconnect(ctx, reason);
    } catch (const std::exception& e) {
        server.count_handler_error();
        auto r = record(log_level::error, "disconnect handler threw");
        r.error = e.what();
        server.log(r);
    }
    // Rooms stay readable until the disconnect handler is done.
    leave_namespace();
}

void socket_state::leave_namespace()
{
    auto& server = nsp_->context();
    nsp_->adapter().remove_socket(id_);
    nsp_->remove(id_);
    if (extras_ && extras_->to_persist) {
        nsp_->adapter().persist_session(std::move(*extras_->to_persist));
        extras_->to_persist.reset();
        server.count_recovery_session_kept();
    }
    release_namespace();
}

} // namespace corio::detail
