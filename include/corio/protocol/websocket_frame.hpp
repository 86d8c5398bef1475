#pragma once
// WebSocket framing (RFC 6455, section 5) for the server side, sans I/O: a
// reader for the frames a client sends (masked, possibly fragmented, with
// control frames between the fragments) and the header of the unmasked frames
// a server sends. The HTTP handshake is not here (the engine does it).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace corio::protocol::websocket {

enum class opcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

/// Close status codes (RFC 6455, section 7.4.1). A peer may send others;
/// they are carried as the underlying value.
enum class close_code : std::uint16_t {
    normal = 1000,
    going_away = 1001,
    protocol_error = 1002,
    no_status = 1005, ///< the peer's close frame had no code; never sent
    invalid_payload = 1007,
    policy_violation = 1008,
    too_big = 1009,
    internal_error = 1011,
};

/// The longest header of a server frame: two bytes, then a 64-bit length.
inline constexpr std::size_t max_header_size = 10;

/// Writes the header of an unmasked, final (FIN) frame of `op` carrying
/// `payload_size` bytes to `out`, and returns its length: 2, 4 or 10 bytes,
/// the shortest that holds the length. `compressed` sets RSV1: the payload
/// is a permessage-deflate message (permessage_deflate.hpp).
std::size_t encode_header(opcode op, std::uint64_t payload_size, std::span<unsigned char, max_header_size> out,
                          bool compressed = false) noexcept;

/// The payload of a close frame: `code` in network byte order, then `reason`
/// (at most 123 bytes, so the frame stays a valid control frame).
std::string close_payload(close_code code, std::string_view reason = {});

/// Whether `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no
/// surrogates, nothing above U+10FFFF), as a text message must be.
bool valid_utf8(std::string_view text) noexcept;

/// What frame_reader::next found at the front of its input.
struct frame_event {
    enum class kind {
        need_more, ///< no whole frame yet: keep what is left of the input, append more bytes, call again
        text,      ///< a whole text message, valid UTF-8 unless `compressed`
        binary,    ///< a whole binary message
        ping,      ///< answer with a pong carrying `payload`
        pong,      ///< nothing to do
        close,     ///< the peer's close frame; `code` is its code (no_status if none)
        fail,      ///< a violation: close with `code`, and read nothing more
    };
    kind what = kind::need_more;
    /// The message or control payload, unmasked. Points into the input or
    /// into the reader; valid until the next call to next().
    std::string_view payload;
    /// For close: the peer's code. For fail: the code to close with
    /// (protocol_error, invalid_payload or too_big).
    close_code code = close_code::normal;
    /// For text and binary: the message is permessage-deflate compressed
    /// (RSV1 on its first frame); `payload` is the compressed bytes, and a
    /// text message's UTF-8 is checked only once inflated.
    bool compressed = false;
};

/// Reads the frames a client sends. Single-threaded; one per connection.
///
/// A message in one frame that is whole in the input comes back as a view
/// into the input, unmasked in place, without a copy. A text or binary frame
/// cut by the end of the input is gathered instead: once its header is in,
/// the reader takes its payload, unmasked as it is copied, into a buffer of
/// its own sized for it, from this input and the next ones, so the caller
/// keeps at most a cut header or a cut control frame (max_kept bytes). The
/// fragments of a fragmented message are copied into that buffer too until
/// the final one. Control frames (ping, pong, close) may arrive between
/// fragments and come back on their own. A message that comes back from the
/// reader's buffer may be taken from it without a copy (message_buffer()).
///
/// Violations give `fail` with the code to close with, and every later call
/// gives `fail` again:
/// - protocol_error: an unmasked frame, RSV bits (RSV1 is allowed on the
///   first frame of a text or binary message once enable_deflate() was
///   called; RSV2 and RSV3 never are), an unknown opcode, a control frame that is fragmented or
///   longer than 125 bytes, a continuation with no message under way, a new
///   message before the previous one's final fragment, a 64-bit length with
///   the top bit set, a close frame with a one-byte payload or a code a peer
///   may not send (RFC 6455, section 7.4).
/// - too_big: a message (the sum of its fragments) longer than
///   `max_message`, reported as soon as a frame header shows it, before its
///   payload has arrived.
/// - invalid_payload: a text message, or the reason of a close frame, that is
///   not valid UTF-8 (1007 is the code for data that does not match its type,
///   RFC 6455, section 7.4.1).
class frame_reader {
public:
    explicit frame_reader(std::size_t max_message) noexcept : max_message_(max_message) {}

    /// permessage-deflate was negotiated: RSV1 marks a compressed message.
    /// The limit applies to the compressed bytes here; the inflater bounds
    /// the inflated ones.
    void enable_deflate() noexcept { deflate_ = true; }

    /// Takes the next whole frame from the front of `input`, unmasks its
    /// payload in place, and advances `input` past it. need_more consumes
    /// nothing. A non-final fragment is consumed and stored, and the reader
    /// goes on to the next frame within the same call.
    frame_event next(std::span<char>& input);

    /// Bytes of the message under way stored so far (fragments, and the
    /// gathered part of a cut frame).
    std::size_t buffered() const noexcept { return fragments_.size(); }
    /// Bytes the reader holds allocated for messages (its buffer's capacity).
    std::size_t buffer_capacity() const noexcept { return fragments_.capacity(); }

    /// The longest need_more leaves unconsumed: a cut control frame (a
    /// header and 125 bytes); a cut data frame is gathered once its header
    /// (at most 14 bytes) is in.
    static constexpr std::size_t max_kept = 2 + 4 + 125;

    /// The limit given at construction.
    std::size_t max_message() const noexcept { return max_message_; }

    /// The reader's buffer when it holds exactly the payload of `e`, the
    /// text or binary message next() just returned (a gathered or
    /// fragmented message); nullptr when the payload is in the input. Until
    /// the next call to next(), the caller may move from it, taking the
    /// message without a copy.
    std::string* message_buffer(const frame_event& e) noexcept;

    /// Frees the buffer of a large message once no message is under way, so
    /// that an idle connection does not keep the memory of its largest
    /// message. Invalidates the payload of the last event.
    void release() noexcept;

private:
    struct header;
    enum class header_status { incomplete, ok, protocol_error, too_big };
    /// Parses the frame header at the front of `input` into `h`, checking
    /// each rule as soon as the bytes it needs are in.
    header_status parse_header(std::span<const char> input, header& h) const noexcept;
    /// Takes what `input` has of the payload being gathered; true once it is
    /// all in.
    bool gather(std::span<char>& input);
    /// The message under way is complete in fragments_: its event.
    frame_event finish_message();
    frame_event fail(close_code code);

    std::size_t max_message_;
    // The message under way: fragments so far, the gathered payload of a cut
    // frame (a data frame's payload goes here unless the frame is whole in
    // the input and unfragmented).
    std::string fragments_;
    // The cut frame being gathered: payload bytes still to come, and the mask
    // key turned to the next byte's position.
    std::uint64_t payload_left_ = 0;
    char payload_key_[4] = {};
    opcode message_opcode_ = opcode::continuation; // continuation: no message under way
    bool message_compressed_ : 1 = false;          // the message under way had RSV1
    bool gathering_fin_ : 1 = false;               // the frame being gathered ends its message
    bool deflate_ : 1 = false;
    close_code fail_code_ = close_code::normal;    // normal: not failed
};

} // namespace corio::protocol::websocket
