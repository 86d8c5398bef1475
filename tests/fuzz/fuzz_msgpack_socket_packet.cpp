// The msgpack parser's decoder (protocol::socket_packet_decoder with
// socket_parser::msgpack): the input is one binary Engine.IO message. A packet
// that comes out must encode to one message that decodes to the same packet.

#include <corio/protocol/limits.hpp>
#include <corio/protocol/socket_packet.hpp>

#include "fuzz_check.hpp"

#include <boost/json/value.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

namespace protocol = corio::protocol;
using corio_fuzz::check;

namespace {

constexpr auto msgpack = protocol::socket_parser::msgpack;

// Whether `a` and `b` are the same to JavaScript, whose numbers are all
// doubles. An integral double goes out as a msgpack integer, as notepack
// writes it, and comes back as an exact integer, which writes differently
// from the double above 2^53. Recursive: the decode limits bound the depth.
bool same_in_javascript(const boost::json::value& a, const boost::json::value& b)
{
    if (a.is_number() && b.is_number()) {
        const double x = a.to_number<double>();
        const double y = b.to_number<double>();
        return x == y || (std::isnan(x) && std::isnan(y));
    }
    if (a.kind() != b.kind())
        return false;
    if (const auto* x = a.if_array()) {
        const auto& y = b.get_array();
        return x->size() == y.size() && std::equal(x->begin(), x->end(), y.begin(), same_in_javascript);
    }
    if (const auto* x = a.if_object()) {
        const auto& y = b.get_object();
        return x->size() == y.size() && std::equal(x->begin(), x->end(), y.begin(), [](const auto& m, const auto& n) {
                   return m.key() == n.key() && same_in_javascript(m.value(), n.value());
               });
    }
    return a == b;
}

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
        check(same_in_javascript(*q.data, *p.data), "decode, encode, decode keeps the data");
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
