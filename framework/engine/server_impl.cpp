#include "engine/server_impl.hpp"

#include <corio/engine/session_id.hpp>

#include "engine/cors.hpp"
#include "engine/request.hpp"

#include <corio/engine/server.hpp>
#include <corio/protocol/json_writer.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/value.hpp>

#include <functional>
#include <stdexcept>

namespace corio::engine::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

http_response to_response(const http_request& req, poll_reply reply)
{
    if (reply.engine_error)
        return error_response(req, *reply.engine_error);
    return text_response(req, reply.status, std::move(reply.body), "text/plain; charset=UTF-8");
}

} // namespace

// session_table ------------------------------------------------------------

session_table::shard& session_table::shard_for(const std::string& id) const
{
    return shards_[std::hash<std::string>{}(id) % shard_count];
}

void session_table::insert(const std::shared_ptr<session_impl>& s)
{
    auto& sh = shard_for(s->id());
    std::lock_guard lock(sh.mutex);
    sh.sessions.emplace(s->id(), s);
}

std::shared_ptr<session_impl> session_table::find(const std::string& id) const
{
    auto& sh = shard_for(id);
    std::lock_guard lock(sh.mutex);
    auto it = sh.sessions.find(id);
    return it == sh.sessions.end() ? nullptr : it->second;
}

void session_table::erase(const std::string& id)
{
    auto& sh = shard_for(id);
    std::lock_guard lock(sh.mutex);
    sh.sessions.erase(id);
}

void session_table::clear()
{
    for (auto& sh : shards_) {
        std::lock_guard lock(sh.mutex);
        sh.sessions.clear();
    }
}

std::size_t session_table::size() const
{
    std::size_t n = 0;
    for (auto& sh : shards_) {
        std::lock_guard lock(sh.mutex);
        n += sh.sessions.size();
    }
    return n;
}

std::vector<std::shared_ptr<session_impl>> session_table::snapshot() const
{
    std::vector<std::shared_ptr<session_impl>> all;
    for (auto& sh : shards_) {
        std::lock_guard lock(sh.mutex);
        for (auto& [id, s] : sh.sessions)
            all.push_back(s);
    }
    return all;
}

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

} // namespace


server_impl::server_impl(net::any_io_executor ex, options opts, handler& h)
    : session_context_(io_context_of(ex)), opts_(std::move(opts)), handler_(h)
{
}

std::string server_impl::open_packet_data(const std::string& sid, transport_kind transport) const
{
    json::array upgrades;
    if (transport == transport_kind::polling && opts_.allow_upgrades && opts_.allow_websocket)
        upgrades.emplace_back("websocket");
    json::value open = {
        {"sid", sid},
        {"upgrades", std::move(upgrades)},
        {"pingInterval", opts_.ping_interval.count()},
        {"pingTimeout", opts_.ping_timeout.count()},
        {"maxPayload", opts_.limits.max_payload},
    };
    return protocol::to_json(open);
}

net::awaitable<http_response> server_impl::handle_request(http_request req, std::string remote_address)
{
    if (req.method() == http::verb::options)
        co_return preflight_response(opts_.cors, req);

    auto info = make_request_info(req, std::move(remote_address));
    auto query = parse_engine_query(info);
    http_response res;
    if (!origin_allowed(opts_.cors, req)) {
        res = error_response(req, error::forbidden);
    } else if (!query) {
        res = error_response(req, query.error());
    } else if (query->transport != transport_kind::polling || !opts_.allow_polling) {
        // A WebSocket transport request that is not an upgrade, or polling
        // where it is switched off.
        res = error_response(req, query->transport == transport_kind::polling ? error::unknown_transport
                                                                              : error::bad_request);
    } else if (!query->sid) {
        if (req.method() == http::verb::get)
            res = co_await open_polling(req, std::move(info));
        else
            res = error_response(req, error::bad_handshake_method);
    } else if (auto s = sessions_.find(*query->sid); !s) {
        res = error_response(req, error::unknown_sid);
    } else if (req.method() == http::verb::get) {
        res = to_response(req, co_await net::co_spawn(s->get_executor(), s->poll(), net::use_awaitable));
    } else if (req.method() == http::verb::post) {
        res = to_response(req, co_await net::co_spawn(s->get_executor(), s->post(std::move(req.body())),
                                                      net::use_awaitable));
    } else {
        res = error_response(req, error::bad_request);
    }
    add_cors_headers(opts_.cors, req, res);
    co_return res;
}

net::awaitable<http_response> server_impl::open_polling(const http_request& req, request_info info)
{
    auto strand = net::make_strand(session_context_.get_executor());
    auto s = std::make_shared<session_impl>(shared_from_this(), engine::make_session_id(), std::move(info), strand,
                                            transport_kind::polling);
    sessions_.insert(s);
    co_return to_response(req, co_await net::co_spawn(strand, s->open_polling(), net::use_awaitable));
}

http_response server_impl::handle_oversized(const http_request& req)
{
    auto query = parse_engine_query(make_request_info(req, {}));
    if (query && query->sid) {
        if (auto s = sessions_.find(*query->sid))
            net::dispatch(s->get_executor(), [s] { s->reject_oversized(); });
    }
    auto res = text_response(req, http::status::payload_too_large, "", "text/plain");
    res.keep_alive(false);
    add_cors_headers(opts_.cors, req, res);
    return res;
}

namespace {

/// Answers a WebSocket upgrade request on `socket` (101, or an error status
/// for a request that is not a valid upgrade) within `timeout`. Beast does
/// the handshake over a reference to the socket; the frames that follow are
/// websocket_connection's.
net::awaitable<bool> accept_handshake(websocket_connection::socket_type& socket, const http_request& req,
                                      std::chrono::seconds timeout)
{
    websocket::stream<websocket_connection::socket_type&> handshake(socket);
    handshake.set_option(websocket::stream_base::timeout{timeout, websocket::stream_base::none(), false});
    auto [ec] = co_await handshake.async_accept(req, use_tuple);
    if (ec) {
        boost::system::error_code ignored;
        socket.close(ignored);
        co_return false;
    }
    co_return true;
}

} // namespace

net::awaitable<void> server_impl::handle_websocket(beast::tcp_stream& stream, http_request req,
                                                   std::string remote_address, session::executor_type strand,
                                                   std::chrono::seconds handshake_timeout)
{
    auto info = make_request_info(req, std::move(remote_address));
    auto query = parse_engine_query(info);
    std::optional<error> refusal;
    if (!origin_allowed(opts_.cors, req))
        refusal = error::forbidden;
    else if (!query)
        refusal = query.error();
    else if (query->transport != transport_kind::websocket || !opts_.allow_websocket)
        refusal = error::unknown_transport;
    else if (query->sid && (!opts_.allow_upgrades || !opts_.allow_polling))
        refusal = error::bad_request;
    std::shared_ptr<session_impl> upgrading;
    if (!refusal && query->sid && !(upgrading = sessions_.find(*query->sid)))
        refusal = error::unknown_sid;
    if (refusal) {
        auto res = error_response(req, *refusal);
        res.keep_alive(false);
        co_await http::async_write(stream, res, use_tuple);
        boost::system::error_code ignored;
        stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
        co_return;
    }

    // The session's strand owns the socket from here: a new session's is
    // the connection's own, an upgrading one's is the session's.
    auto target = upgrading ? upgrading->get_executor() : strand;
    auto socket = stream.release_socket();
    boost::system::error_code ec;
    auto protocol = socket.local_endpoint(ec).protocol();
    if (ec)
        co_return;
    auto native = socket.release(ec);
    if (ec)
        co_return;
    websocket_connection::socket_type rehomed(target);
    rehomed.assign(protocol, native, ec);
    if (ec)
        co_return;
    auto ws = std::make_shared<websocket_connection>(std::move(rehomed), max_payload());
    if (!upgrading) {
        // Not in the condition: g++ 12 mishandles co_await there.
        bool accepted = co_await accept_handshake(ws->socket(), req, handshake_timeout);
        if (!accepted)
            co_return;
        auto s = std::make_shared<session_impl>(shared_from_this(), engine::make_session_id(), std::move(info), strand,
                                                transport_kind::websocket);
        sessions_.insert(s);
        s->run_websocket(std::move(ws));
        co_return;
    }
    net::co_spawn(target, accept_upgrade(std::move(upgrading), std::move(ws), std::move(req), handshake_timeout),
                  net::detached);
}

net::awaitable<void> server_impl::accept_upgrade(std::shared_ptr<session_impl> upgrading,
                                                 std::shared_ptr<websocket_connection> ws, http_request req,
                                                 std::chrono::seconds handshake_timeout)
{
    bool accepted = co_await accept_handshake(ws->socket(), req, handshake_timeout);
    if (accepted)
        upgrading->begin_probe(std::move(ws));
}

void server_impl::close_all(close_reason reason)
{
    for (auto& s : sessions_.snapshot())
        s->close(reason);
}

void server_impl::abort_all()
{
    for (auto& s : sessions_.snapshot())
        s->abort();
}

} // namespace corio::engine::detail

namespace corio::engine {

server::server(boost::asio::any_io_executor ex, options opts, handler& h)
    : impl_(std::make_shared<detail::server_impl>(std::move(ex), std::move(opts), h))
{
}

server::~server()
{
    impl_->sessions().clear();
}

const options& server::get_options() const noexcept { return impl_->opts(); }

std::size_t server::session_count() const { return impl_->sessions().size(); }

void server::close_all(close_reason reason) { impl_->close_all(reason); }

void server::abort_all() { impl_->abort_all(); }

} // namespace corio::engine
