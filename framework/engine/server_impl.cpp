#include "engine/server_impl.hpp"

#include <corio/engine/session_id.hpp>

#include "engine/cors.hpp"
#include "engine/plain_websocket_connection.hpp"
#include "engine/rehome.hpp"
#include "engine/request.hpp"
#include "engine/tls_websocket_connection.hpp"
#include "engine/use_tuple.hpp"

#include <corio/engine/server.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/detail/hybi13.hpp>
#include <boost/json/value.hpp>
#include <corio/protocol/json_writer.hpp>
#include <corio/protocol/permessage_deflate.hpp>

#include <stdexcept>

namespace corio::engine::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

namespace {

http_response to_response(const http_request& req, poll_reply reply)
{
    if (reply.engine_error)
        return error_response(req, *reply.engine_error);
    return text_response(req, reply.status, std::move(reply.body),
                         reply.binary ? "application/octet-stream" : "text/plain; charset=UTF-8");
}

/// options::handshake_rate's refusal: Node's answer to a handshake its
/// allowRequest refuses, with the status that says why.
http_response too_many_handshakes(const http_request& req)
{
    auto res = error_response(req, error::forbidden);
    res.result(http::status::too_many_requests);
    res.set(http::field::retry_after, "1");
    boost::json::value body = {{"code", static_cast<int>(error::forbidden)}, {"message", "Too many handshakes"}};
    res.body() = protocol::to_json(body);
    res.prepare_payload();
    return res;
}

} // namespace

// server_impl ----------------------------------------------------------------

namespace {

net::io_context& io_context_of(const net::any_io_executor& ex)
{
    using io_executor = net::io_context::executor_type;
    if (const auto* e = ex.target<io_executor>())
        return e->context();
    if (const auto* s = ex.target<net::strand<io_executor>>())
        return s->get_inner_executor().context();
    throw std::invalid_argument("corio: the server's executor must be an io_context's, or a strand of one");
}

/// The host's `finished`: out of the table, if the server still exists.
std::function<void(const std::string&)> erase_from(const std::shared_ptr<session_table>& table)
{
    return [weak = std::weak_ptr<session_table>(table)](const std::string& sid) {
        if (auto t = weak.lock())
            t->erase(sid);
    };
}

} // namespace

server_impl::server_impl(net::any_io_executor ex, engine::options opts, handler& h)
    : context_(io_context_of(ex)),
      sessions_(std::make_shared<session_table>()),
      host_(std::make_shared<const session_host>(
          session_host{h, std::move(opts), erase_from(sessions_), std::make_shared<drain_tracker>()})),
      handshakes_(host_->options.handshake_rate.per_second, host_->options.handshake_rate.burst)
{
}

bool server_impl::handshake_allowed(const std::string& address)
{
    if (handshakes_.try_take(address))
        return true;
    host_->counters->handshakes_refused_rate.fetch_add(1, std::memory_order_relaxed);
    return false;
}

std::shared_ptr<session_impl> server_impl::make_session(request_info info, session::executor_type strand,
                                                        transport_kind transport, int protocol)
{
    auto s = std::make_shared<session_impl>(host_, engine::make_session_id(), std::move(info), std::move(strand),
                                            transport, protocol);
    sessions_->insert(s);
    host_->counters->sessions_opened.fetch_add(1, std::memory_order_relaxed);
    return s;
}

net::awaitable<bool> server_impl::handle_request(http_stream& stream, http_request req, std::string remote_address)
{
    // The answer is made and written in this one coroutine: a coroutine of
    // its own to make it was one more frame per polling request.
    const auto& opts = host_->options;
    answer a;
    if (req.method() == http::verb::options) {
        a.response = preflight_response(opts.cors, req);
    } else {
        // The full request_info (headers, every parameter decoded) only for
        // a handshake, whose session keeps it; a live session's request
        // needs only the Engine.IO parameters.
        auto query = parse_engine_query(req, opts.allow_eio3);
        if (!origin_allowed(opts.cors, req)) {
            a.response = error_response(req, error::forbidden);
        } else if (!query) {
            a.response = error_response(req, query.error());
        } else if (query->transport != transport_kind::polling || !opts.allow_polling) {
            // A WebSocket transport request that is not an upgrade, or
            // polling where it is switched off.
            a.response = error_response(req, query->transport == transport_kind::polling ? error::unknown_transport
                                                                                         : error::bad_request);
        } else if (!query->sid) {
            if (req.method() != http::verb::get)
                a.response = error_response(req, error::bad_handshake_method);
            else if (!handshake_allowed(remote_address))
                a.response = too_many_handshakes(req);
            else {
                auto info = make_request_info(req, std::move(remote_address));
                a = co_await open_polling(req, std::move(info), query->protocol);
            }
        } else if (auto s = sessions_->find(*query->sid); !s) {
            a.response = error_response(req, error::unknown_sid);
        } else if (req.method() == http::verb::get) {
            auto reply = co_await s->async_poll(net::use_awaitable);
            a.drain = std::move(reply.drain);
            a.response = to_response(req, std::move(reply));
        } else if (req.method() == http::verb::post) {
            auto reply = co_await s->async_post(std::move(req.body()), net::use_awaitable);
            a.response = to_response(req, std::move(reply));
        } else {
            a.response = error_response(req, error::bad_request);
        }
        add_cors_headers(opts.cors, req, a.response);
    }
    bool keep_alive = a.response.keep_alive();
    auto ec = co_await stream.async_write(a.response);
    // a.drain goes now: a session's last packets are written (or cannot be).
    co_return !ec && keep_alive;
}

net::awaitable<server_impl::answer> server_impl::open_polling(http_request req, request_info info, int protocol)
{
    // On the io_context of the connection that asked (its thread's, under
    // run(ioc, threads)), as a WebSocket session stays on its connection's.
    auto here = co_await net::this_coro::executor;
    auto s = make_session(std::move(info), net::make_strand(io_context_of(here).get_executor()),
                          transport_kind::polling, protocol);
    auto reply = co_await s->async_open_polling(net::use_awaitable);
    close_if_closing_all(*s);
    auto drain = std::move(reply.drain);
    co_return answer{to_response(req, std::move(reply)), std::move(drain)};
}

http_response server_impl::handle_oversized(const http_request& req)
{
    auto query = parse_engine_query(req, host_->options.allow_eio3);
    if (query && query->sid) {
        if (auto s = sessions_->find(*query->sid))
            net::dispatch(s->get_executor(), [s] { s->reject_oversized(); });
    }
    auto res = text_response(req, http::status::payload_too_large, "", "text/plain");
    res.keep_alive(false);
    add_cors_headers(host_->options.cors, req, res);
    return res;
}

namespace {

/// The Sec-WebSocket-Extensions answer to `req`'s permessage-deflate offer,
/// if it makes one Corio accepts. The header may come in several lines.
std::optional<std::string> deflate_answer(const http_request& req)
{
    std::string offers;
    auto [it, end] = req.equal_range(http::field::sec_websocket_extensions);
    for (; it != end; ++it) {
        if (!offers.empty())
            offers += ',';
        offers.append(it->value());
    }
    return protocol::websocket::accept_deflate_offer(offers);
}

/// The refusal of an upgrade request that cannot succeed (RFC 6455, 4.2.1
/// and 4.2.2: 400, or 426 for a version other than 13), or nullopt for one
/// that can. `fields` are upgrade_fields_of(req); is_upgrade(req, fields).
std::optional<http_response> malformed_upgrade(const http_request& req, const upgrade_fields& fields)
{
    auto refuse = [&req](http::status status, std::string why) {
        return text_response(req, status, std::move(why), "text/plain");
    };
    if (req.version() != 11)
        return refuse(http::status::bad_request, "A WebSocket handshake needs HTTP/1.1");
    if (!fields.has_host)
        return refuse(http::status::bad_request, "Missing Host");
    if (fields.key.empty() || fields.key.size() > websocket::detail::sec_ws_key_type::static_capacity)
        return refuse(http::status::bad_request, "Missing or malformed Sec-WebSocket-Key");
    if (fields.version.empty())
        return refuse(http::status::bad_request, "Missing Sec-WebSocket-Version");
    if (fields.version != "13") {
        auto res = refuse(http::status::upgrade_required, "Unsupported Sec-WebSocket-Version");
        res.set(http::field::sec_websocket_version, "13");
        return res;
    }
    return std::nullopt;
}

/// The 101 answer to a well-formed upgrade request whose Sec-WebSocket-Key
/// is `key`, with `extension` as its Sec-WebSocket-Extensions, if any.
std::string switching_protocols(std::string_view key, const std::optional<std::string>& extension)
{
    websocket::detail::sec_ws_accept_type accept;
    websocket::detail::make_sec_ws_accept(accept, key);
    std::string out = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Accept: ";
    out.append(accept.data(), accept.size());
    out += "\r\n";
    if (extension) {
        out += "Sec-WebSocket-Extensions: ";
        out += *extension;
        out += "\r\n";
    }
    out += "\r\n";
    return out;
}

using deadline_timer = net::basic_waitable_timer<std::chrono::steady_clock, net::wait_traits<std::chrono::steady_clock>,
                                                 websocket_connection::executor_type>;

/// Cuts `ws` when `deadline` expires, unless it is cancelled first.
void cut_at(deadline_timer& deadline, std::shared_ptr<websocket_connection> ws)
{
    deadline.async_wait([ws = std::move(ws)](boost::system::error_code ec) {
        if (!ec)
            ws->cut();
    });
}

/// Writes `answer` on `ws`'s socket: at once, on the socket made
/// non-blocking (a fresh connection's socket buffer takes it whole), and
/// asynchronously, within `timeout`, for whatever it does not take. On
/// `ws`'s strand; false, with `ws` cut, when it could not be written.
net::awaitable<bool> write_answer(std::shared_ptr<plain_websocket_connection> ws, std::string answer,
                                  std::chrono::seconds timeout)
{
    auto& socket = ws->socket();
    boost::system::error_code ec;
    if (!socket.non_blocking())
        socket.non_blocking(true, ec);
    std::size_t sent = 0;
    if (!ec)
        sent = socket.write_some(net::buffer(answer), ec);
    if (ec == net::error::would_block || ec == net::error::try_again) {
        ec = {};
        sent = 0;
    }
    if (!ec && sent < answer.size()) {
        deadline_timer deadline(ws->get_executor(), timeout);
        cut_at(deadline, ws);
        auto [write_ec, n] = co_await net::async_write(socket, net::buffer(answer.data() + sent, answer.size() - sent),
                                                       use_tuple);
        deadline.cancel();
        ec = write_ec;
    }
    if (ec) {
        ws->cut();
        co_return false;
    }
    co_return true;
}

/// The same over TLS. The stream's executor is the HTTP connection's
/// strand: a timer on `ws`'s strand bounds the write, by cutting it.
net::awaitable<bool> write_answer(std::shared_ptr<tls_websocket_connection> ws, std::string answer,
                                  std::chrono::seconds timeout)
{
    deadline_timer deadline(ws->get_executor(), timeout);
    cut_at(deadline, ws);
    auto [ec, n] = co_await net::async_write(ws->stream(), net::buffer(answer), use_tuple);
    deadline.cancel();
    if (ec) {
        ws->cut();
        co_return false;
    }
    co_return true;
}

/// A new session's 101 goes out with its open packet, in its first write
/// (an upgrade's cannot wait: the client sends its probe once it has the
/// 101). On `ws`'s strand; false, with `ws` cut, on failure.
bool precede_open_packet(plain_websocket_connection& ws, std::string answer)
{
    // That write is tried at once, which needs the socket non-blocking.
    boost::system::error_code ec;
    if (!ws.socket().non_blocking())
        ws.socket().non_blocking(true, ec);
    if (ec) {
        ws.cut();
        return false;
    }
    ws.precede_next_write(std::move(answer));
    return true;
}

bool precede_open_packet(tls_websocket_connection& ws, std::string answer)
{
    ws.precede_next_write(std::move(answer));
    return true;
}

/// The 101 to a WebSocket that asks to upgrade `upgrading`, then its probe.
/// On the session's strand.
template <class Connection>
net::awaitable<void> accept_upgrade(std::shared_ptr<session_impl> upgrading, std::shared_ptr<Connection> ws,
                                    std::string answer, std::chrono::seconds timeout)
{
    bool written = co_await write_answer(ws, std::move(answer), timeout);
    if (written)
        upgrading->begin_probe(std::move(ws));
}

} // namespace

net::awaitable<void> server_impl::handle_websocket(http_stream& stream, http_request req, std::string remote_address,
                                                   strand_type strand, std::chrono::seconds handshake_timeout)
{
    const auto& opts = host_->options;
    // The full request_info only for a new session, which keeps it: an
    // upgrade or a refusal needs only the Engine.IO parameters.
    auto query = parse_engine_query(req, opts.allow_eio3);
    std::optional<error> refusal;
    if (!origin_allowed(opts.cors, req))
        refusal = error::forbidden;
    else if (!query)
        refusal = query.error();
    else if (query->transport != transport_kind::websocket || !opts.allow_websocket)
        refusal = error::unknown_transport;
    else if (query->sid && (!opts.allow_upgrades || !opts.allow_polling))
        refusal = error::bad_request;
    std::shared_ptr<session_impl> upgrading;
    if (!refusal && query->sid && !(upgrading = sessions_->find(*query->sid)))
        refusal = error::unknown_sid;
    bool rate_limited = !refusal && !query->sid && !handshake_allowed(remote_address);
    std::optional<http_response> refused;
    if (rate_limited)
        refused = too_many_handshakes(req);
    else if (refusal)
        refused = error_response(req, *refusal);
    const auto fields = upgrade_fields_of(req);
    if (!refused)
        refused = malformed_upgrade(req, fields);
    if (refused) {
        refused->keep_alive(false);
        co_await stream.async_write(*refused);
        boost::system::error_code ignored;
        stream.tcp().socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
        co_return;
    }
    std::optional<std::string> extension;
    if (opts.compression.enabled)
        extension = deflate_answer(req);
    auto answer = switching_protocols(fields.key, extension);

    request_info info;
    if (!upgrading)
        info = make_request_info(req, std::move(remote_address));
    // The session's strand owns the connection from here: a new session's
    // is the connection's own, an upgrading one's is the session's.
    auto target = upgrading ? upgrading->get_executor() : strand;
    if (stream.is_tls()) {
        // The HTTP idle timeout would otherwise go on bounding its reads.
        stream.tcp().expires_never();
        auto ws = std::make_shared<tls_websocket_connection>(stream.release_tls(), target, body_limit());
        ws->keep(stream.hold());
        if (extension)
            ws->enable_deflate(opts.compression.threshold);
        start_websocket(std::move(ws), std::move(upgrading), std::move(answer), std::move(info), query->protocol,
                        strand, handshake_timeout);
        co_return;
    }
    auto socket = move_to_strand(stream.release_socket(), target);
    if (!socket)
        co_return;
    auto ws = std::make_shared<plain_websocket_connection>(std::move(*socket), body_limit());
    ws->keep(stream.hold());
    if (extension)
        ws->enable_deflate(opts.compression.threshold);
    start_websocket(std::move(ws), std::move(upgrading), std::move(answer), std::move(info), query->protocol, strand,
                    handshake_timeout);
}

template <class Connection>
void server_impl::start_websocket(std::shared_ptr<Connection> ws, std::shared_ptr<session_impl> upgrading,
                                  std::string answer, request_info info, int protocol, strand_type strand,
                                  std::chrono::seconds handshake_timeout)
{
    if (!upgrading) {
        if (!precede_open_packet(*ws, std::move(answer)))
            return;
        auto s = make_session(std::move(info), strand, transport_kind::websocket, protocol);
        s->run_websocket(std::move(ws));
        close_if_closing_all(*s);
        return;
    }
    auto target = upgrading->get_executor();
    net::co_spawn(target, accept_upgrade(std::move(upgrading), std::move(ws), std::move(answer), handshake_timeout),
                  net::detached);
}

void server_impl::close_all(close_reason reason)
{
    for (auto& s : sessions_->snapshot())
        s->close(reason);
}

void server_impl::close_if_closing_all(session_impl& s) const
{
    if (const int reason = closing_all_.load(); reason >= 0)
        s.close(static_cast<close_reason>(reason));
}

net::awaitable<void> server_impl::async_close_all(std::shared_ptr<server_impl> self, close_reason reason,
                                                  std::chrono::milliseconds deadline)
{
    self->closing_all_.store(static_cast<int>(reason));
    self->close_all(reason);
    co_await self->host_->drain->async_wait_drained(self->context_, deadline);
    self->closing_all_.store(-1);
}

void server_impl::abort_all()
{
    for (auto& s : sessions_->snapshot())
        s->abort();
}

} // namespace corio::engine::detail

namespace corio::engine {

server::server(boost::asio::any_io_executor ex, engine::options opts, handler& h)
    : impl_(std::make_shared<detail::server_impl>(std::move(ex), std::move(opts), h))
{
}

// Nothing to break: sessions hold the host, not the server.
server::~server() = default;

const engine::options& server::options() const noexcept { return impl_->options(); }

std::size_t server::session_count() const { return impl_->session_count(); }

session_counts server::sessions_by_transport() const { return impl_->sessions_by_transport(); }

endpoint_stats server::stats() const noexcept { return impl_->stats(); }

void server::close_all(close_reason reason) { impl_->close_all(reason); }

boost::asio::awaitable<void> server::async_close_all(close_reason reason, std::chrono::milliseconds deadline)
{
    return detail::server_impl::async_close_all(impl_, reason, deadline);
}

void server::abort_all() { impl_->abort_all(); }

std::shared_ptr<http_endpoint> server::endpoint() const noexcept { return impl_; }

} // namespace corio::engine
