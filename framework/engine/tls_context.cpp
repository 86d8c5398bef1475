#include "engine/tls_context.hpp"

#include <boost/system/system_error.hpp>

#include <openssl/ssl.h>

namespace corio::engine::detail {

namespace net = boost::asio;
namespace ssl = net::ssl;

namespace {

[[noreturn]] void fail(const boost::system::error_code& ec, const std::string& what)
{
    // The code without Asio's source location, which only clutters what().
    throw boost::system::system_error(boost::system::error_code(ec.value(), ec.category()), what);
}

} // namespace

std::shared_ptr<ssl::context> make_tls_context(const tls_options& opts)
{
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    // TLS 1.2 and 1.3 only; a fresh key per handshake for the DH families.
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                     ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
    // OpenSSL frees a connection's record buffers while it has nothing to
    // read or write (as Node does): an idle TLS connection then costs tens
    // of kilobytes less.
    ::SSL_CTX_set_mode(ctx->native_handle(), SSL_MODE_RELEASE_BUFFERS);
    boost::system::error_code ec;
    ctx->use_certificate_chain_file(opts.certificate_chain_file, ec);
    if (ec)
        fail(ec, "cannot use the TLS certificate chain " + opts.certificate_chain_file);
    ctx->use_private_key_file(opts.private_key_file, ssl::context::pem, ec);
    if (ec)
        fail(ec, "cannot use the TLS private key " + opts.private_key_file);
    // OpenSSL checks the pair only here: a mismatched key would otherwise
    // fail every handshake later instead of the start-up (or reload) now.
    if (::SSL_CTX_check_private_key(ctx->native_handle()) != 1)
        fail(net::error::invalid_argument,
             "the TLS private key " + opts.private_key_file + " does not match the certificate in " +
                 opts.certificate_chain_file);
    return ctx;
}

tls_config::tls_config(tls_options opts) : opts_(std::move(opts)), current_(make_tls_context(opts_)) {}

std::shared_ptr<ssl::context> tls_config::current() const
{
    std::lock_guard lock(mutex_);
    return current_;
}

void tls_config::reload()
{
    // Built outside the lock: reading the files must not hold up accepts.
    auto fresh = make_tls_context(opts_);
    std::lock_guard lock(mutex_);
    current_ = std::move(fresh);
}

} // namespace corio::engine::detail
