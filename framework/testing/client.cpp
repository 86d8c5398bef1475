#include <corio/testing/client.hpp>

#include <corio/engine/handler.hpp>
#include <corio/engine/session.hpp>
#include <corio/protocol/socket_packet.hpp>
#include <corio/server.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <deque>
#include <iterator>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace corio::detail {

namespace net = boost::asio;
namespace json = boost::json;
using protocol::socket_packet;
using protocol::socket_packet_type;
using testing::received_event;

/// The fake Engine.IO session, and everything the client learned from the
/// server. It outlives the client object as long as the server holds it, so
/// late sends land here harmlessly.
///
/// Packets in both directions are handled on the session's strand; the
/// client reads what they produced from the test thread, under `mutex_`.
class testing_session final : public engine::session {
public:
    testing_session(std::string id, engine::request_info request, net::io_context& ioc, engine::handler& handler,
                    protocol::decode_limits limits, protocol::socket_parser parser, int engine_protocol)
        : session(std::move(id), std::move(request), executor_type(ioc.get_executor()),
                  engine::transport_kind::websocket, engine_protocol),
          handler_(handler), parser_(parser), decoder_(limits, parser)
    {
    }

    // engine::session: the server's side, any thread ------------------------

    void send(protocol::packet p) override
    {
        std::vector<protocol::packet> packets;
        packets.push_back(std::move(p));
        send(std::move(packets));
    }

    void send(std::vector<protocol::packet> packets) override
    {
        net::post(get_executor(), [self = self(), packets = std::move(packets)]() mutable {
            for (auto& p : packets)
                self->receive(std::move(p));
        });
    }

    void send_shared(std::shared_ptr<const std::vector<protocol::packet>> packets) override
    {
        send(std::vector<protocol::packet>(packets->begin(), packets->end()));
    }

    /// No transport to be busy: a volatile packet is always taken.
    bool send_volatile(std::shared_ptr<const std::vector<protocol::packet>> packets) override
    {
        send_shared(std::move(packets));
        return true;
    }

    void close(engine::close_reason reason) override
    {
        // Posted like the real session's, so a handler closing its session
        // from inside on_message sees on_close afterwards, not nested.
        net::post(get_executor(), [self = self(), reason] { self->end(reason, true); });
    }

    // The client's side, test thread ------------------------------------------

    void open()
    {
        net::post(get_executor(), [self = self()] {
            // As the engine does: keep what on_open returns; nullptr refuses.
            self->session_handler_ = self->handler_.on_open(self);
            if (!self->session_handler_)
                self->close(engine::close_reason::server_close);
        });
    }

    /// Sends `p` through the codec, in the server's parser.
    void transmit(const socket_packet& p) { transmit_raw(protocol::encode_socket_packet_messages(p, parser_)); }

    /// Sends Engine.IO messages as they are, past the encoder.
    void transmit_raw(std::vector<protocol::packet> messages)
    {
        net::post(get_executor(), [self = self(), messages = std::move(messages)]() mutable {
            for (auto& m : messages) {
                // A copy: the handler may end the session from inside.
                auto h = self->session_handler_;
                if (self->closed_on_strand_ || !h)
                    return;
                h->on_message(std::move(m));
            }
        });
    }

    void close_from_client(engine::close_reason reason)
    {
        net::post(get_executor(), [self = self(), reason] { self->end(reason, false); });
    }

    struct nsp_state {
        bool connected = false;
        std::string sid;
        std::string pid;
        std::optional<json::value> connect_error;
        bool server_disconnected = false;
        std::deque<received_event> events;
    };

    /// Runs `f(state)` under the lock, creating the state of `nsp` if needed.
    template <class F> auto update_nsp(std::string_view nsp, F&& f)
    {
        std::lock_guard lock(mutex_);
        return f(namespaces_[std::string(nsp)]);
    }

    /// Runs `f(state)` under the lock; a namespace never heard of has an
    /// empty state.
    template <class F> auto read_nsp(std::string_view nsp, F&& f) const
    {
        static const nsp_state none;
        std::lock_guard lock(mutex_);
        auto it = namespaces_.find(nsp);
        return f(it == namespaces_.end() ? none : it->second);
    }

    void expect_ack(const std::string& nsp, std::uint64_t id)
    {
        std::lock_guard lock(mutex_);
        pending_acks_.emplace(nsp, id);
    }

    /// The answer to ack `id`, taken out; std::nullopt while none arrived.
    std::optional<arguments> take_ack(const std::string& nsp, std::uint64_t id)
    {
        std::lock_guard lock(mutex_);
        auto it = ack_answers_.find({nsp, id});
        if (it == ack_answers_.end())
            return std::nullopt;
        auto answer = std::move(it->second);
        ack_answers_.erase(it);
        return answer;
    }

    void forget_ack(const std::string& nsp, std::uint64_t id)
    {
        std::lock_guard lock(mutex_);
        pending_acks_.erase({nsp, id});
        ack_answers_.erase({nsp, id});
    }

    void set_answerer(std::function<arguments(const received_event&)> answer)
    {
        std::lock_guard lock(mutex_);
        answerer_ = std::move(answer);
    }

    bool closed() const
    {
        std::lock_guard lock(mutex_);
        return closed_;
    }

    std::optional<engine::close_reason> server_close_reason() const
    {
        std::lock_guard lock(mutex_);
        return server_close_reason_;
    }

    std::vector<std::string> protocol_errors() const
    {
        std::lock_guard lock(mutex_);
        return protocol_errors_;
    }

private:
    std::shared_ptr<testing_session> self() { return std::static_pointer_cast<testing_session>(shared_from_this()); }

    // Strand only -----------------------------------------------------------

    void receive(protocol::packet&& p)
    {
        if (closed_on_strand_ || p.type != protocol::packet_type::message)
            return;
        // A packet's text message comes first: its flag is the packet's.
        if (!p.binary)
            compressible_ = p.compress;
        auto decoded = p.binary ? decoder_.on_binary(std::move(p.data)) : decoder_.on_text(p.data);
        if (!decoded) {
            std::lock_guard lock(mutex_);
            protocol_errors_.push_back(decoded.error().message());
            return;
        }
        if (*decoded)
            on_packet(std::move(**decoded));
    }

    void on_packet(socket_packet&& p)
    {
        switch (p.type) {
        case socket_packet_type::connect:
            update_nsp(p.nsp, [&](nsp_state& ns) {
                ns.connected = true;
                ns.sid.clear();
                ns.pid.clear();
                if (p.data) {
                    if (auto* sid = p.data->as_object().if_contains("sid"); sid && sid->is_string())
                        ns.sid = std::string(sid->get_string());
                    if (auto* pid = p.data->as_object().if_contains("pid"); pid && pid->is_string())
                        ns.pid = std::string(pid->get_string());
                }
                ns.connect_error.reset();
                ns.server_disconnected = false;
            });
            return;
        case socket_packet_type::connect_error:
            update_nsp(p.nsp, [&](nsp_state& ns) {
                ns.connected = false;
                ns.connect_error = p.data ? std::move(*p.data) : json::value(nullptr);
            });
            return;
        case socket_packet_type::disconnect:
            update_nsp(p.nsp, [&](nsp_state& ns) {
                ns.connected = false;
                ns.server_disconnected = true;
            });
            return;
        case socket_packet_type::event:
        case socket_packet_type::binary_event:
            on_event(std::move(p));
            return;
        case socket_packet_type::ack:
        case socket_packet_type::binary_ack: {
            std::lock_guard lock(mutex_);
            // Late answers (after a timeout) and unknown ids are dropped.
            if (pending_acks_.erase({p.nsp, *p.id}) != 0)
                ack_answers_.insert_or_assign({p.nsp, *p.id},
                                              arguments(std::move(p.data->as_array()), std::move(p.attachments)));
            return;
        }
        }
    }

    void on_event(socket_packet&& p)
    {
        // The decoder guarantees a non-empty array starting with a string.
        auto& values = p.data->as_array();
        received_event ev{p.nsp, std::string(values.front().as_string()),
                          arguments(json::array(values.begin() + 1, values.end()), std::move(p.attachments))};
        ev.compressible = compressible_;
        std::function<arguments(const received_event&)> answer;
        {
            std::lock_guard lock(mutex_);
            if (p.id)
                answer = answerer_;
            namespaces_[p.nsp].events.push_back(ev);
        }
        if (!answer)
            return;
        arguments reply = answer(ev);
        transmit(socket_packet::ack(p.nsp, *p.id, std::move(reply.values()), std::move(reply.attachments())));
    }

    void end(engine::close_reason reason, bool by_server)
    {
        if (closed_on_strand_)
            return;
        closed_on_strand_ = true;
        {
            std::lock_guard lock(mutex_);
            closed_ = true;
            if (by_server)
                server_close_reason_ = reason;
            for (auto& [name, ns] : namespaces_)
                ns.connected = false;
        }
        // Let go after on_close, as the engine does.
        if (auto h = std::move(session_handler_))
            h->on_close(reason);
    }

    engine::handler& handler_;
    const protocol::socket_parser parser_; // the server's
    // From on_open until on_close; strand only.
    std::shared_ptr<engine::session_handler> session_handler_;

    // Strand only.
    protocol::socket_packet_decoder decoder_;
    bool closed_on_strand_ = false;
    /// The compress flag of the packet being decoded.
    bool compressible_ = true;

    // What the client sees; guarded by mutex_.
    mutable std::mutex mutex_;
    std::map<std::string, nsp_state, std::less<>> namespaces_;
    std::set<std::pair<std::string, std::uint64_t>> pending_acks_;
    std::map<std::pair<std::string, std::uint64_t>, arguments> ack_answers_;
    std::function<arguments(const received_event&)> answerer_;
    bool closed_ = false;
    std::optional<engine::close_reason> server_close_reason_;
    std::vector<std::string> protocol_errors_;
};

} // namespace corio::detail

namespace corio::testing {

namespace net = boost::asio;
namespace json = boost::json;
using protocol::socket_packet;
using protocol::socket_packet_type;
using nsp_state = detail::testing_session::nsp_state;

namespace {

/// 20 characters, like a real Engine.IO session id, unique in the process.
std::string next_session_id()
{
    static std::atomic<unsigned long long> counter = 0;
    char id[32];
    std::snprintf(id, sizeof id, "testclient%010llu", ++counter % 10'000'000'000ULL);
    return id;
}

engine::request_info make_request(const server_options& server_opts, const client_options& opts)
{
    engine::request_info request;
    request.query = {{"EIO", opts.engine_protocol == 3 ? "3" : "4"}, {"transport", "websocket"}};
    for (const auto& [name, value] : opts.query)
        request.query.add(name, value);
    boost::urls::url url;
    url.set_path(server_opts.engine.path);
    for (const auto& [name, value] : request.query)
        url.params().append(boost::urls::param_view(name, value));
    request.url = std::string(url.buffer());
    request.headers = engine::field_list(opts.headers);
    request.remote_address = opts.remote_address;
    request.time = std::chrono::system_clock::now();
    return request;
}

} // namespace

client::client(corio::server& server, net::io_context& ioc, client_options opts) : ioc_(ioc), opts_(std::move(opts))
{
    opts_.nsp = normalize(opts_.nsp);
    // Server output is not bounded by the server's inbound payload limit.
    auto limits = server.options().engine.limits;
    limits.max_payload = std::numeric_limits<std::size_t>::max();
    session_ = std::make_shared<detail::testing_session>(next_session_id(), make_request(server.options(), opts_), ioc_,
                                                         server.engine_handler(), limits, server.options().parser,
                                                         opts_.engine_protocol);
    session_->open();
    run_until_idle();
    if (opts_.connect)
        connect(opts_.nsp, opts_.auth);
}

client::~client()
{
    // Whatever the answerer captured may already be gone.
    session_->set_answerer(nullptr);
    try {
        if (!session_->closed())
            close(engine::close_reason::transport_close);
        else
            run_until_idle();
    } catch (...) {
        // A handler threw while draining; a destructor cannot report it.
    }
}

std::string client::normalize(std::string_view nsp)
{
    if (nsp.empty())
        return "/";
    if (nsp.front() != '/')
        return "/" + std::string(nsp);
    return std::string(nsp);
}

void client::run_until_idle()
{
    for (;;) {
        if (ioc_.stopped())
            ioc_.restart();
        if (ioc_.poll() == 0)
            break;
    }
    if (ioc_.stopped())
        ioc_.restart();
}

bool client::drive_until(const std::function<bool()>& done)
{
    const auto deadline = std::chrono::steady_clock::now() + opts_.timeout;
    bool ok = done();
    while (!ok) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline)
            break;
        if (ioc_.stopped())
            ioc_.restart();
        if (ioc_.run_one_for(deadline - now) == 0 && ioc_.stopped()) {
            // Nothing is outstanding on ioc_: only another thread of the
            // server can still make progress. Do not spin.
            std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
                std::chrono::milliseconds(1), deadline - std::chrono::steady_clock::now()));
        }
        ok = done();
    }
    if (ioc_.stopped())
        ioc_.restart();
    return ok;
}

bool client::connect(std::string nsp, json::object auth)
{
    auto name = nsp.empty() ? opts_.nsp : normalize(nsp);
    if (connected(name))
        return true;
    if (session_->closed())
        return false;
    // Protocol v4: the server connects `/` by itself; its answer may be in already.
    const bool asks = opts_.engine_protocol != 3 || name != "/";
    if (asks) {
        session_->update_nsp(name, [](nsp_state& ns) {
            ns.connect_error.reset();
            ns.server_disconnected = false;
        });
    }
    if (opts_.engine_protocol != 3) {
        std::optional<json::value> data;
        if (!auth.empty())
            data = json::value(std::move(auth));
        session_->transmit(socket_packet::connect(name, std::move(data)));
    } else if (asks) {
        // Protocol v4: the auth is the namespace's query.
        boost::urls::url query;
        for (const auto& [key, value] : auth)
            query.params().append(boost::urls::param_view(
                key, value.is_string() ? std::string(value.get_string()) : json::serialize(value)));
        session_->transmit(socket_packet::connect(name + std::string(query.buffer())));
    }
    drive_until([&] {
        return session_->closed() || session_->read_nsp(name, [](const nsp_state& ns) {
            return ns.connected || ns.connect_error.has_value();
        });
    });
    // Emits the connect handler made follow the CONNECT answer: take them in.
    run_until_idle();
    return connected(name);
}

bool client::connected(std::string_view nsp) const
{
    return session_->read_nsp(normalize(nsp), [](const nsp_state& ns) { return ns.connected; });
}

std::string client::sid(std::string_view nsp) const
{
    return session_->read_nsp(normalize(nsp), [](const nsp_state& ns) { return ns.sid; });
}

std::string client::pid(std::string_view nsp) const
{
    return session_->read_nsp(normalize(nsp), [](const nsp_state& ns) { return ns.pid; });
}

std::optional<json::value> client::connect_error(std::string_view nsp) const
{
    return session_->read_nsp(normalize(nsp), [](const nsp_state& ns) { return ns.connect_error; });
}

bool client::server_disconnected(std::string_view nsp) const
{
    return session_->read_nsp(normalize(nsp), [](const nsp_state& ns) { return ns.server_disconnected; });
}

bool client::engine_closed() const
{
    return session_->closed();
}

std::optional<engine::close_reason> client::server_close_reason() const
{
    return session_->server_close_reason();
}

std::vector<std::string> client::protocol_errors() const
{
    return session_->protocol_errors();
}


void client::emit_to(std::string_view nsp, std::string_view event, arguments args)
{
    session_->transmit(
        socket_packet::event(normalize(nsp), event, std::move(args.values()), std::move(args.attachments())));
    run_until_idle();
}

std::optional<arguments> client::emit_with_ack_to(std::string_view nsp, std::string_view event, arguments args)
{
    auto name = normalize(nsp);
    const auto id = next_ack_id_++;
    session_->expect_ack(name, id);
    session_->transmit(
        socket_packet::event(name, event, std::move(args.values()), std::move(args.attachments()), id));
    std::optional<arguments> answer;
    drive_until([&] {
        answer = session_->take_ack(name, id);
        return answer.has_value() || session_->closed();
    });
    session_->forget_ack(name, id);
    return answer;
}

std::vector<received_event> client::get_received(std::string_view nsp)
{
    run_until_idle();
    return session_->update_nsp(normalize(nsp), [](nsp_state& ns) {
        std::vector<received_event> out(std::make_move_iterator(ns.events.begin()),
                                        std::make_move_iterator(ns.events.end()));
        ns.events.clear();
        return out;
    });
}

std::optional<received_event> client::wait_for(std::string_view event, std::string_view nsp)
{
    auto name = normalize(nsp);
    auto take = [&]() -> std::optional<received_event> {
        return session_->update_nsp(name, [&](nsp_state& ns) -> std::optional<received_event> {
            for (auto it = ns.events.begin(); it != ns.events.end(); ++it) {
                if (it->event == event) {
                    auto ev = std::move(*it);
                    ns.events.erase(it);
                    return ev;
                }
            }
            return std::nullopt;
        });
    };
    std::optional<received_event> found;
    drive_until([&] {
        found = take();
        return found.has_value() || session_->closed();
    });
    return found;
}

void client::on_ack_request(std::function<arguments(const received_event&)> answer)
{
    session_->set_answerer(std::move(answer));
}

void client::send_text(std::string text)
{
    std::vector<protocol::packet> messages;
    messages.push_back(protocol::text_message(std::move(text)));
    session_->transmit_raw(std::move(messages));
    run_until_idle();
}

void client::send_binary(std::string bytes)
{
    std::vector<protocol::packet> messages;
    messages.push_back(protocol::binary_message(std::move(bytes)));
    session_->transmit_raw(std::move(messages));
    run_until_idle();
}

void client::disconnect(std::string_view nsp)
{
    auto name = normalize(nsp);
    session_->update_nsp(name, [](nsp_state& ns) { ns.connected = false; });
    session_->transmit(socket_packet::disconnect(name));
    run_until_idle();
}

void client::close(engine::close_reason reason)
{
    session_->close_from_client(reason);
    run_until_idle();
}

} // namespace corio::testing
