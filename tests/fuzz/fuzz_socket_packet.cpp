// The Socket.IO decoder with binary reassembly (protocol::socket_packet_decoder):
// a sequence of Engine.IO messages, separated by 0x1e; a message that starts
// with `b` is a binary message (the bytes after the `b`), any other a text
// message. One decoder reads the whole sequence, as a session's does, and
// starts afresh after an error, as a new session would. Each packet that
// comes out must encode to messages that decode to the same packet. A second
// decoder that keeps argument text (keep_argument_text) reads the same
// messages and must agree: the same errors, and packets that encode to what
// decodes to the first decoder's packet.

#include <corio/protocol/json_writer.hpp>
#include <corio/protocol/limits.hpp>
#include <corio/protocol/socket_packet.hpp>

#include "fuzz_check.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace protocol = corio::protocol;
using corio_fuzz::check;

namespace {

// The packet's messages through a fresh decoder.
protocol::result<std::optional<protocol::socket_packet>> redecode(const std::vector<protocol::packet>& messages,
                                                                  const protocol::decode_limits& limits)
{
    protocol::socket_packet_decoder decoder(limits);
    protocol::result<std::optional<protocol::socket_packet>> r = std::optional<protocol::socket_packet>();
    for (const auto& m : messages) {
        check(r.has_value() && !r->has_value(), "the packet completes with its last message");
        r = m.binary ? decoder.on_binary(m.data) : decoder.on_text(m.data);
    }
    return r;
}

void round_trip(const protocol::socket_packet& p, const protocol::decode_limits& limits)
{
    if (p.type == protocol::socket_packet_type::binary_event || p.type == protocol::socket_packet_type::binary_ack)
        check(p.attachments.size() <= limits.max_attachments, "at most max_attachments attachments");
    const auto messages = protocol::encode_socket_packet_messages(p);
    check(messages.size() == 1 + p.attachments.size(), "one message per attachment after the text");
    // The encoding may be a little longer than what was read (a namespace
    // that ended the packet gets its comma).
    auto relaxed = limits;
    relaxed.max_payload = std::max(limits.max_payload, messages.front().data.size());
    auto again = redecode(messages, relaxed);
    check(again.has_value(), "an encoded packet decodes");
    check(again->has_value(), "an encoded packet is complete");
    const auto& q = **again;
    check(q.type == p.type && q.nsp == p.nsp && q.id == p.id && q.attachments == p.attachments,
          "decode, encode, decode keeps type, namespace, id and attachments");
    check(q.data.has_value() == p.data.has_value(), "decode, encode, decode keeps the data's presence");
    // Numbers may change form (-0 is written 0, an overflowing double null),
    // but once written they are stable.
    if (p.data)
        check(protocol::to_json(*q.data) == protocol::to_json(*p.data), "the data writes the same");
    check(protocol::encode_socket_packet_messages(q) == messages, "encoding is stable");
}

// `text`, from the decoder that keeps argument text, against `values`, the
// same messages' packet from the one that does not.
void same_packet(const protocol::socket_packet& text, const protocol::socket_packet& values,
                 const protocol::decode_limits& limits)
{
    if (!text.args_text) {
        check(text == values, "without argument text, both decoders give the same packet");
        return;
    }
    check(text.attachments.empty()
              && (text.type == protocol::socket_packet_type::event) == (text.data && text.data->is_string()),
          "argument text: no attachments, a name for an EVENT only");
    const auto messages = protocol::encode_socket_packet_messages(text);
    auto relaxed = limits;
    relaxed.max_payload = std::max(limits.max_payload, messages.front().data.size());
    auto again = redecode(messages, relaxed);
    check(again.has_value() && again->has_value(), "a packet with argument text encodes to a packet");
    check(**again == values, "argument text encodes to what decodes to the same values");
}

void run(std::string_view input, const protocol::decode_limits& limits)
{
    protocol::socket_packet_decoder decoder(limits);
    protocol::socket_packet_decoder text_decoder(limits);
    text_decoder.keep_argument_text(true);
    std::size_t from = 0;
    for (;;) {
        const auto end = std::min(input.find('\x1e', from), input.size());
        const auto message = input.substr(from, end - from);
        const bool binary = !message.empty() && message.front() == 'b';
        auto r = binary ? decoder.on_binary(std::string(message.substr(1))) : decoder.on_text(message);
        auto t = binary ? text_decoder.on_binary(std::string(message.substr(1)))
                        : text_decoder.on_text(std::string(message));
        check(r.has_value() == t.has_value(), "keeping argument text refuses the same messages");
        if (!r)
            check(r.error() == t.error(), "keeping argument text refuses with the same error");
        else
            check(r->has_value() == t->has_value(), "keeping argument text completes the same packets");
        if (r && *r)
            same_packet(**t, **r, limits);
        if (!r) {
            check(!decoder.awaiting_attachments(), "an error resets the decoder");
        } else if (*r) {
            check(!decoder.awaiting_attachments(), "a complete packet leaves nothing pending");
            round_trip(**r, limits);
        } else {
            check(decoder.awaiting_attachments(), "an incomplete packet awaits attachments");
        }
        if (end == input.size())
            break;
        from = end + 1;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto input = corio_fuzz::as_text(data, size);
    run(input, protocol::decode_limits{});
    // Limits small inputs reach.
    run(input, protocol::decode_limits{
                   .max_payload = 200, .max_attachments = 2, .max_ack_id_digits = 3, .max_json_depth = 3});
    return 0;
}
