#pragma once
// Synchronous TLS clients for the loopback tests: HTTPS requests and a WSS
// client, each trusting only the test's CA and checking that the server is
// 127.0.0.1; every read is bounded by io_limit.

#include "test_server.hpp"

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>

namespace corio_test {

namespace ssl = net::ssl;

inline ssl::context client_context(const std::string& ca_file)
{
    ssl::context ctx(ssl::context::tls_client);
    ctx.load_verify_file(ca_file);
    ctx.set_verify_mode(ssl::verify_peer);
    return ctx;
}

/// The common name of the certificate the server presented on `stream`.
inline std::string peer_common_name(ssl::stream<tcp::socket>& stream)
{
    X509* cert = SSL_get1_peer_certificate(stream.native_handle());
    if (!cert)
        return {};
    std::array<char, 256> cn{};
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn.data(), static_cast<int>(cn.size()));
    X509_free(cert);
    return cn.data();
}

/// One TLS connection to 127.0.0.1:`port`, its handshake done (throws if it
/// fails or takes longer than io_limit).
class tls_connection {
public:
    tls_connection(std::uint16_t port, const std::string& ca_file) : ctx_(client_context(ca_file)), stream_(ioc_, ctx_)
    {
        stream_.set_verify_callback(ssl::host_name_verification("127.0.0.1"));
        stream_.next_layer().connect({net::ip::make_address("127.0.0.1"), port});
        stream_.next_layer().set_option(tcp::no_delay(true));
        boost::system::error_code ec;
        bool done = false;
        stream_.async_handshake(ssl::stream_base::client, [&](boost::system::error_code e) {
            ec = e;
            done = true;
        });
        finish_within(ioc_, stream_.next_layer(), done, io_limit, ec);
        if (ec)
            throw boost::system::system_error(ec);
    }

    /// One request on this connection; its answer, read within io_limit
    /// (`ec` says why there is none).
    response request(http::verb verb, const std::string& target, boost::system::error_code& ec, std::string body = {})
    {
        http::request<http::string_body> req{verb, target, 11};
        req.set(http::field::host, "127.0.0.1");
        req.body() = std::move(body);
        req.prepare_payload();
        http::write(stream_, req, ec);
        response res;
        if (ec)
            return res;
        bool done = false;
        http::async_read(stream_, buffer_, res, [&](boost::system::error_code e, std::size_t) {
            ec = e;
            done = true;
        });
        finish_within(ioc_, stream_.next_layer(), done, io_limit, ec);
        return res;
    }

    response request(http::verb verb, const std::string& target, std::string body = {})
    {
        boost::system::error_code ec;
        auto res = request(verb, target, ec, std::move(body));
        if (ec)
            throw boost::system::system_error(ec);
        return res;
    }

    std::string peer_common_name() { return corio_test::peer_common_name(stream_); }
    ssl::stream<tcp::socket>& stream() { return stream_; }
    net::io_context& io_context() { return ioc_; }

private:
    net::io_context ioc_;
    ssl::context ctx_;
    ssl::stream<tcp::socket> stream_;
    boost::beast::flat_buffer buffer_;
};

/// One HTTPS request on a fresh connection.
inline response https_request(std::uint16_t port, const std::string& ca_file, http::verb verb,
                              const std::string& target, std::string body = {})
{
    tls_connection c(port, ca_file);
    return c.request(verb, target, std::move(body));
}

/// A WSS client: blocking writes, reads bounded by io_limit.
class wss_client {
public:
    wss_client(std::uint16_t port, const std::string& ca_file, const std::string& target)
        : ctx_(client_context(ca_file)), ws_(ioc_, ctx_)
    {
        auto& tls = ws_.next_layer();
        tls.set_verify_callback(ssl::host_name_verification("127.0.0.1"));
        tls.next_layer().connect({net::ip::make_address("127.0.0.1"), port});
        tls.next_layer().set_option(tcp::no_delay(true));
        tls.handshake(ssl::stream_base::client);
        ws_.handshake("127.0.0.1", target);
    }
    void send_text(std::string_view text)
    {
        ws_.text(true);
        ws_.write(net::buffer(text));
    }
    /// The next message; throws if none came within `limit`.
    std::string read(std::chrono::steady_clock::duration limit = io_limit)
    {
        boost::beast::flat_buffer buffer;
        boost::system::error_code ec;
        bool done = false;
        ws_.async_read(buffer, [&](boost::system::error_code e, std::size_t) {
            ec = e;
            done = true;
        });
        finish_within(ioc_, ws_.next_layer().next_layer(), done, limit, ec);
        if (ec)
            throw boost::system::system_error(ec);
        return boost::beast::buffers_to_string(buffer.data());
    }
    /// The next message that is not an Engine.IO ping (answered on the way).
    std::string next()
    {
        const auto deadline = std::chrono::steady_clock::now() + io_limit;
        for (;;) {
            auto frame = read(deadline - std::chrono::steady_clock::now());
            if (frame != "2")
                return frame;
            send_text("3");
        }
    }
    std::string peer_common_name() { return corio_test::peer_common_name(ws_.next_layer()); }
    websocket::stream<ssl::stream<tcp::socket>>& stream() { return ws_; }

private:
    net::io_context ioc_;
    ssl::context ctx_;
    websocket::stream<ssl::stream<tcp::socket>> ws_;
};

/// A TCP connection that writes `bytes` and then waits (within io_limit) for
/// the server to end it: returns how the connection ended (eof or
/// connection_reset when the server hung up; timed_out if it did not).
/// Anything the server wrote meanwhile goes to `received`.
inline boost::system::error_code send_and_await_hangup(std::uint16_t port, std::string_view bytes,
                                                       std::string& received,
                                                       std::chrono::steady_clock::duration limit = io_limit)
{
    net::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect({net::ip::make_address("127.0.0.1"), port});
    net::write(socket, net::buffer(bytes));
    boost::system::error_code ec;
    std::array<char, 4096> chunk;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!ec) {
        bool done = false;
        socket.async_read_some(net::buffer(chunk), [&](boost::system::error_code e, std::size_t n) {
            received.append(chunk.data(), n);
            ec = e;
            done = true;
        });
        finish_within(ioc, socket, done, deadline - std::chrono::steady_clock::now(), ec);
    }
    return ec;
}

} // namespace corio_test
