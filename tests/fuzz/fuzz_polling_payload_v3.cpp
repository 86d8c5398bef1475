// Engine.IO v3 polling payloads (protocol::v3::decode_payload): a POST body in
// either form, with the engine's default limits and with small ones. A
// payload that decodes encodes, in both forms, to payloads that decode to the
// same packets.

#include <corio/protocol/limits.hpp>
#include <corio/protocol/polling_payload_v3.hpp>

#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>

namespace protocol = corio::protocol;
namespace v3 = corio::protocol::v3;
using corio_fuzz::check;

namespace {

void round_trip(std::string_view body, const protocol::decode_limits& limits)
{
    auto packets = v3::decode_payload(body, limits);
    if (!packets)
        return;
    check(packets->size() <= limits.max_packets_per_payload, "at most max_packets_per_payload packets");
    if (packets->empty())
        return; // only empty packets (`0:`)
    for (auto form : {v3::payload_form::text, v3::payload_form::binary}) {
        std::string encoded;
        for (const auto& p : *packets)
            v3::append_to_payload(p, form, encoded);
        auto again = v3::decode_payload(encoded, protocol::decode_limits{.max_payload = encoded.size()});
        check(again.has_value(), "an encoded payload decodes");
        check(*again == *packets, "decode, encode, decode gives the same packets");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto body = corio_fuzz::as_text(data, size);
    round_trip(body, protocol::decode_limits{});
    round_trip(body, protocol::decode_limits{.max_payload = 64, .max_packets_per_payload = 3});
    return 0;
}
