#pragma once
// Socket.IO v5 packets, carried in Engine.IO messages by one of two parsers:
// - the default one (socket.io-parser), a text message
//     <type>[<attachments>-][<namespace>,][<ack id>][<JSON data>]
//   followed, for the binary types, by one binary message per attachment;
// - socket.io-msgpack-parser's, one binary message holding the packet as a
//   MessagePack map {type, nsp, data, id}, binary values inline.

#include <corio/protocol/engine_packet.hpp>
#include <corio/protocol/error.hpp>
#include <corio/protocol/limits.hpp>

#include <boost/json/value.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace corio::protocol {

enum class socket_packet_type : std::uint8_t {
    connect = 0,
    disconnect = 1,
    event = 2,
    ack = 3,
    connect_error = 4,
    binary_event = 5,
    binary_ack = 6,
};

/// How Socket.IO packets are written into Engine.IO messages; both ends of
/// a connection must use the same (socket.io's `parser` option).
enum class socket_parser : std::uint8_t {
    /// socket.io-parser's text form, binary as attachments (the default).
    json,
    /// socket.io-msgpack-parser 3.0.x: one MessagePack map per packet,
    /// binary values inline as `bin`. Only types 0 to 4 exist: an EVENT or
    /// ACK with attachments stays an EVENT or ACK.
    msgpack,
};

/// One Socket.IO packet. Build the packets a server or client sends with the
/// named constructors; the decoder fills the fields directly.
struct socket_packet {
    /// CONNECT: from a server `data` is `{"sid": …}`, from a client the auth
    /// payload (absent when none).
    static socket_packet connect(std::string nsp, std::optional<boost::json::value> data = std::nullopt);
    /// CONNECT_ERROR with the refusal's data (an object or a string).
    static socket_packet connect_error(std::string nsp, boost::json::value data);
    static socket_packet disconnect(std::string nsp);
    /// EVENT `[event, args...]`, with an ack id when one is given. With
    /// attachments (placeholders in `args`) it is encoded as BINARY_EVENT.
    static socket_packet event(std::string nsp, std::string_view event, boost::json::array args,
                               std::vector<std::string> attachments = {},
                               std::optional<std::uint64_t> ack_id = std::nullopt);
    /// ACK `id` with `args`; with attachments it is encoded as BINARY_ACK.
    static socket_packet ack(std::string nsp, std::uint64_t id, boost::json::array args,
                             std::vector<std::string> attachments = {});

    socket_packet_type type = socket_packet_type::event;
    std::string nsp = "/";
    std::optional<std::uint64_t> id;
    /// Absent for a CONNECT without auth or a DISCONNECT. Binary attachments
    /// appear here as placeholders (see attachments.hpp).
    std::optional<boost::json::value> data;
    /// The binary buffers the placeholders in `data` refer to, in order.
    std::vector<std::string> attachments;
    /// A plain EVENT's or ACK's arguments kept as JSON text, the text of one
    /// array (`[1,"a"]`, `[]`) holding no placeholders and no attachments.
    /// Then an EVENT's `data` is its name alone, a string, and an ACK has no
    /// `data`; the encoder writes `[name,args...]` or the array, the
    /// arguments' bytes as they are. Set by socket_packet_decoder only with
    /// keep_argument_text, and by senders that pass received arguments on;
    /// absent otherwise. encode_msgpack_socket_packet parses it.
    std::optional<std::string> args_text;

    friend bool operator==(const socket_packet&, const socket_packet&) = default;
};

/// The text Engine.IO message for `p`; `p.attachments` follow it as binary
/// messages. An event or ack with attachments is written as binary_event or
/// binary_ack with the attachment count; the data is compact, key order kept.
std::string encode_socket_packet(const socket_packet& p);
/// The same; `p`'s args_text buffer may become the result.
std::string encode_socket_packet(socket_packet&& p);

/// The text message of the server's CONNECT answer in namespace `nsp`:
/// `{"sid":...}`, with `"pid"` after it when `pid` is not empty; the bytes
/// encode_socket_packet writes for socket_packet::connect(nsp, that object),
/// without building the object.
std::string encode_connect_answer(std::string_view nsp, std::string_view sid, std::string_view pid);

/// The Engine.IO messages that carry `p`: with the json parser its text
/// message, then one binary message per attachment; with msgpack one binary
/// message (see encode_msgpack_socket_packet).
std::vector<packet> encode_socket_packet_messages(const socket_packet& p, socket_parser parser = socket_parser::json);
/// The same, moving `p`'s attachments into the binary messages rather than
/// copying them (with the json parser; msgpack copies them into its one
/// message). `p`'s attachments are left moved from.
std::vector<packet> encode_socket_packet_messages(socket_packet&& p, socket_parser parser = socket_parser::json);

/// The MessagePack map socket.io-msgpack-parser writes for `p`: `type`,
/// `nsp` (always, "/" too), then `data` and `id` when present; each
/// placeholder in `data` becomes a `bin` of its attachment, as
/// msgpack::encode writes them.
std::string encode_msgpack_socket_packet(const socket_packet& p);

/// The Engine.IO messages of one encoded Socket.IO packet, immutable, so
/// that every recipient of a broadcast shares the same bytes.
using encoded_socket_packet = std::shared_ptr<const std::vector<packet>>;

/// encode_socket_packet_messages, into a shared immutable buffer. With
/// `compress` false, the messages are never WebSocket-compressed
/// (packet::compress).
encoded_socket_packet encode_shared(const socket_packet& p, socket_parser parser = socket_parser::json,
                                    bool compress = true);
/// The same, moving `p`'s attachments (see encode_socket_packet_messages).
encoded_socket_packet encode_shared(socket_packet&& p, socket_parser parser = socket_parser::json,
                                    bool compress = true);

/// Reassembles Socket.IO packets from Engine.IO messages: a text message,
/// then, for a binary packet, its attachments.
///
/// Checks, per type, what socket.io accepts: CONNECT data absent or an
/// object, DISCONNECT no data, EVENT a non-empty array starting with an event
/// name that is not reserved, ACK an array, CONNECT_ERROR an object or a
/// string; and, in a binary packet, that every placeholder refers to a
/// received attachment (in a plain packet such an object is just JSON).
/// An event name may also be a number, as socket.io-parser allows: the
/// decoder replaces it with the text JavaScript's String() gives it (`1`,
/// `1.5`, `1e+21`, `-0` as `0`, an integer beyond 2^53 rounded as a double
/// first, `Infinity`), the key Node dispatches it under, so a decoded
/// EVENT's name is always a string.
/// Enforces `decode_limits` (max_json_depth counts each argument's nesting,
/// not the packet's outer array; max_attachment_bytes the sum of one packet's
/// attachments). JSON numbers are read as JSON.parse reads them (see
/// json_reader.hpp).
/// With the msgpack parser each packet is one binary message: a MessagePack
/// map with an integer `type` from 0 to 4, a string `nsp` starting with "/",
/// and, as present, `data` (checked as above) and a non-negative integer
/// `id`; other keys are ignored, and nil or notepack's `undefined` (which the
/// official client writes for a CONNECT without auth) count as absent. Its
/// `bin` values become the packet's attachments, bounded as above; an ACK
/// without an id, a text message, or bytes msgpack::decode refuses are
/// errors, as a malformed text packet is with the json parser.
///
/// After an error the decoder is reset; the caller should close the
/// connection, as the peer's stream can no longer be trusted.
class socket_packet_decoder {
public:
    explicit socket_packet_decoder(decode_limits limits = {}, socket_parser parser = socket_parser::json)
        : limits_(limits), parser_(parser)
    {
    }

    /// Returns the packet when complete, std::nullopt while attachments are
    /// still expected, or an error.
    result<std::optional<socket_packet>> on_text(std::string_view text);
    /// As above; the text's buffer may become the packet's args_text, so
    /// that kept arguments cost no allocation. `text` is left unspecified.
    result<std::optional<socket_packet>> on_text(std::string&& text);
    /// As on_text(std::string_view): a literal would fit either overload.
    result<std::optional<socket_packet>> on_text(const char* text) { return on_text(std::string_view(text)); }
    result<std::optional<socket_packet>> on_binary(std::string bytes);

    bool awaiting_attachments() const noexcept { return pending_.has_value(); }

    /// Off by default. When on, a plain (non-binary) EVENT or ACK that passes
    /// every check above keeps its arguments as their text in
    /// socket_packet::args_text rather than as values in `data`: the text is
    /// checked with the same parser, depth and limits, so what is accepted
    /// or refused, and with which error, does not change. An EVENT whose name
    /// is not a string (a number) is decoded as values, as before.
    void keep_argument_text(bool on) noexcept { keep_argument_text_ = on; }

private:
    result<std::optional<socket_packet>> decode_text(std::string_view text, std::string* owned);
    result<std::optional<socket_packet>> complete();
    void reset() noexcept;

    decode_limits limits_;
    socket_parser parser_;
    bool keep_argument_text_ = false;
    std::optional<socket_packet> pending_;
    std::size_t expected_attachments_ = 0;
    std::size_t attachment_bytes_ = 0; // of pending_'s attachments so far
};

/// Event names socket.io reserves; an EVENT may not use them.
bool is_reserved_event_name(std::string_view name) noexcept;

} // namespace corio::protocol
