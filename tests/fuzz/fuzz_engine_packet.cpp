// Engine.IO text packets (protocol::decode_text_packet): a WebSocket text
// message, or one segment of a polling payload. A packet that decodes encodes
// back to the same bytes.

#include <corio/protocol/engine_packet.hpp>

#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>

namespace protocol = corio::protocol;
using corio_fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto text = corio_fuzz::as_text(data, size);
    auto p = protocol::decode_text_packet(text);
    if (!p) {
        check(p.error() == protocol::error::empty_packet || p.error() == protocol::error::unknown_packet_type,
              "an Engine.IO packet fails only for its type");
        return 0;
    }
    check(!p->binary, "a text packet is not binary");
    check(protocol::encode_text_packet(*p) == text, "decode then encode gives the input back");
    return 0;
}
