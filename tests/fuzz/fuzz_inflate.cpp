// The permessage-deflate inflater (protocol::websocket::inflater): the compressed
// payloads a client sends. The first byte picks the limit and the mode.
// Raw mode inflates the rest as it is: the output stays within the limit, and
// the same input gives the same answer from a used inflater (its state is
// reset between messages) as from a fresh one. Round-trip mode compresses the
// rest with deflate_message first: it must inflate back to itself, or be
// refused as too big exactly when it is longer than the limit.

#include <corio/protocol/permessage_deflate.hpp>

#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace protocol = corio::protocol::websocket;
using corio_fuzz::check;

namespace {

/// The limits tried: around the sizes a short input reaches, and roomy.
constexpr std::size_t limits[] = {0, 1, 16, 100, 1024, 4096, 65536, 1 << 20};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0)
        return 0;
    const auto mode = data[0];
    const std::size_t limit = limits[(mode >> 1) % std::size(limits)];
    const auto rest = corio_fuzz::as_text(data + 1, size - 1);

    protocol::inflater used(limit);
    std::string out;
    if (mode & 1) {
        const auto compressed = protocol::deflate_message({}, rest);
        const auto e = used.inflate_message(compressed, out);
        if (rest.size() > limit) {
            check(e == protocol::inflate_error::too_big, "a message over the limit is too big");
            return 0;
        }
        check(e == protocol::inflate_error::none, "what deflate_message makes inflates");
        check(out == rest, "deflate then inflate gives the message back");
        return 0;
    }

    // A first message leaves the inflater's state used; the second starts over.
    std::string first;
    (void)used.inflate_message(std::string_view("\xf2\x48\xcd\xc9\xc9\x07\x00", 7), first); // "Hello" compressed
    const auto e = used.inflate_message(rest, out);
    if (e == protocol::inflate_error::none)
        check(out.size() <= limit, "an inflated message stays within the limit");
    protocol::inflater fresh(limit);
    std::string again;
    check(fresh.inflate_message(rest, again) == e, "a used inflater answers as a fresh one");
    if (e == protocol::inflate_error::none)
        check(again == out, "a used inflater inflates as a fresh one");
    return 0;
}
