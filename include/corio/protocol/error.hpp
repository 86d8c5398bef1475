#pragma once
// Typed errors of the sans-I/O codecs. Decoders never throw on wire data: they
// return one of these through boost::system::result.

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <type_traits>

namespace corio::protocol {

enum class error {
    // Engine.IO packets and polling payloads
    empty_packet = 1,        ///< a packet with no type character
    unknown_packet_type,     ///< an Engine.IO type outside 0-6, or not allowed here
    invalid_base64,          ///< a `b` polling segment whose base64 does not decode
    payload_too_large,       ///< more bytes than decode_limits::max_payload
    too_many_packets,        ///< more packets than decode_limits::max_packets_per_payload

    // Socket.IO packets
    unknown_socket_packet_type, ///< a Socket.IO type outside 0-6
    invalid_attachment_count,   ///< missing or malformed `<n>-` on a binary packet
    too_many_attachments,       ///< more than decode_limits::max_attachments
    invalid_namespace,          ///< a namespace that is not `/...`
    invalid_ack_id,             ///< an ack id with too many digits, or not a number
    invalid_json,               ///< the data is not JSON
    json_too_deep,              ///< JSON nesting deeper than decode_limits::max_json_depth
    invalid_payload,            ///< JSON of the wrong shape for the packet type
    invalid_placeholder,        ///< a `_placeholder` whose `num` is not a valid index
    unexpected_binary,          ///< a binary message while no attachment is expected
    unexpected_text,            ///< a text message while attachments are still expected

    // MessagePack (the Redis adapter's wire format)
    invalid_msgpack, ///< truncated, trailing or malformed MessagePack, or nested too deeply

    // Engine.IO again (added last, so the values above stay as they were)
    invalid_utf8, ///< a text packet of a polling payload that is not UTF-8

    // Socket.IO again
    attachments_too_large, ///< one packet's attachments over decode_limits::max_attachment_bytes
    unexpected_text_for_msgpack, ///< a text message, where the msgpack parser sends only binary ones

    // Engine.IO v3
    invalid_payload_length, ///< a v3 polling payload whose length prefix is malformed or does not match
};

/// The category of corio::protocol::error; its name is "corio.protocol".
const boost::system::error_category& protocol_category() noexcept;

boost::system::error_code make_error_code(error e) noexcept;

template <class T>
using result = boost::system::result<T>;

} // namespace corio::protocol

template <>
struct boost::system::is_error_code_enum<corio::protocol::error> : std::true_type {};
