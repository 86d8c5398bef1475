#include "resp_reader.hpp"

#include <corio/redis/error.hpp>

#include <new>

namespace corio::redis::detail {

namespace {

redisReader* create_reader()
{
    redisReader* r = redisReaderCreate();
    if (!r)
        throw std::bad_alloc();
    return r;
}

} // namespace

resp_reader::resp_reader() : reader_(create_reader()) {}

resp_reader::~resp_reader()
{
    redisReaderFree(reader_);
}

void resp_reader::reset()
{
    redisReader* fresh = create_reader();
    redisReaderFree(reader_);
    reader_ = fresh;
}

boost::system::error_code resp_reader::feed(std::string_view bytes)
{
    if (redisReaderFeed(reader_, bytes.data(), bytes.size()) != REDIS_OK)
        return error::protocol_error;
    return {};
}

boost::system::error_code resp_reader::next(raw_reply& out)
{
    void* r = nullptr;
    if (redisReaderGetReply(reader_, &r) != REDIS_OK)
        return error::protocol_error;
    out.reset(static_cast<redisReply*>(r));
    return {};
}

std::string resp_reader::error_text() const
{
    if (reader_->err == 0)
        return {};
    return reader_->errstr;
}

reply to_reply(const redisReply& r)
{
    reply out;
    switch (r.type) {
    case REDIS_REPLY_STRING:
        out.type = reply::kind::string;
        out.str.assign(r.str, r.len);
        break;
    case REDIS_REPLY_STATUS:
        out.type = reply::kind::status;
        out.str.assign(r.str, r.len);
        break;
    case REDIS_REPLY_ERROR:
        out.type = reply::kind::error;
        out.str.assign(r.str, r.len);
        break;
    case REDIS_REPLY_INTEGER:
        out.type = reply::kind::integer;
        out.integer = r.integer;
        break;
    case REDIS_REPLY_ARRAY:
        // hiredis bounds the nesting (7 levels), so this recursion is bounded.
        out.type = reply::kind::array;
        out.elements.reserve(r.elements);
        for (std::size_t i = 0; i < r.elements; ++i)
            out.elements.push_back(to_reply(*r.element[i]));
        break;
    default: out.type = reply::kind::nil; break;
    }
    return out;
}

} // namespace corio::redis::detail
