// The WebSocket frame reader (protocol::websocket::frame_reader): the bytes a
// client sends after the handshake, fed whole and cut into reads of any size,
// keeping the unread tail (a cut header or control frame; the reader gathers
// a cut data frame itself). Checks
// that the cut does not change what is read, that text is valid UTF-8 (by an
// independent decoder), that messages respect the limit, and that a failure
// is final.

#include <corio/engine/options.hpp>
#include <corio/protocol/websocket_frame.hpp>

#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ws = corio::protocol::websocket;
using corio_fuzz::check;
using kind = ws::frame_event::kind;

namespace {

struct event {
    kind what;
    std::string payload;
    ws::close_code code;
    friend bool operator==(const event&, const event&) = default;
};

// UTF-8 by the definition (RFC 3629): decode each sequence to its code
// point and refuse overlong forms, surrogates and values above U+10FFFF.
bool reference_utf8(std::string_view s)
{
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (s.size() - i < n)
            return false;
        for (std::size_t k = 1; k < n; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        const std::uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += n;
    }
    return true;
}

// Reads `input` through one reader, `cuts` marking where one read ends and
// the next begins, as websocket_connection does: the bytes not consumed are
// kept and the next read appended to them. Stops at the first close or fail.
std::vector<event> read_all(std::string input, const std::vector<std::size_t>& cuts, std::size_t max_message)
{
    ws::frame_reader reader(max_message);
    std::vector<event> events;
    std::string pending;
    std::size_t from = 0;
    for (std::size_t i = 0; i <= cuts.size(); ++i) {
        const std::size_t to = i < cuts.size() ? cuts[i] : input.size();
        pending.append(input, from, to - from);
        from = to;
        std::span<char> rest(pending.data(), pending.size());
        for (;;) {
            const std::size_t before = rest.size();
            const auto e = reader.next(rest);
            check(rest.size() <= before, "the reader never grows its input");
            check(reader.buffered() <= max_message, "fragments stay within the limit");
            // need_more may have consumed (and stored) non-final fragments
            // and the start of a cut data frame; it leaves at most a cut
            // header or a cut control frame.
            if (e.what == kind::need_more) {
                check(rest.size() <= ws::frame_reader::max_kept, "need_more keeps at most max_kept bytes");
                break;
            }
            events.push_back({e.what, std::string(e.payload), e.code});
            switch (e.what) {
            case kind::text:
                check(reference_utf8(e.payload), "a text message is valid UTF-8");
                [[fallthrough]];
            case kind::binary:
                check(e.payload.size() <= max_message, "a message is within the limit");
                break;
            case kind::ping:
            case kind::pong:
                check(e.payload.size() <= 125, "a control payload is at most 125 bytes");
                break;
            case kind::close:
                check(e.payload.size() != 1, "a close payload is empty or has a code");
                check(e.payload.size() < 2 || reference_utf8(e.payload.substr(2)), "a close reason is UTF-8");
                return events;
            case kind::fail: {
                check(e.code == ws::close_code::protocol_error || e.code == ws::close_code::invalid_payload ||
                          e.code == ws::close_code::too_big,
                      "a failure has one of the three codes");
                std::span<char> more(pending.data(), pending.size());
                const auto again = reader.next(more);
                check(again.what == kind::fail && again.code == e.code, "a failure is final");
                return events;
            }
            case kind::need_more:
                break;
            }
        }
        pending.erase(0, pending.size() - rest.size());
    }
    return events;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto text = corio_fuzz::as_text(data, size);
    const std::string input(text);
    // The engine's configured limit (limits.max_payload), and a small one
    // that inputs of a few hundred bytes can reach.
    for (const std::size_t max_message : {corio::engine::options{}.limits.max_payload, std::size_t{40}}) {
        const auto whole = read_all(input, {}, max_message);
        check(read_all(input, corio_fuzz::cut_points(text, 7), max_message) == whole,
              "reads of a few bytes read what one read does");
        check(read_all(input, corio_fuzz::cut_points(text, 1), max_message) == whole,
              "byte-by-byte reads read what one read does");
    }
    // The reader's own UTF-8 check, against the reference, on the raw input.
    check(ws::valid_utf8(text) == reference_utf8(text), "valid_utf8 agrees with the reference decoder");
    return 0;
}
