#include "link.hpp"
#include "resp_writer.hpp"

#include <corio/redis/error.hpp>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>

namespace corio::redis::detail {

namespace net = boost::asio;
using boost::system::error_code;

namespace {

// A write buffer that grew past this (a large value) is given back once
// written, instead of being kept for the life of the connection.
constexpr std::size_t keep_write_capacity = 256 * 1024;

std::chrono::milliseconds at_least_1ms(std::chrono::milliseconds d)
{
    return std::max(d, std::chrono::milliseconds{1});
}

} // namespace

link::link(const net::any_io_executor& ex, connection_options opts)
    : opts_(std::move(opts)), strand_(net::make_strand(ex)), socket_(strand_), resolver_(strand_),
      timer_(strand_), backoff_(at_least_1ms(opts_.reconnect_min)), rng_(std::random_device{}())
{
}

void link::log(log_level level, std::string_view message, std::string_view error) const
{
    if (!opts_.log.enabled(level))
        return;
    // The endpoint's address only: never its password.
    auto remote = where();
    opts_.log({.level = level, .message = message, .remote = remote, .error = error});
}

std::string link::where() const
{
    const endpoint& e = opts_.where;
    if (!e.unix_path.empty())
        return "unix:" + e.unix_path;
    if (e.host.find(':') != std::string::npos)
        return "[" + e.host + "]:" + e.port;
    return e.host + ":" + e.port;
}

bool link::current(std::uint64_t gen) const noexcept
{
    return gen == gen_ && state_ != state::closed;
}

void link::start_link()
{
    if (state_ != state::idle)
        return;
    connect();
}

void link::close_link()
{
    if (state_ == state::closed)
        return;
    state_ = state::closed;
    ++gen_;
    timer_.cancel();
    close_socket();
    handshake_out_.clear();
}

void link::close_socket() noexcept
{
    resolver_.cancel();
    error_code ignored;
    socket_.close(ignored);
}

void link::connect()
{
    state_ = state::connecting;
    ++gen_;
    // The timer bounds resolving, connecting, AUTH and SELECT together.
    timer_.expires_after(opts_.connect_timeout);
    timer_.async_wait([self = shared_from_this(), gen = gen_](error_code ec) {
        bool still_connecting = self->state_ == state::connecting || self->state_ == state::handshaking;
        if (!ec && self->current(gen) && still_connecting)
            self->fail_attempt("timed out connecting");
    });
    if (opts_.where.unix_path.empty())
        resolve();
    else
        connect_unix();
}

void link::connect_unix()
{
    net::generic::stream_protocol::endpoint ep;
    try {
        ep = net::local::stream_protocol::endpoint(opts_.where.unix_path);
    } catch (const boost::system::system_error& e) {
        // A path too long for sockaddr_un: each attempt fails the same way,
        // and says so.
        fail_attempt(e.code().message());
        return;
    }
    endpoints_.assign(1, ep);
    try_endpoint(0, {});
}

void link::resolve()
{
    resolver_.async_resolve(opts_.where.host, opts_.where.port,
                            [self = shared_from_this(), gen = gen_](error_code ec,
                                                                    net::ip::tcp::resolver::results_type found) {
                                if (!self->current(gen))
                                    return;
                                if (ec) {
                                    self->fail_attempt("cannot resolve: " + ec.message());
                                    return;
                                }
                                self->endpoints_.clear();
                                for (const auto& entry : found)
                                    self->endpoints_.emplace_back(entry.endpoint());
                                self->try_endpoint(0, net::error::host_not_found);
                            });
}

void link::try_endpoint(std::size_t i, error_code last)
{
    if (i >= endpoints_.size()) {
        fail_attempt("cannot connect: " + last.message());
        return;
    }
    close_socket();
    socket_.async_connect(endpoints_[i], [self = shared_from_this(), gen = gen_, i](error_code ec) {
        if (!self->current(gen))
            return;
        if (ec)
            self->try_endpoint(i + 1, ec);
        else
            self->on_connected();
    });
}

void link::on_connected()
{
    if (opts_.where.unix_path.empty()) {
        // Pipelined commands are small writes that must not wait for the
        // acknowledgement of the previous one.
        error_code ignored;
        socket_.set_option(net::ip::tcp::no_delay(true), ignored);
        socket_.set_option(net::socket_base::keep_alive(true), ignored);
    }
    reader_.reset();
    handshake_out_.clear();
    handshake_left_ = 0;
    const endpoint& e = opts_.where;
    if (!e.user.empty()) {
        append_command(handshake_out_, {"AUTH", e.user, e.password});
        ++handshake_left_;
    } else if (!e.password.empty()) {
        append_command(handshake_out_, {"AUTH", e.password});
        ++handshake_left_;
    }
    if (e.db != 0) {
        std::string db = std::to_string(e.db);
        append_command(handshake_out_, {"SELECT", db});
        ++handshake_left_;
    }
    state_ = state::handshaking;
    start_read();
    if (handshake_left_ == 0)
        go_up();
    else
        flush();
}

void link::go_up()
{
    timer_.cancel();
    state_ = state::up;
    backoff_ = at_least_1ms(opts_.reconnect_min);
    if (std::exchange(been_up_, true))
        reconnects_.fetch_add(1, std::memory_order_relaxed);
    log(log_level::info, "Redis link up");
    auto gen = gen_;
    on_link_up();
    if (current(gen))
        flush();
}

void link::flush()
{
    if (writing_)
        return; // the write in flight flushes again when it completes
    if (state_ == state::handshaking)
        write_buf_.swap(handshake_out_);
    else if (state_ == state::up)
        collect(write_buf_);
    if (write_buf_.empty())
        return;
    writing_ = true;
    net::async_write(socket_, net::buffer(write_buf_),
                     [self = shared_from_this(), gen = gen_](error_code ec, std::size_t) {
                         self->writing_ = false;
                         if (self->write_buf_.capacity() > keep_write_capacity)
                             std::string().swap(self->write_buf_);
                         else
                             self->write_buf_.clear();
                         if (!self->current(gen)) {
                             // A newer connection may be waiting for this
                             // buffer.
                             if (self->state_ != state::closed)
                                 self->flush();
                             return;
                         }
                         if (ec) {
                             self->drop("write failed: " + ec.message(), error::connection_lost);
                             return;
                         }
                         self->flush();
                     });
}

void link::start_read()
{
    if (reading_)
        return; // the old connection's read hands over when it completes
    reading_ = true;
    socket_.async_read_some(net::buffer(read_buf_), [self = shared_from_this(), gen = gen_](error_code ec,
                                                                                           std::size_t n) {
        self->reading_ = false;
        bool connection_open = self->state_ == state::handshaking || self->state_ == state::up;
        if (!self->current(gen)) {
            if (connection_open)
                self->start_read();
            return;
        }
        if (ec) {
            std::string why = ec == net::error::eof ? std::string("closed by the server") : ec.message();
            self->drop("connection lost: " + why, error::connection_lost);
            return;
        }
        self->on_bytes(n);
        connection_open = self->state_ == state::handshaking || self->state_ == state::up;
        if (self->current(gen) && connection_open)
            self->start_read();
    });
}

void link::on_bytes(std::size_t n)
{
    auto gen = gen_;
    auto ec = reader_.parse(std::string_view(read_buf_.data(), n), [&](raw_reply r) {
        if (state_ == state::handshaking)
            on_handshake_reply(*r);
        else
            on_reply(std::move(r));
        return current(gen);
    });
    if (ec && current(gen))
        drop("protocol error: " + reader_.error_text(), error::protocol_error);
}

void link::on_handshake_reply(const redisReply& r)
{
    if (r.type == REDIS_REPLY_ERROR) {
        // A wrong password or database: retried with backoff like any
        // failed attempt (the server's configuration may change), and
        // reported each time.
        fail_attempt("refused AUTH or SELECT: " + std::string(r.str, r.len));
        return;
    }
    if (--handshake_left_ == 0)
        go_up();
}

void link::fail_attempt(std::string_view why)
{
    log(log_level::warning, "Redis connect failed", why);
    close_socket();
    schedule_reconnect();
}

void link::drop(std::string_view why, error_code reason)
{
    if (state_ == state::closed || state_ == state::waiting || state_ == state::idle)
        return;
    bool was_up = state_ == state::up;
    log(log_level::warning, "Redis link down", why);
    close_socket();
    schedule_reconnect();
    if (was_up)
        on_link_down(reason);
}

void link::schedule_reconnect()
{
    state_ = state::waiting;
    ++gen_;
    handshake_out_.clear();
    // Up to 50% off each wait, so that nodes that lost Redis together do
    // not come back in step.
    auto full = backoff_.count();
    std::uniform_int_distribution<long long> jitter(0, full / 2);
    auto wait = std::chrono::milliseconds(full - jitter(rng_));
    backoff_ = std::min(backoff_ * 2, std::max(at_least_1ms(opts_.reconnect_max), at_least_1ms(opts_.reconnect_min)));
    timer_.expires_after(wait);
    timer_.async_wait([self = shared_from_this(), gen = gen_](error_code ec) {
        if (!ec && self->current(gen) && self->state_ == state::waiting)
            self->connect();
    });
}

} // namespace corio::redis::detail
