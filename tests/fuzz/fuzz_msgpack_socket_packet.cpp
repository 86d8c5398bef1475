// The msgpack parser's decoder (protocol::socket_packet_decoder with
// socket_parser::msgpack): the input is one binary Engine.IO message. A packet
// that comes out must encode to one message that decodes to the same packet.

#include <corio/protocol/json_writer.hpp>
#include <corio/protocol/limits.hpp>
#include <corio/protocol/socket_packet.hpp>

#include "fuzz_check.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

namespace protocol = corio::protocol;
using corio_fuzz::check;

namespace {

constexpr auto msgpack = protocol::socket_parser::msgpack;

void run(std::string_view input, const protocol::decode_limits& limits)
{
    protocol::socket_packet_decoder decoder(limits, msgpack);
    auto r = decoder.on_binary(std::string(input));
    check(!decoder.awaiting_attachments(), "the msgpack parser never awaits attachments");
    if (!r)
        return;
    check(r->has_value(), "a msgpack packet is complete in its one message");
    const auto& p = **r;
    check(p.type <= protocol::socket_packet_type::connect_error, "only types 0 to 4");
    check(p.attachments.size() <= limits.max_attachments, "at most max_attachments bins");

    const auto messages = protocol::encode_socket_packet_messages(p, msgpack);
    check(messages.size() == 1 && messages.front().binary, "one binary message");
    // The encoding may be longer than what was read (integers in their
    // shortest form are not, but an `undefined` key dropped is).
    auto relaxed = limits;
    relaxed.max_payload = std::max(limits.max_payload, messages.front().data.size());
    protocol::socket_packet_decoder again_decoder(relaxed, msgpack);
    auto again = again_decoder.on_binary(messages.front().data);
    check(again.has_value() && again->has_value(), "an encoded packet decodes");
    const auto& q = **again;
    check(q.type == p.type && q.nsp == p.nsp && q.id == p.id && q.attachments == p.attachments,
          "decode, encode, decode keeps type, namespace, id and attachments");
    check(q.data.has_value() == p.data.has_value(), "decode, encode, decode keeps the data's presence");
    if (p.data)
        check(protocol::to_json(*q.data) == protocol::to_json(*p.data), "the data writes the same");
    check(protocol::encode_socket_packet_messages(q, msgpack) == messages, "encoding is stable");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto input = corio_fuzz::as_text(data, size);
    run(input, protocol::decode_limits{});
    // Limits small inputs reach.
    run(input,
        protocol::decode_limits{.max_payload = 200, .max_attachments = 2, .max_ack_id_digits = 3, .max_json_depth = 3});
    return 0;
}
