#include "engine/tls_websocket_connection.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>

namespace corio::engine::detail {

namespace net = boost::asio;

namespace {

// A TLS record carries at most 16 KiB of data, and a read returns at most
// one record's.
constexpr std::size_t tls_read_size = 16 * 1024;

} // namespace

tls_websocket_connection::tls_websocket_connection(tls_stream stream, executor_type strand, std::size_t max_message)
    : websocket_connection(std::move(strand), max_message), stream_(std::move(stream))
{
}

void tls_websocket_connection::begin_reading()
{
    buffer_ = std::make_unique<char[]>(tls_read_size);
    read_some();
}

void tls_websocket_connection::read_some()
{
    if (!open()) {
        release_if_done();
        return;
    }
    reading_ = true;
    stream_.async_read_some(net::buffer(buffer_.get(), tls_read_size),
                            net::bind_executor(get_executor(), [self = self()](boost::system::error_code ec, std::size_t n) {
                                self->on_read(ec, n);
                            }));
}

void tls_websocket_connection::on_read(boost::system::error_code ec, std::size_t n)
{
    reading_ = false;
    if (ec) {
        // A peer that hangs up without TLS's close_notify, as browsers and
        // most clients do once the WebSocket is closed, has still closed.
        on_read_failed(ec == net::ssl::error::stream_truncated ? close_reason::transport_close : reason_for(ec));
        return;
    }
    on_bytes(std::span<char>(buffer_.get(), n));
    read_some();
}

void tls_websocket_connection::write_buffers()
{
    // Beast's ssl_stream gathers small buffers into one record (up to 16
    // KiB), so the frame headers do not travel in records of their own.
    net::async_write(stream_, buffers(),
                     net::bind_executor(get_executor(), [self = self()](boost::system::error_code ec, std::size_t) {
                         self->on_written(ec);
                     }));
}

void tls_websocket_connection::close_transport() noexcept
{
    boost::system::error_code ignored;
    stream_.next_layer().socket().close(ignored);
}

void tls_websocket_connection::shutdown_send() noexcept
{
    // TCP's shutdown, without TLS's close_notify: the WebSocket close
    // handshake has said goodbye already, and a TLS shutdown would read from
    // the stream beside the pending read.
    boost::system::error_code ignored;
    stream_.next_layer().socket().shutdown(net::socket_base::shutdown_send, ignored);
}

} // namespace corio::engine::detail
