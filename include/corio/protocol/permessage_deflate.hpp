#pragma once
// WebSocket permessage-deflate (RFC 7692) for the server side, sans I/O: the
// negotiation of the extension in the opening handshake, and the compression
// and decompression of message payloads. The frames are websocket_frame's
// (RSV1 marks the first frame of a compressed message).
//
// Corio always negotiates both `server_no_context_takeover` and
// `client_no_context_takeover`: every message is compressed on its own, so a
// broadcast is compressed once and the same bytes serve every recipient, and
// no connection keeps a compression window (some 40 KiB each) between
// messages.

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace corio::protocol::websocket {

/// Reads a client's `Sec-WebSocket-Extensions` header (all of its values,
/// joined by commas) and, when it offers permessage-deflate with parameters
/// Corio can honour, returns the header value of the server's answer:
/// `permessage-deflate; server_no_context_takeover; client_no_context_takeover`.
/// An offer that asks for `server_max_window_bits` below 15 is passed over
/// (a broadcast's compressed bytes are shared, so they use one window size),
/// as is one with an unknown or malformed parameter (RFC 7692, section 5).
/// Empty when no offer fits: the connection then runs without compression.
std::optional<std::string> accept_deflate_offer(std::string_view extensions);

/// Compresses `prefix` then `data` as one message payload: raw DEFLATE with
/// no context carried from earlier messages, flushed, and with the trailing
/// `00 00 ff ff` removed (RFC 7692, section 7.2.1). Thread-safe: each thread
/// uses a compressor of its own.
std::string deflate_message(std::string_view prefix, std::string_view data);

/// What inflate_message found wrong.
enum class inflate_error {
    none,
    invalid, ///< not a valid DEFLATE stream: close with 1007 (invalid_payload)
    too_big, ///< inflates past the limit: close with 1009 (too_big)
};

/// Decompresses the payloads of one connection's compressed messages.
/// Single-threaded; one per connection. Its zlib state (some 40 KiB) is made
/// by the first compressed message, and kept for the next ones.
class inflater {
public:
    /// Messages inflating past `max_message` bytes are refused.
    explicit inflater(std::size_t max_message) noexcept;
    ~inflater();
    inflater(const inflater&) = delete;
    inflater& operator=(const inflater&) = delete;

    /// Inflates the payload of one compressed message (the `00 00 ff ff`
    /// tail is appended here) into `out`, replacing its contents. Stops as
    /// soon as the output passes the limit, so a small input that would
    /// inflate to gigabytes (a zip bomb) costs at most the limit. With an
    /// error, `out` holds nothing meaningful. Every message starts from an
    /// empty window (client_no_context_takeover).
    inflate_error inflate_message(std::string_view payload, std::string& out);

private:
    struct stream;
    std::size_t max_message_;
    std::unique_ptr<stream> stream_;
};

/// The compressed payload of one packet's frame, made once by whichever
/// sender needs it first and then shared by every sender of the packet (the
/// recipients of a broadcast, on their own threads). Copies and moves start
/// empty: the cache belongs to one packet's bytes.
///
/// @par Thread safety
/// get() may be called from any number of threads at once; two racing
/// callers may both compress, and one result is kept.
class deflate_cache {
public:
    deflate_cache() noexcept = default;
    deflate_cache(const deflate_cache&) noexcept {}
    deflate_cache& operator=(const deflate_cache&) noexcept { return *this; }
    ~deflate_cache();

    /// deflate_message(prefix, data), compressed on the first call only: the
    /// later calls must pass the same bytes.
    const std::string& get(std::string_view prefix, std::string_view data) const;

    /// Caches never make two packets differ.
    friend bool operator==(const deflate_cache&, const deflate_cache&) noexcept { return true; }

private:
    mutable std::atomic<const std::string*> value_{nullptr};
};

} // namespace corio::protocol::websocket
