// A whole session, stateful: the real Engine.IO session (session_impl and its
// sans-I/O session_state, with the real plain_websocket_connection) carrying the
// real Socket.IO server (a small app: echo, rooms, acks, a namespace behind
// auth, dynamic namespaces), driven from the fuzz input as a client would
// drive it: the handshake, polling POSTs and GETs, a WebSocket (from the
// start, or as an upgrade with its probe) carrying text, binary, fragmented,
// raw and close frames, a hang-up; and what the server side may do meanwhile
// (broadcast, disconnect, close, abort).
//
// One io_context, run with poll() only, so a run is bounded and deterministic:
// timers (heartbeat, acks, lingering closes) never fire. The WebSocket's client
// end is a local socket pair (a Unix one: writes are in the peer's buffer when
// write returns), read after every step.
//
// Checks: everything the server sends is well-formed (polling payloads,
// unmasked final frames, Engine.IO packets, Socket.IO packets that decode),
// the first packet is the open packet, nothing follows a close packet, and at
// the end no socket is left in the Socket.IO layer.
//
// Input: one byte of setup (bit 0: WebSocket from the start), then steps:
// an op byte, and for ops that carry data, a 2-byte big-endian length and
// that many bytes (cut at the end of the input).

#include <corio/dsl.hpp>
#include <corio/engine/session_id.hpp>
#include <corio/protocol/json_reader.hpp>
#include <corio/protocol/polling_payload.hpp>
#include <corio/protocol/socket_packet.hpp>
#include <corio/protocol/websocket_frame.hpp>
#include <corio/server.hpp>

#include "engine/session_host.hpp"
#include "engine/session_impl.hpp"
#include "engine/plain_websocket_connection.hpp"

#include "fuzz_check.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <sys/socket.h>
#include <unistd.h>

namespace net = boost::asio;
namespace json = boost::json;
namespace engine = corio::engine;
namespace detail = corio::engine::detail;
namespace protocol = corio::protocol;
namespace ws = corio::protocol::websocket;
using corio_fuzz::check;

namespace {

enum class op : std::uint8_t {
    post,          ///< a polling POST with the data as body
    get,           ///< a polling GET (it may wait)
    ws_open,       ///< a WebSocket for this session: the upgrade probe's
    ws_text,       ///< a masked text frame of the data
    ws_binary,     ///< a masked binary frame of the data
    ws_raw,        ///< the data as bytes on the WebSocket, unframed
    ws_fragments,  ///< the data as a text message in two fragments, a ping between
    ws_close,      ///< a close frame (1000) with the data as reason
    ws_hang_up,    ///< the client closes its end of the WebSocket
    emit_binary,   ///< the server broadcasts the data as a binary argument
    disconnect,    ///< the server disconnects every socket of "/"
    close,         ///< the server closes the session
    abort,         ///< the server aborts the session
    oversized,     ///< a POST over the body limit arrives
    count
};

bool carries_data(op o)
{
    switch (o) {
    case op::post:
    case op::ws_text:
    case op::ws_binary:
    case op::ws_raw:
    case op::ws_fragments:
    case op::ws_close:
    case op::emit_binary:
        return true;
    default:
        return false;
    }
}

// The application: what the conformance echo app does, without its timers.
void setup_app(corio::server& io)
{
    auto root = io.of("/");
    root.on_connect([](corio::context& ctx) {
        auto it = ctx.handshake().auth.find("token");
        if (it != ctx.handshake().auth.end() && it->value() == "bad")
            return corio::refuse("unauthorized");
        ctx.emit("welcome", json::object{{"sid", ctx.id()}});
        return corio::accept();
    });
    root.on("echo", [](corio::context&, corio::arguments args) { return args; });
    root.on("join", [](corio::context& ctx, std::string room) {
        ctx.join(std::move(room));
        return true;
    });
    root.on("leave", [](corio::context& ctx, std::string room) {
        ctx.leave(room);
        return true;
    });
    root.on("to_room", [](corio::context& ctx, std::string room, std::string event, corio::arguments args) {
        ctx.to(std::move(room)).emit(event, std::move(args));
        return true;
    });
    root.on("rooms", [](corio::context& ctx) { return ctx.rooms(); });
    root.on("disconnect_me", [](corio::context& ctx) { ctx.disconnect(); });
    root.on_fallback([](corio::context& ctx, corio::arguments args) { ctx.emit("unknown", std::move(args)); });

    auto admin = io.of("/admin");
    admin.use([](corio::context& ctx) {
        auto it = ctx.handshake().auth.find("token");
        return it != ctx.handshake().auth.end() && it->value() == "secret" ? corio::accept()
                                                                          : corio::refuse("unauthorized");
    });
    admin.on("count", [root](corio::context&) { return root.socket_count(); });
    io.of_dynamic([](std::string_view name) { return name.starts_with("/dyn-"); },
                  [](corio::nsp ns) { ns.on("echo", [](corio::context&, corio::arguments args) { return args; }); });
}

corio::server_options server_options()
{
    corio::server_options o;
    // Small bounds that short inputs reach.
    o.engine.limits.max_payload = 4096;
    o.engine.limits.max_attachments = 4;
    o.engine.limits.max_json_depth = 8;
    o.engine.max_queued_bytes = 8192;
    o.engine.max_queued_packets = 64;
    o.log = corio::logger::off();
    return o;
}

/// The client's view of what the server sent, and the checks on it.
class client_view {
public:
    void on_packet(const protocol::packet& p)
    {
        check(!closed_, "nothing follows the close packet");
        if (!opened_) {
            check(p.type == protocol::packet_type::open && !p.binary, "the first packet is the open packet");
            check(protocol::parse_json(p.data, 4).has_value(), "the open packet carries JSON");
            opened_ = true;
            return;
        }
        check(p.type != protocol::packet_type::open, "one open packet");
        if (p.type == protocol::packet_type::close)
            closed_ = true;
        if (p.type != protocol::packet_type::message)
            return;
        auto r = p.binary ? decoder_.on_binary(p.data) : decoder_.on_text(p.data);
        check(r.has_value(), "the server's Socket.IO packets decode");
    }

    void on_polling_body(std::string_view body)
    {
        auto packets = protocol::decode_payload(body, protocol::decode_limits{.max_payload = body.size() + 1});
        check(packets.has_value(), "a GET's answer is a polling payload");
        for (const auto& p : *packets)
            on_packet(p);
    }

    /// Frames the server wrote to the WebSocket; keeps an incomplete tail.
    /// `probing`: the WebSocket is a probe not yet upgraded, which carries
    /// only the probe's answer.
    void on_ws_bytes(std::string_view bytes, bool probing)
    {
        frames_.append(bytes);
        for (;;) {
            if (frames_.size() < 2)
                return;
            const auto b0 = static_cast<unsigned char>(frames_[0]);
            const auto b1 = static_cast<unsigned char>(frames_[1]);
            check((b0 & 0x80) != 0 && (b0 & 0x70) == 0, "server frames are final, without RSV bits");
            check((b1 & 0x80) == 0, "server frames are not masked");
            std::size_t pos = 2;
            std::uint64_t length = b1 & 0x7F;
            if (length == 126) {
                if (frames_.size() < 4)
                    return;
                length = (std::uint64_t{static_cast<unsigned char>(frames_[2])} << 8) |
                         static_cast<unsigned char>(frames_[3]);
                check(length > 125, "the shortest length form");
                pos = 4;
            } else if (length == 127) {
                if (frames_.size() < 10)
                    return;
                length = 0;
                for (int i = 0; i < 8; ++i)
                    length = (length << 8) | static_cast<unsigned char>(frames_[2 + i]);
                check(length > 0xFFFF, "the shortest length form");
                pos = 10;
            }
            if (frames_.size() - pos < length)
                return;
            const std::string_view payload(frames_.data() + pos, static_cast<std::size_t>(length));
            const auto opcode = static_cast<ws::opcode>(b0 & 0x0F);
            switch (opcode) {
            case ws::opcode::text: {
                check(ws::valid_utf8(payload), "text frames are UTF-8");
                auto p = protocol::decode_text_packet(payload);
                check(p.has_value(), "a text frame is an Engine.IO packet");
                // The probe's answer (`3probe`) is the transport's, not the session's.
                if (p->type == protocol::packet_type::pong && p->data == "probe")
                    break;
                check(!probing, "a probe carries only its answer until the upgrade");
                on_packet(*p);
                break;
            }
            case ws::opcode::binary:
                check(!probing, "a probe carries only its answer until the upgrade");
                on_packet(protocol::binary_message(std::string(payload)));
                break;
            case ws::opcode::close:
                check(length == 0 || length >= 2, "a close frame has a code");
                break;
            case ws::opcode::pong:
                check(length <= 125, "a pong is a control frame");
                break;
            default:
                check(false, "server frames are text, binary, close or pong");
            }
            frames_.erase(0, pos + static_cast<std::size_t>(length));
        }
    }

    /// A new WebSocket: its frames start afresh.
    void new_websocket() { frames_.clear(); }

private:
    protocol::socket_packet_decoder decoder_{protocol::decode_limits{.max_payload = 1 << 20}};
    std::string frames_;
    bool opened_ = false;
    bool closed_ = false;
};

/// One run: the server, the session and the client's end of its transports.
class run {
public:
    run()
    {
        setup_app(io_);
        auto host = std::make_shared<const detail::session_host>(detail::session_host{
            io_.engine_handler(), io_.options().engine, [](const std::string&) {},
            std::make_shared<detail::drain_tracker>()});
        host_ = host;
    }

    ~run()
    {
        // Everything ends as at a crash of the client: no timer is waited for.
        if (session_)
            session_->abort();
        hang_up();
        pump();
        check(io_.of("/").socket_count() == 0 && io_.of("/admin").socket_count() == 0,
              "no socket is left once the session ended");
        session_.reset();
    }

    run(const run&) = delete;
    run& operator=(const run&) = delete;

    void start(bool websocket)
    {
        request_.url = websocket ? "/socket.io/?EIO=4&transport=websocket" : "/socket.io/?EIO=4&transport=polling";
        request_.query = {{"EIO", "4"}, {"transport", websocket ? "websocket" : "polling"}};
        request_.headers = {{"host", "localhost"}};
        request_.remote_address = "127.0.0.1";
        session_ = std::make_shared<detail::session_impl>(host_, engine::make_session_id(), request_, strand_,
                                                          websocket ? engine::transport_kind::websocket
                                                                    : engine::transport_kind::polling,
                                                          4);
        if (websocket) {
            view_.new_websocket();
            session_->run_websocket(open_websocket());
        } else {
            spawn_poll(true);
        }
        pump();
    }

    void step(op o, std::string_view data)
    {
        switch (o) {
        case op::post:
            session_->async_post(std::string(data),
                                 net::bind_executor(strand_, [](std::exception_ptr e, detail::poll_reply reply) {
                                     if (e)
                                         std::rethrow_exception(e);
                                     check(reply.engine_error.has_value() || reply.body == "ok",
                                           "a POST is answered ok");
                                 }));
            break;
        case op::get:
            spawn_poll(false);
            break;
        case op::ws_open:
            if (client_fd_ < 0) {
                view_.new_websocket();
                session_->begin_probe(open_websocket());
            }
            break;
        case op::ws_text:
            send_frame(0x81, data);
            break;
        case op::ws_binary:
            send_frame(0x82, data);
            break;
        case op::ws_raw:
            write_client(data);
            break;
        case op::ws_fragments: {
            const auto half = data.size() / 2;
            send_frame(0x01, data.substr(0, half));
            send_frame(0x89, "p");
            send_frame(0x80, data.substr(half));
            break;
        }
        case op::ws_close: {
            std::string payload{"\x03\xe8", 2};
            payload.append(data.substr(0, 123));
            send_frame(0x88, payload);
            break;
        }
        case op::ws_hang_up:
            hang_up();
            break;
        case op::emit_binary:
            io_.emit("news", corio::binary{std::string(data)});
            break;
        case op::disconnect:
            io_.disconnect_sockets(false);
            break;
        case op::close:
            session_->close(engine::close_reason::server_close);
            break;
        case op::abort:
            session_->abort();
            break;
        case op::oversized:
            net::post(strand_, [s = session_] { s->reject_oversized(); });
            break;
        case op::count:
            break;
        }
        pump();
    }

private:
    std::shared_ptr<detail::websocket_connection> open_websocket()
    {
        int fds[2];
        check(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0, "socketpair");
        client_fd_ = fds[1];
        detail::plain_websocket_connection::socket_type socket(strand_);
        socket.assign(net::ip::tcp::v4(), fds[0]);
        return std::make_shared<detail::plain_websocket_connection>(std::move(socket),
                                                                    io_.options().engine.limits.max_payload);
    }

    void spawn_poll(bool handshake)
    {
        auto on_reply = [this](std::exception_ptr e, detail::poll_reply reply) {
            if (e)
                std::rethrow_exception(e);
            if (!reply.engine_error)
                view_.on_polling_body(reply.body);
        };
        if (handshake)
            session_->async_open_polling(net::bind_executor(strand_, on_reply));
        else
            session_->async_poll(net::bind_executor(strand_, on_reply));
    }

    void send_frame(unsigned char b0, std::string_view payload)
    {
        static constexpr char key[4] = {0x12, 0x34, 0x56, 0x78};
        std::string frame(1, static_cast<char>(b0));
        if (payload.size() <= 125) {
            frame.push_back(static_cast<char>(0x80 | payload.size()));
        } else {
            frame.push_back(static_cast<char>(0x80 | 126));
            frame.push_back(static_cast<char>(payload.size() >> 8));
            frame.push_back(static_cast<char>(payload.size() & 0xFF));
        }
        frame.append(key, 4);
        for (std::size_t i = 0; i < payload.size(); ++i)
            frame.push_back(static_cast<char>(payload[i] ^ key[i % 4]));
        write_client(frame);
    }

    void write_client(std::string_view bytes)
    {
        if (client_fd_ < 0)
            return;
        // Short inputs never fill the socket's buffer; a refused write (the
        // server closed its end) is what a client would see too.
        (void)::send(client_fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    }

    void hang_up()
    {
        if (client_fd_ >= 0) {
            read_client();
            ::close(client_fd_);
            client_fd_ = -1;
        }
    }

    /// Takes what the server wrote to the WebSocket; whether anything came.
    bool read_client()
    {
        if (client_fd_ < 0)
            return false;
        bool any = false;
        char buffer[16 * 1024];
        for (;;) {
            const auto n = ::recv(client_fd_, buffer, sizeof buffer, MSG_DONTWAIT);
            if (n <= 0)
                break;
            any = true;
            view_.on_ws_bytes({buffer, static_cast<std::size_t>(n)},
                              session_->transport() == engine::transport_kind::polling);
        }
        return any;
    }

    /// Runs what is ready until nothing more is, reading the client's end.
    void pump()
    {
        for (int rounds = 0; rounds < 1000; ++rounds) {
            ioc_.restart();
            const auto ran = ioc_.poll();
            const bool read = read_client();
            if (ran == 0 && !read)
                return;
        }
        check(false, "a step settles within 1000 rounds");
    }

    net::io_context ioc_;
    corio::server io_{ioc_.get_executor(), server_options()};
    engine::session::executor_type strand_ = net::make_strand(ioc_.get_executor());
    std::shared_ptr<const detail::session_host> host_;
    engine::request_info request_;
    std::shared_ptr<detail::session_impl> session_;
    int client_fd_ = -1;
    client_view view_;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0)
        return 0;
    std::string_view input = corio_fuzz::as_text(data, size);
    run r;
    r.start((input[0] & 1) != 0);
    input.remove_prefix(1);
    while (!input.empty()) {
        const auto o = static_cast<op>(static_cast<unsigned char>(input[0]) % static_cast<unsigned>(op::count));
        input.remove_prefix(1);
        std::string_view payload;
        if (carries_data(o)) {
            std::size_t length = 0;
            for (int i = 0; i < 2 && !input.empty(); ++i) {
                length = (length << 8) | static_cast<unsigned char>(input[0]);
                input.remove_prefix(1);
            }
            payload = input.substr(0, length);
            input.remove_prefix(payload.size());
        }
        r.step(o, payload);
    }
    return 0;
}
