#pragma once
// A listener's TLS settings: the OpenSSL context its new connections take,
// replaced whole when the certificate is reloaded.

#include <corio/engine/options.hpp>

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <mutex>

namespace corio::engine::detail {

/// Makes a server context from `opts`: TLS 1.2 and 1.3, the certificate
/// chain and its key. Throws boost::system::system_error naming the file
/// that cannot be used (missing, not PEM, or a key that does not match).
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const tls_options& opts);

/// @par Thread safety
/// All members may be called from any thread.
class tls_config {
public:
    /// Loads the files at once: throws as make_tls_context.
    explicit tls_config(tls_options opts);

    /// The context for a new connection. A connection keeps the certificate
    /// it was made with: its SSL object holds a reference to the OpenSSL
    /// context (the Asio object may go; it has no callbacks set).
    std::shared_ptr<boost::asio::ssl::context> current() const;

    /// Reads the files again; new connections use them from then on. Throws
    /// as make_tls_context, and the old context stays in use then.
    void reload();

    std::chrono::seconds handshake_timeout() const noexcept { return opts_.handshake_timeout; }

private:
    const tls_options opts_;
    mutable std::mutex mutex_;
    std::shared_ptr<boost::asio::ssl::context> current_;
};

} // namespace corio::engine::detail
