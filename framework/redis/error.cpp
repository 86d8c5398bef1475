#include <corio/redis/error.hpp>

#include <string>

namespace corio::redis {

namespace {

class redis_error_category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "corio.redis"; }

    std::string message(int ev) const override
    {
        switch (static_cast<error>(ev)) {
        case error::invalid_url: return "not a redis:// or unix:// URL this client understands";
        case error::not_connected: return "not connected to Redis, and the queue kept meanwhile is full";
        case error::connection_lost: return "the connection to Redis was lost after the command was sent";
        case error::protocol_error: return "Redis sent bytes that are not RESP";
        case error::closed: return "the Redis connection was closed";
        }
        return "unknown Redis client error";
    }
};

} // namespace

const boost::system::error_category& redis_category() noexcept
{
    static const redis_error_category category;
    return category;
}

boost::system::error_code make_error_code(error e) noexcept
{
    return {static_cast<int>(e), redis_category()};
}

} // namespace corio::redis
