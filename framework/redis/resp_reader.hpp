#pragma once
// Reading RESP2 replies with hiredis's reader: bytes in, complete replies out.

#include <corio/redis/reply.hpp>

#include <boost/system/error_code.hpp>

#include <hiredis/hiredis.h>

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>

namespace corio::redis::detail {

struct reply_deleter {
    void operator()(redisReply* r) const noexcept { freeReplyObject(r); }
};
/// A reply as hiredis builds it (strings are malloc'd; `str`/`len` are the
/// bytes of a string, status or error).
using raw_reply = std::unique_ptr<redisReply, reply_deleter>;

/// One connection's RESP parser. Not thread-safe: used on the owner's strand.
class resp_reader {
public:
    /// Throws std::bad_alloc when hiredis cannot allocate its reader.
    resp_reader();
    ~resp_reader();
    resp_reader(const resp_reader&) = delete;
    resp_reader& operator=(const resp_reader&) = delete;

    /// Forgets everything fed so far (for a new connection).
    void reset();

    /// Feeds `bytes` and hands every reply completed by them, in order, to
    /// `on_reply(raw_reply)`, which returns false to stop at once (the
    /// bytes not parsed yet are then dropped: the caller resets before the
    /// next use). Fails with error::protocol_error when the bytes are not
    /// RESP (the reader then needs reset()); error_text() says why.
    template <class OnReply>
    boost::system::error_code parse(std::string_view bytes, OnReply&& on_reply)
    {
        // hiredis compacts its buffer (moving what is left) each time a
        // reply completes after 1 KiB was consumed; feeding small slices
        // bounds that work by the slice, not by the whole read.
        while (!bytes.empty()) {
            auto slice = bytes.substr(0, std::min(bytes.size(), slice_size));
            bytes.remove_prefix(slice.size());
            if (auto ec = feed(slice))
                return ec;
            for (;;) {
                raw_reply r;
                if (auto ec = next(r))
                    return ec;
                if (!r)
                    break;
                if (!on_reply(std::move(r)))
                    return {};
            }
        }
        return {};
    }

    /// Why the last parse failed.
    std::string error_text() const;

private:
    static constexpr std::size_t slice_size = 4096;

    boost::system::error_code feed(std::string_view bytes);
    boost::system::error_code next(raw_reply& out);

    redisReader* reader_ = nullptr;
};

/// A copy of `r` as the public reply type.
reply to_reply(const redisReply& r);

} // namespace corio::redis::detail
