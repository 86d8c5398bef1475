// The MessagePack decoder (protocol::msgpack::decode): what the Redis
// adapter reads from Redis, written by Node's adapter (notepack.io) or ours.
// A document that decodes encodes to bytes that decode; after that one round
// the encoding is a fixed point (dates become strings, ill-formed UTF-8 is
// replaced, integral doubles become integers, so the first round may change
// the bytes).

#include <corio/protocol/error.hpp>
#include <corio/protocol/limits.hpp>
#include <corio/protocol/msgpack.hpp>

#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>

namespace msgpack = corio::protocol::msgpack;
using corio_fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto bytes = corio_fuzz::as_text(data, size);
    // The adapter's limit (an argument's depth plus its 3 levels of wrapping),
    // and a small one.
    for (const std::size_t max_depth : {corio::protocol::decode_limits{}.max_json_depth + 3, std::size_t{3}}) {
        auto doc = msgpack::decode(bytes, max_depth);
        if (!doc) {
            check(doc.error() == corio::protocol::error::invalid_msgpack, "decode fails with invalid_msgpack");
            continue;
        }
        const auto encoded = msgpack::encode(doc->value, doc->attachments);
        auto again = msgpack::decode(encoded, max_depth);
        check(again.has_value(), "an encoded document decodes");
        const auto encoded_again = msgpack::encode(again->value, again->attachments);
        // Compared as bytes: a NaN is not equal to itself as a value.
        check(encoded_again == encoded, "encode after decode is a fixed point");
    }
    return 0;
}
