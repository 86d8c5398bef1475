// Engine.IO polling payloads (protocol::decode_payload): a POST body, with
// the engine's default limits and with small ones. A payload that decodes
// encodes to a payload that decodes to the same packets.

#include <corio/protocol/limits.hpp>
#include <corio/protocol/polling_payload.hpp>

#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>

namespace protocol = corio::protocol;
using corio_fuzz::check;

namespace {

void round_trip(std::string_view body, const protocol::decode_limits& limits)
{
    auto packets = protocol::decode_payload(body, limits);
    if (!packets)
        return;
    check(!packets->empty(), "a decoded payload has a packet");
    check(packets->size() <= limits.max_packets_per_payload, "at most max_packets_per_payload packets");
    const auto encoded = protocol::encode_payload(*packets);
    // Unpadded base64 comes back padded, so the bytes may differ; the
    // packets may not.
    auto again = protocol::decode_payload(encoded, protocol::decode_limits{.max_payload = encoded.size()});
    check(again.has_value(), "an encoded payload decodes");
    check(*again == *packets, "decode, encode, decode gives the same packets");
    check(protocol::encode_payload(*again) == encoded, "encoding is stable");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto body = corio_fuzz::as_text(data, size);
    round_trip(body, protocol::decode_limits{});
    round_trip(body, protocol::decode_limits{.max_payload = 64, .max_packets_per_payload = 3});
    return 0;
}
