// A coroutine handler whose result (the ack) is a struct nobody described.
// expect: static assertion failed: corio: a handler's result type does not convert to JSON
// expect: tag_invoke\(boost::json::value_from_tag
// expect: converts_to_json<score>' evaluates to false

#include <corio/nsp.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/describe/class.hpp>

struct score {
    int points = 0;
};
#ifdef CORIO_COMPILE_FAIL_CONTROL
BOOST_DESCRIBE_STRUCT(score, (), (points))
#endif

void setup(corio::nsp& game)
{
    game.on("score", [](corio::context&) -> boost::asio::awaitable<score> { co_return score{3}; });
}
