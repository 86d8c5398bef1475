#include <corio/protocol/websocket_frame.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>

namespace corio::protocol::websocket {

namespace {

// A fragments buffer larger than this is freed once its message is delivered,
// so an idle connection does not keep the memory of its largest message.
constexpr std::size_t fragments_keep_capacity = 4096;

constexpr std::size_t max_control_payload = 125;
constexpr std::size_t max_close_reason = max_control_payload - 2;

std::uint16_t load_be16(const char* p) noexcept
{
    const auto* u = reinterpret_cast<const unsigned char*>(p);
    return static_cast<std::uint16_t>((u[0] << 8) | u[1]);
}

std::uint64_t load_be64(const char* p) noexcept
{
    const auto* u = reinterpret_cast<const unsigned char*>(p);
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
        v = (v << 8) | u[i];
    return v;
}

// The mask applies from the first payload byte, so byte i takes key[i % 4];
// every 8-byte block starts at a multiple of 4 and sees the key twice over.
void unmask(char* p, std::size_t n, const char* key) noexcept
{
    char key8[8];
    std::memcpy(key8, key, 4);
    std::memcpy(key8 + 4, key, 4);
    std::uint64_t k;
    std::memcpy(&k, key8, 8);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t w;
        std::memcpy(&w, p + i, 8);
        w ^= k;
        std::memcpy(p + i, &w, 8);
    }
    for (; i < n; ++i)
        p[i] = static_cast<char>(p[i] ^ key[i & 3]);
}

// Appends `n` bytes from `p` to `out`, unmasked with `key` (its byte 0 for
// p[0]): the copy and the unmasking in one pass.
void append_unmasked(std::string& out, const char* p, std::size_t n, const char* key)
{
    const std::size_t at = out.size();
    out.append(p, n);
    unmask(out.data() + at, n, key);
}

bool known_opcode(unsigned op) noexcept
{
    switch (op) {
    case 0x0:
    case 0x1:
    case 0x2:
    case 0x8:
    case 0x9:
    case 0xA:
        return true;
    default:
        return false;
    }
}

// RFC 6455, section 7.4: 1004-1006 and 1015 are reserved and never sent,
// 1016-2999 are reserved for future revisions, 3000-4999 are for libraries
// and applications. 1012-1014 are registered with IANA and sent by real peers.
bool peer_may_send(std::uint16_t code) noexcept
{
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

bool continuation_byte(unsigned char c) noexcept
{
    return (c & 0xC0) == 0x80;
}

} // namespace

std::size_t encode_header(opcode op, std::uint64_t payload_size, std::span<unsigned char, max_header_size> out,
                          bool compressed) noexcept
{
    out[0] = static_cast<unsigned char>(0x80 | (compressed ? 0x40 : 0) | static_cast<unsigned>(op));
    if (payload_size <= max_control_payload) {
        out[1] = static_cast<unsigned char>(payload_size);
        return 2;
    }
    if (payload_size <= 0xFFFF) {
        out[1] = 126;
        out[2] = static_cast<unsigned char>(payload_size >> 8);
        out[3] = static_cast<unsigned char>(payload_size);
        return 4;
    }
    out[1] = 127;
    for (int i = 0; i < 8; ++i)
        out[2 + i] = static_cast<unsigned char>(payload_size >> (8 * (7 - i)));
    return 10;
}

std::string close_payload(close_code code, std::string_view reason)
{
    // A longer reason is cut at a character boundary, so the frame stays both
    // a valid control frame and valid UTF-8.
    if (reason.size() > max_close_reason) {
        std::size_t cut = max_close_reason;
        while (cut > 0 && continuation_byte(static_cast<unsigned char>(reason[cut])))
            --cut;
        reason = reason.substr(0, cut);
    }
    const auto value = static_cast<std::uint16_t>(code);
    std::string out;
    out.reserve(2 + reason.size());
    out.push_back(static_cast<char>(value >> 8));
    out.push_back(static_cast<char>(value & 0xFF));
    out.append(reason);
    return out;
}

bool valid_utf8(std::string_view text) noexcept
{
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const auto* const end = p + text.size();
    while (p != end) {
        // Most text is ASCII: skip it 8 bytes at a time.
        while (end - p >= 8) {
            std::uint64_t w;
            std::memcpy(&w, p, 8);
            if (w & 0x8080808080808080ULL)
                break;
            p += 8;
        }
        if (p == end)
            break;
        const unsigned c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        // Unicode table 3-7: the lead byte fixes the length and the range of
        // the first continuation byte, which is how overlong forms, surrogates
        // and code points above U+10FFFF are excluded.
        std::size_t length;
        unsigned char lo = 0x80;
        unsigned char hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            length = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            length = 3;
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            length = 4;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F;
        } else {
            return false;
        }
        if (static_cast<std::size_t>(end - p) < length)
            return false;
        if (p[1] < lo || p[1] > hi)
            return false;
        for (std::size_t i = 2; i < length; ++i)
            if (!continuation_byte(p[i]))
                return false;
        p += length;
    }
    return true;
}

struct frame_reader::header {
    bool fin = false;
    bool rsv1 = false;
    opcode op = opcode::continuation;
    std::size_t size = 0;     // of the header, mask key included
    std::uint64_t length = 0; // of the payload
    const char* key = nullptr;
};

frame_reader::header_status frame_reader::parse_header(std::span<const char> input, header& h) const noexcept
{
    // Each check runs as soon as the bytes it needs are in, so a bad or
    // oversized frame is refused before the rest of it arrives.
    if (input.size() < 2)
        return header_status::incomplete;
    const auto b0 = static_cast<unsigned char>(input[0]);
    const auto b1 = static_cast<unsigned char>(input[1]);
    h.fin = (b0 & 0x80) != 0;
    const unsigned op_bits = b0 & 0x0Fu;
    if ((b0 & 0x30) != 0 || !known_opcode(op_bits))
        return header_status::protocol_error;
    h.op = static_cast<opcode>(op_bits);
    // RSV1: permessage-deflate, on a message's first frame only.
    h.rsv1 = (b0 & 0x40) != 0;
    if (h.rsv1 && (!deflate_ || (h.op != opcode::text && h.op != opcode::binary)))
        return header_status::protocol_error;
    const bool control = (op_bits & 0x8u) != 0;
    const std::size_t length7 = b1 & 0x7Fu;
    if ((b1 & 0x80) == 0)
        return header_status::protocol_error;
    if (control && (!h.fin || length7 > max_control_payload))
        return header_status::protocol_error;
    const bool under_way = message_opcode_ != opcode::continuation;
    if (h.op == opcode::continuation && !under_way)
        return header_status::protocol_error;
    if ((h.op == opcode::text || h.op == opcode::binary) && under_way)
        return header_status::protocol_error;

    std::size_t pos = 2;
    h.length = length7;
    if (length7 == 126) {
        if (input.size() < 4)
            return header_status::incomplete;
        h.length = load_be16(input.data() + 2);
        pos = 4;
    } else if (length7 == 127) {
        if (input.size() < 10)
            return header_status::incomplete;
        h.length = load_be64(input.data() + 2);
        if (h.length >> 63)
            return header_status::protocol_error;
        pos = 10;
    }
    // fragments_ never exceeds max_message_, so the subtraction is safe.
    if (!control && h.length > max_message_ - (under_way ? fragments_.size() : 0))
        return header_status::too_big;

    if (input.size() - pos < 4)
        return header_status::incomplete;
    h.key = input.data() + pos;
    h.size = pos + 4;
    return header_status::ok;
}

frame_event frame_reader::fail(close_code code)
{
    fail_code_ = code;
    payload_left_ = 0;
    std::string().swap(fragments_);
    return frame_event{frame_event::kind::fail, {}, code};
}

bool frame_reader::gather(std::span<char>& input)
{
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(payload_left_, input.size()));
    if (n > 0) {
        append_unmasked(fragments_, input.data(), n, payload_key_);
        char turned[4];
        for (std::size_t i = 0; i < 4; ++i)
            turned[i] = payload_key_[(i + n) & 3];
        std::memcpy(payload_key_, turned, 4);
        payload_left_ -= n;
        input = input.subspan(n);
    }
    return payload_left_ == 0;
}

frame_event frame_reader::finish_message()
{
    using kind = frame_event::kind;
    const opcode message = message_opcode_;
    const bool compressed = message_compressed_;
    message_opcode_ = opcode::continuation;
    message_compressed_ = false;
    if (message == opcode::text && !compressed && !valid_utf8(fragments_))
        return fail(close_code::invalid_payload);
    return {message == opcode::text ? kind::text : kind::binary, fragments_, close_code::normal, compressed};
}

frame_event frame_reader::next(std::span<char>& input)
{
    using kind = frame_event::kind;
    if (fail_code_ != close_code::normal)
        return frame_event{kind::fail, {}, fail_code_};
    if (payload_left_ > 0) {
        if (!gather(input))
            return {};
        if (gathering_fin_)
            return finish_message();
    } else if (message_opcode_ == opcode::continuation) {
        // The previous call may have returned a message that lives in fragments_.
        fragments_.clear();
        release();
    }

    for (;;) {
        header h;
        switch (parse_header(input, h)) {
        case header_status::incomplete:
            return {};
        case header_status::protocol_error:
            return fail(close_code::protocol_error);
        case header_status::too_big:
            return fail(close_code::too_big);
        case header_status::ok:
            break;
        }
        const bool data_frame = (static_cast<unsigned>(h.op) & 0x8u) == 0;
        const bool whole = input.size() - h.size >= h.length;
        if (!whole && !data_frame)
            return {}; // a cut control frame: at most max_kept bytes
        const auto size = static_cast<std::size_t>(h.length);
        const bool into_buffer = !whole || !h.fin || h.op == opcode::continuation;
        if (data_frame && into_buffer) {
            // The payload goes to fragments_, unmasked as it is copied there.
            if (h.op != opcode::continuation) {
                message_opcode_ = h.op;
                message_compressed_ = h.rsv1;
            }
            const std::size_t needed = fragments_.size() + size;
            if (!whole && h.fin && h.op != opcode::continuation)
                fragments_.reserve(needed); // the whole message: exactly its size
            else if (needed > fragments_.capacity())
                fragments_.reserve(std::max(needed, 2 * fragments_.capacity()));
            input = input.subspan(h.size);
            payload_left_ = h.length;
            std::memcpy(payload_key_, h.key, 4);
            gathering_fin_ = h.fin;
            if (!gather(input))
                return {};
            if (h.fin)
                return finish_message();
            continue;
        }

        char* data = input.data() + h.size;
        unmask(data, size, h.key);
        const std::string_view payload(data, size);
        const auto rest = input.subspan(h.size + size);

        switch (h.op) {
        case opcode::ping:
            input = rest;
            return {kind::ping, payload};
        case opcode::pong:
            input = rest;
            return {kind::pong, payload};
        case opcode::close: {
            if (size == 0) {
                input = rest;
                return {kind::close, payload, close_code::no_status};
            }
            if (size == 1)
                return fail(close_code::protocol_error);
            const auto code = load_be16(data);
            if (!peer_may_send(code))
                return fail(close_code::protocol_error);
            if (!valid_utf8(payload.substr(2)))
                return fail(close_code::invalid_payload);
            input = rest;
            return {kind::close, payload, static_cast<close_code>(code)};
        }
        case opcode::text:
        case opcode::binary:
            // Whole, final, unfragmented: a view into the input.
            if (h.op == opcode::text && !h.rsv1 && !valid_utf8(payload))
                return fail(close_code::invalid_payload);
            input = rest;
            return {h.op == opcode::text ? kind::text : kind::binary, payload, close_code::normal, h.rsv1};
        case opcode::continuation:
            break;
        }
        return fail(close_code::protocol_error); // unreachable: a continuation goes to fragments_
    }
}

std::string* frame_reader::message_buffer(const frame_event& e) noexcept
{
    const bool message = e.what == frame_event::kind::text || e.what == frame_event::kind::binary;
    if (message && !e.payload.empty() && e.payload.data() == fragments_.data() && e.payload.size() == fragments_.size())
        return &fragments_;
    return nullptr;
}

void frame_reader::release() noexcept
{
    if (message_opcode_ == opcode::continuation && payload_left_ == 0 && fragments_.capacity() > fragments_keep_capacity)
        std::string().swap(fragments_);
}

} // namespace corio::protocol::websocket
