// The server the hostile-client tests (hostile_*.test.mjs) attack: a raw Engine.IO echo at
// /engine.io/ and a Socket.IO server at /socket.io/, built with the public API only, with the
// limits the tests probe set small, and what the tests must see on the server side counted:
//
//   GET /stats  ->  {"pid":…,
//                    "engine_io":{"sessions":n,"closes":{"<close reason>":n,…}},
//                    "socket_io":{"sessions":n,"sockets":n,"rooms":n,
//                                 "disconnects":{"<disconnect reason>":n,…},
//                                 "logged":{"<disconnect reason>":n,…},
//                                 "malformed":{"<decoder error message>":n,…}}}
//
// `closes` counts the raw endpoint's sessions by close reason (engine::to_string); `disconnects`
// the Socket.IO sockets of `/` by disconnect reason (corio::to_string: "send queue full",
// "parse error", …), as the disconnect handler sees it, and `logged` as the server's
// "disconnected" log records say it; `malformed` the Socket.IO connections closed for a packet that did not
// decode, by the decoder's error message (protocol::error, from the server's warning record).
// The tests read the process's RSS and descriptors from /proc/<pid> themselves; `sanitizer`
// tells them that this build is instrumented (a sanitizer tree, docs/sanitizers.md), where
// memory figures mean nothing (ASan's quarantine keeps freed blocks) and everything is slower.
//
// Socket.IO namespace `/`:
//   echo(...args)               acks with the arguments
//   join(room) / leave(room)    acks true
//   flood(room, count, size)    emits `tick(i, <size bytes of text>)` count times to every socket
//                               in room (the sender too, if a member), then acks true
//
// hostile_app [--host 127.0.0.1] [--port 0] [--threads 2] [--ping-interval MS] [--ping-timeout MS]
//             [--max-payload BYTES] [--max-queued-bytes BYTES] [--http-idle-timeout S]
// prints `listening on <host>:<port>` once it accepts.

#include <corio/engine/listener.hpp>
#include <corio/engine/server.hpp>
#include <corio/engine/session.hpp>
#include <corio/serve.hpp>
#include <corio/server.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define HOSTILE_APP_SANITIZER "address"
#elif defined(__SANITIZE_THREAD__)
#define HOSTILE_APP_SANITIZER "thread"
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HOSTILE_APP_SANITIZER "address"
#elif __has_feature(thread_sanitizer)
#define HOSTILE_APP_SANITIZER "thread"
#endif
#endif
#ifndef HOSTILE_APP_SANITIZER
#define HOSTILE_APP_SANITIZER ""
#endif

namespace {

namespace net = boost::asio;
namespace json = boost::json;
namespace http = boost::beast::http;

/// Counts of named outcomes, from any thread.
class tally {
public:
    void add(std::string_view what)
    {
        std::lock_guard lock(mutex_);
        ++counts_[std::string(what)];
    }

    json::object to_json() const
    {
        std::lock_guard lock(mutex_);
        json::object o;
        for (const auto& [what, n] : counts_)
            o[what] = n;
        return o;
    }

private:
    mutable std::mutex mutex_;
    std::map<std::string, std::uint64_t, std::less<>> counts_;
};

/// The raw Engine.IO endpoint: echoes every message, counts closes.
class engine_echo final : public corio::engine::handler {
public:
    explicit engine_echo(tally& closes) : closes_(closes) {}

    std::shared_ptr<corio::engine::session_handler> on_open(const std::shared_ptr<corio::engine::session>& s) override
    {
        return std::make_shared<session_echo>(s, closes_);
    }

private:
    class session_echo final : public corio::engine::session_handler {
    public:
        // Weak: the engine holds this, and the session is alive while it calls.
        session_echo(std::weak_ptr<corio::engine::session> s, tally& closes) : session_(std::move(s)), closes_(closes)
        {
        }

        void on_message(corio::protocol::packet&& message) override
        {
            if (auto s = session_.lock())
                s->send(std::move(message));
        }

        void on_close(corio::engine::close_reason reason) override { closes_.add(corio::engine::to_string(reason)); }

    private:
        std::weak_ptr<corio::engine::session> session_;
        tally& closes_;
    };

    tally& closes_;
};

struct command_line {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    unsigned threads = 2;
    std::chrono::milliseconds ping_interval{25'000};
    std::chrono::milliseconds ping_timeout{20'000};
    std::size_t max_payload = 100'000;
    std::size_t max_queued_bytes = 1024 * 1024;
    std::chrono::seconds http_idle_timeout{60};
};

[[noreturn]] void usage(std::string_view problem)
{
    std::cerr << "hostile_app: " << problem << "\n"
              << "usage: hostile_app [--host ADDR] [--port N] [--threads N] [--ping-interval MS]\n"
              << "                   [--ping-timeout MS] [--max-payload BYTES] [--max-queued-bytes BYTES]\n"
              << "                   [--http-idle-timeout S]\n";
    std::exit(2);
}

template <class T> T parse_number(std::string_view text, std::string_view what)
{
    T value{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size())
        usage("bad " + std::string(what) + ": " + std::string(text));
    return value;
}

command_line parse(int argc, char** argv)
{
    command_line cl;
    for (int i = 1; i < argc; i += 2) {
        std::string_view flag = argv[i];
        if (i + 1 >= argc)
            usage("missing value for " + std::string(flag));
        std::string_view value = argv[i + 1];
        if (flag == "--host")
            cl.host = value;
        else if (flag == "--port")
            cl.port = parse_number<std::uint16_t>(value, "port");
        else if (flag == "--threads")
            cl.threads = std::max(1u, parse_number<unsigned>(value, "thread count"));
        else if (flag == "--ping-interval")
            cl.ping_interval = std::chrono::milliseconds(parse_number<unsigned>(value, "ping interval"));
        else if (flag == "--ping-timeout")
            cl.ping_timeout = std::chrono::milliseconds(parse_number<unsigned>(value, "ping timeout"));
        else if (flag == "--max-payload")
            cl.max_payload = parse_number<std::size_t>(value, "max payload");
        else if (flag == "--max-queued-bytes")
            cl.max_queued_bytes = parse_number<std::size_t>(value, "max queued bytes");
        else if (flag == "--http-idle-timeout")
            cl.http_idle_timeout = std::chrono::seconds(parse_number<unsigned>(value, "HTTP idle timeout"));
        else
            usage("unknown option " + std::string(flag));
    }
    return cl;
}

corio::engine::options engine_options(const command_line& cl, std::string path)
{
    corio::engine::options o;
    o.path = std::move(path);
    o.ping_interval = cl.ping_interval;
    o.ping_timeout = cl.ping_timeout;
    o.limits.max_payload = cl.max_payload;
    o.max_queued_bytes = cl.max_queued_bytes;
    // Every client of the hostile tests comes from 127.0.0.1, thousands of
    // sessions within seconds: the per-address rate is tested on its own
    // (tests/engine/limits_test.cpp).
    o.handshake_rate.per_second = 0;
    return o;
}

net::awaitable<void> close_both(corio::engine::server& raw, corio::server& io, std::chrono::milliseconds deadline)
{
    using namespace net::experimental::awaitable_operators;
    co_await (raw.async_close_all(corio::engine::close_reason::server_shutdown, deadline) && io.shutdown(deadline));
}

} // namespace

int main(int argc, char** argv)
{
    auto cl = parse(argc, argv);
    net::io_context ioc(static_cast<int>(cl.threads));

    tally engine_closes;
    tally disconnects;
    tally malformed;
    tally logged;

    engine_echo echo(engine_closes);
    corio::engine::server raw(ioc.get_executor(), engine_options(cl, "/engine.io/"), echo);

    corio::server_options sio_options;
    sio_options.engine = engine_options(cl, "/socket.io/");
    // The warning a connection closed for a malformed packet gets names the decoder's error;
    // each disconnect is an info record with its reason.
    sio_options.log = corio::logger(
        [&malformed, &logged](const corio::log_record& r) {
            if (r.message == "closing the connection: malformed packet")
                malformed.add(r.error);
            else if (r.message == "disconnected")
                logged.add(r.reason);
            else if (r.level >= corio::log_level::warning)
                std::cerr << corio::format_text(r) << "\n";
        },
        corio::log_level::info);
    corio::server io(ioc.get_executor(), sio_options);

    auto root = io.of("/");
    root.on("echo", [](corio::context&, corio::arguments args) { return args; });
    root.on("join", [](corio::context& ctx, std::string room) {
        ctx.join(std::move(room));
        return true;
    });
    root.on("leave", [](corio::context& ctx, std::string room) {
        ctx.leave(room);
        return true;
    });
    root.on("flood", [root](corio::context&, std::string room, std::int64_t count, std::int64_t size) {
        const std::string payload(static_cast<std::size_t>(std::clamp<std::int64_t>(size, 0, 1'000'000)), 'x');
        auto members = root.to(std::move(room));
        for (std::int64_t i = 0; i < std::min<std::int64_t>(count, 10'000); ++i)
            members.emit("tick", i, payload);
        return true;
    });
    root.on_disconnect(
        [&disconnects](corio::context&, corio::disconnect_reason why) { disconnects.add(corio::to_string(why)); });

    corio::engine::listener_options listen_options;
    listen_options.http_idle_timeout = cl.http_idle_timeout;
    // The idle test cuts silent and slow-loris connections at the same
    // timeout; its thousands of connections all come from 127.0.0.1 (the
    // per-address cap is tested in tests/engine/limits_test.cpp).
    listen_options.header_timeout = cl.http_idle_timeout;
    listen_options.max_connections_per_address = 0;
    corio::engine::listener listener(ioc, listen_options);
    listener.add(raw);
    listener.add(io.engine());
    listener.set_fallback([&](const corio::engine::http_request& req) {
        corio::engine::http_response res{http::status::not_found, req.version()};
        if (req.target() != "/stats")
            return res;
        json::object stats{
            {"pid", ::getpid()},
            {"sanitizer", HOSTILE_APP_SANITIZER},
            {"engine_io", json::object{{"sessions", raw.session_count()}, {"closes", engine_closes.to_json()}}},
            {"socket_io", json::object{{"sessions", io.engine().session_count()},
                                       {"sockets", root.socket_count()},
                                       {"rooms", root.rooms().size()},
                                       {"disconnects", disconnects.to_json()},
                                       {"logged", logged.to_json()},
                                       {"malformed", malformed.to_json()}}}};
        res.result(http::status::ok);
        res.set(http::field::content_type, "application/json");
        res.body() = json::serialize(stats);
        res.prepare_payload();
        return res;
    });

    corio::serve(ioc, listener, [&](std::chrono::milliseconds deadline) { return close_both(raw, io, deadline); },
                 {.host = cl.host,
                  .port = cl.port,
                  .threads = cl.threads,
                  .drain_deadline = std::chrono::milliseconds(1000),
                  .on_listening = [&cl](std::uint16_t bound) {
                      std::cout << "listening on " << cl.host << ":" << bound << std::endl;
                  }});
}
