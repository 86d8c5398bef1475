#include <corio/protocol/permessage_deflate.hpp>

#include <zlib.h>

#include <algorithm>
#include <limits>
#include <new>

namespace corio::protocol::websocket {

namespace {

constexpr std::string_view extension_name = "permessage-deflate";
// RFC 7692, section 7.2.1: a flushed message ends with an empty stored block,
// which the sender removes and the receiver puts back.
constexpr unsigned char flush_tail[] = {0x00, 0x00, 0xFF, 0xFF};
// Raw DEFLATE (no zlib header), the largest window, as RFC 7692 expects.
constexpr int window_bits = 15;
// zlib's default: what Node's ws uses too, so the bench compares like with like.
constexpr int compression_level = Z_DEFAULT_COMPRESSION;
constexpr int memory_level = 8;
// An output buffer starts at this and doubles.
constexpr std::size_t first_chunk = 4096;

std::string_view trim(std::string_view s) noexcept
{
    const auto space = [](char c) { return c == ' ' || c == '\t'; };
    while (!s.empty() && space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && space(s.back()))
        s.remove_suffix(1);
    return s;
}

// The next item of `s` up to `separator` (outside a quoted string), trimmed;
// `s` moves past the separator.
std::string_view next_item(std::string_view& s, char separator) noexcept
{
    bool quoted = false;
    std::size_t i = 0;
    for (; i < s.size(); ++i) {
        if (s[i] == '"')
            quoted = !quoted;
        else if (s[i] == separator && !quoted)
            break;
    }
    auto item = s.substr(0, i);
    s.remove_prefix(i == s.size() ? i : i + 1);
    return trim(item);
}

std::string_view unquote(std::string_view v) noexcept
{
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"')
        return v.substr(1, v.size() - 2);
    return v;
}

// A window size parameter's value: 8 to 15 (RFC 7692, section 7.1.2), or
// nothing for one that is not.
std::optional<int> window_value(std::string_view v) noexcept
{
    v = unquote(v);
    if (v.size() == 1 && v[0] >= '8' && v[0] <= '9')
        return v[0] - '0';
    if (v.size() == 2 && v[0] == '1' && v[1] >= '0' && v[1] <= '5')
        return 10 + (v[1] - '0');
    return std::nullopt;
}

// One permessage-deflate offer's parameters (after its name), or nothing
// when Corio cannot accept it. The answer names server_max_window_bits only
// when the offer did (section 7.1.2.1 requires it then).
std::optional<std::string> accept_parameters(std::string_view params)
{
    bool server_no_context = false;
    bool client_no_context = false;
    bool server_bits = false;
    bool client_bits = false;
    while (!params.empty()) {
        auto param = next_item(params, ';');
        auto eq = param.find('=');
        auto name = trim(param.substr(0, eq));
        auto value = eq == std::string_view::npos ? std::optional<std::string_view>{} : trim(param.substr(eq + 1));
        bool* seen = nullptr;
        if (name == "server_no_context_takeover" && !value) {
            seen = &server_no_context;
        } else if (name == "client_no_context_takeover" && !value) {
            seen = &client_no_context;
        } else if (name == "server_max_window_bits" && value) {
            // Below 15 the shared bytes of a broadcast would not fit.
            if (window_value(*value) != window_bits)
                return std::nullopt;
            seen = &server_bits;
        } else if (name == "client_max_window_bits") {
            // Any window the client uses inflates with the largest.
            if (value && !window_value(*value))
                return std::nullopt;
            seen = &client_bits;
        } else {
            return std::nullopt;
        }
        if (*seen)
            return std::nullopt; // a parameter twice makes the offer invalid
        *seen = true;
    }
    std::string answer(extension_name);
    answer += "; server_no_context_takeover; client_no_context_takeover";
    if (server_bits)
        answer += "; server_max_window_bits=15";
    return answer;
}

/// A raw DEFLATE compressor, reset for each message.
class compressor {
public:
    compressor()
    {
        if (deflateInit2(&z_, compression_level, Z_DEFLATED, -window_bits, memory_level, Z_DEFAULT_STRATEGY) != Z_OK)
            throw std::bad_alloc();
    }
    ~compressor() { deflateEnd(&z_); }
    compressor(const compressor&) = delete;
    compressor& operator=(const compressor&) = delete;

    std::string compress(std::string_view prefix, std::string_view data)
    {
        deflateReset(&z_);
        std::string out;
        out.resize(deflateBound(&z_, static_cast<uLong>(prefix.size() + data.size())) + sizeof flush_tail);
        std::size_t produced = 0;
        feed(prefix, Z_NO_FLUSH, out, produced);
        feed(data, Z_SYNC_FLUSH, out, produced);
        // A sync flush ends with the empty stored block: drop its four bytes.
        out.resize(produced >= sizeof flush_tail ? produced - sizeof flush_tail : produced);
        return out;
    }

private:
    void feed(std::string_view in, int flush, std::string& out, std::size_t& produced)
    {
        z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
        z_.avail_in = static_cast<uInt>(in.size());
        for (;;) {
            if (produced == out.size())
                out.resize(out.size() * 2);
            z_.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
            z_.avail_out = static_cast<uInt>(out.size() - produced);
            deflate(&z_, flush);
            produced = out.size() - z_.avail_out;
            // Done once the input is in and the output did not fill up
            // (a full output may hide more flushed bytes).
            if (z_.avail_in == 0 && z_.avail_out != 0)
                return;
        }
    }

    z_stream z_{};
};

} // namespace

std::optional<std::string> accept_deflate_offer(std::string_view extensions)
{
    while (!extensions.empty()) {
        auto offer = next_item(extensions, ',');
        auto name = next_item(offer, ';');
        if (name != extension_name)
            continue;
        if (auto answer = accept_parameters(offer))
            return answer;
    }
    return std::nullopt;
}

std::string deflate_message(std::string_view prefix, std::string_view data)
{
    thread_local compressor z;
    return z.compress(prefix, data);
}

struct inflater::stream {
    stream()
    {
        if (inflateInit2(&z, -window_bits) != Z_OK)
            throw std::bad_alloc();
    }
    ~stream() { inflateEnd(&z); }
    stream(const stream&) = delete;
    stream& operator=(const stream&) = delete;

    z_stream z{};
};

inflater::inflater(std::size_t max_message) noexcept : max_message_(max_message) {}

inflater::~inflater() = default;

inflate_error inflater::inflate_message(std::string_view payload, std::string& out)
{
    if (!stream_)
        stream_ = std::make_unique<stream>();
    else
        inflateReset(&stream_->z);
    auto& z = stream_->z;
    // One byte past the limit is enough to tell that the limit was passed.
    const std::size_t cap = max_message_ == std::numeric_limits<std::size_t>::max() ? max_message_ : max_message_ + 1;
    out.clear();
    std::size_t produced = 0;
    bool tail_fed = false;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(payload.data()));
    z.avail_in = static_cast<uInt>(payload.size());
    for (;;) {
        if (z.avail_in == 0 && !tail_fed) {
            tail_fed = true;
            z.next_in = const_cast<Bytef*>(flush_tail);
            z.avail_in = sizeof flush_tail;
        }
        if (produced == out.size()) {
            if (out.size() >= cap)
                return inflate_error::too_big;
            out.resize(std::min(cap, std::max(first_chunk, out.size() * 2)));
        }
        z.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
        z.avail_out = static_cast<uInt>(out.size() - produced);
        const int rc = inflate(&z, Z_SYNC_FLUSH);
        produced = out.size() - z.avail_out;
        if (produced > max_message_)
            return inflate_error::too_big;
        if (rc == Z_STREAM_END)
            break; // the client ended the stream (BFINAL): the message is whole
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            return inflate_error::invalid;
        // All input in, tail included, and room left over: all flushed.
        if (tail_fed && z.avail_in == 0 && z.avail_out != 0)
            break;
        if (rc == Z_BUF_ERROR && z.avail_out != 0)
            return inflate_error::invalid; // no progress with input and room: cannot happen on valid data
    }
    out.resize(produced);
    return inflate_error::none;
}

deflate_cache::~deflate_cache()
{
    delete value_.load(std::memory_order_acquire);
}

const std::string& deflate_cache::get(std::string_view prefix, std::string_view data) const
{
    if (const auto* cached = value_.load(std::memory_order_acquire))
        return *cached;
    auto made = std::make_unique<const std::string>(deflate_message(prefix, data));
    const std::string* expected = nullptr;
    if (value_.compare_exchange_strong(expected, made.get(), std::memory_order_acq_rel, std::memory_order_acquire))
        return *made.release();
    return *expected;
}

} // namespace corio::protocol::websocket
