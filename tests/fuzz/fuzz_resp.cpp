// The RESP reader (framework/redis/resp_reader: hiredis's reader, fed from
// our sockets): the bytes a Redis server sends. The same bytes fed in one
// piece and in small reads give the same replies; each reply, written back
// as RESP, reads back as itself.
//
// hiredis is Debian's uninstrumented library: coverage guides the fuzzer only
// through our side (the reader wrapper, to_reply), while ASan still checks
// every allocation hiredis makes.
//
// The reader trusts Redis with sizes: an array header `*N` makes hiredis
// 0.14 allocate N pointers at once (16 GiB for `*2147483647`; it has no
// maxelements, and hiredis 1.x's default allows 2^32 - 1), as a bulk header
// makes it buffer that many bytes. Inputs announcing an array longer than
// the input itself are skipped, so the fuzzer explores parsing rather than
// that allocation.

#include <corio/redis/reply.hpp>

#include "resp_reader.hpp"

#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace redis = corio::redis;
using corio_fuzz::check;

namespace {

bool operator==(const redis::reply& a, const redis::reply& b)
{
    if (a.type != b.type || a.str != b.str || a.integer != b.integer || a.elements.size() != b.elements.size())
        return false;
    for (std::size_t i = 0; i < a.elements.size(); ++i)
        if (!(a.elements[i] == b.elements[i]))
            return false;
    return true;
}

// RESP2 for `r`.
void write_resp(const redis::reply& r, std::string& out)
{
    switch (r.type) {
    case redis::reply::kind::string:
        out += '$' + std::to_string(r.str.size()) + "\r\n" + r.str + "\r\n";
        break;
    case redis::reply::kind::status:
        out += '+' + r.str + "\r\n";
        break;
    case redis::reply::kind::error:
        out += '-' + r.str + "\r\n";
        break;
    case redis::reply::kind::integer:
        out += ':' + std::to_string(r.integer) + "\r\n";
        break;
    case redis::reply::kind::nil:
        out += "$-1\r\n";
        break;
    case redis::reply::kind::array:
        out += '*' + std::to_string(r.elements.size()) + "\r\n";
        for (const auto& e : r.elements)
            write_resp(e, out);
        break;
    }
}

struct outcome {
    std::vector<redis::reply> replies;
    bool failed = false;
};

// Feeds `bytes` to one reader, in reads cut at `cuts`.
outcome read_all(std::string_view bytes, const std::vector<std::size_t>& cuts)
{
    redis::detail::resp_reader reader;
    outcome out;
    std::size_t from = 0;
    for (std::size_t i = 0; i <= cuts.size() && !out.failed; ++i) {
        const std::size_t to = i < cuts.size() ? cuts[i] : bytes.size();
        const auto ec = reader.parse(bytes.substr(from, to - from), [&](redis::detail::raw_reply r) {
            out.replies.push_back(redis::detail::to_reply(*r));
            return true;
        });
        from = to;
        if (ec) {
            check(!reader.error_text().empty(), "a failure says why");
            out.failed = true;
        }
    }
    return out;
}

// Whether some `*` is followed by a count above `bytes.size()` (see above).
bool announces_a_huge_array(std::string_view bytes)
{
    for (std::size_t at = bytes.find('*'); at != std::string_view::npos; at = bytes.find('*', at + 1)) {
        std::size_t count = 0;
        for (std::size_t i = at + 1; i < bytes.size() && bytes[i] >= '0' && bytes[i] <= '9'; ++i) {
            count = count * 10 + static_cast<std::size_t>(bytes[i] - '0');
            if (count > bytes.size())
                return true;
        }
    }
    return false;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto bytes = corio_fuzz::as_text(data, size);
    if (announces_a_huge_array(bytes))
        return 0;
    const auto whole = read_all(bytes, {});
    const auto pieces = read_all(bytes, corio_fuzz::cut_points(bytes, 5));
    check(pieces.failed == whole.failed, "small reads fail where one read does");
    // A reply completed before the failing byte may or may not be handed
    // over, depending on where the read that holds both ends; before any
    // failure the replies are the same.
    if (!whole.failed) {
        check(pieces.replies.size() == whole.replies.size(), "small reads give as many replies");
        for (std::size_t i = 0; i < whole.replies.size(); ++i)
            check(pieces.replies[i] == whole.replies[i], "small reads give the same replies");
    }
    for (const auto& r : whole.replies) {
        std::string resp;
        write_resp(r, resp);
        const auto back = read_all(resp, {});
        check(!back.failed && back.replies.size() == 1 && back.replies[0] == r, "a reply written back reads back");
    }
    return 0;
}
