// Broadcasting a struct nobody described to a room.
// expect: static assertion failed: corio: an emitted argument type does not convert to JSON
// expect: converts_to_json<score>' evaluates to false
// expect: corio::broadcast_operator::emit

#include <corio/server.hpp>

#include <boost/describe/class.hpp>

struct score {
    int points = 0;
};
#ifdef CORIO_COMPILE_FAIL_CONTROL
BOOST_DESCRIBE_STRUCT(score, (), (points))
#endif

void announce(corio::server& io)
{
    io.of("/").to("table").emit("score", score{3});
}
