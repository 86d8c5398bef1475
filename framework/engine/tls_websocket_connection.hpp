#pragma once
// A WebSocket over TLS: the transport of wss://.
//
// The TLS stream comes from the HTTP connection that carried the upgrade
// request (its TLS handshake done there), whose executor is that
// connection's strand. From here on every operation is started on the
// session's strand and completes there (each handler is bound to it), and
// nothing is in flight on the old strand once the stream is handed over, so
// the stream is used from one strand at a time.
//
// TLS decrypts into a buffer of the connection's own (a read is always
// pending on it); OpenSSL holds a record's worth of its own per connection
// too, so a TLS connection idles on some tens of kilobytes, where a plain one
// holds none.

#include <corio/engine/http_stream.hpp>

#include "engine/websocket_connection.hpp"

#include <boost/beast/ssl/ssl_stream.hpp>

#include <memory>

namespace corio::engine::detail {

class tls_websocket_connection final : public websocket_connection {
public:
    tls_websocket_connection(tls_stream stream, executor_type strand, std::size_t max_message);

    /// For the WebSocket handshake, before start(), on the strand.
    tls_stream& stream() noexcept { return stream_; }

private:
    std::shared_ptr<tls_websocket_connection> self()
    {
        return std::static_pointer_cast<tls_websocket_connection>(shared_from_this());
    }

    void begin_reading() override;
    void write_buffers() override;
    void close_transport() noexcept override;
    void shutdown_send() noexcept override;

    void read_some();
    void on_read(boost::system::error_code ec, std::size_t n);

    tls_stream stream_;
    std::unique_ptr<char[]> buffer_;
};

} // namespace corio::engine::detail
