// Emitting a struct nobody described to one socket.
// expect: static assertion failed: corio: an emitted argument type does not convert to JSON
// expect: tag_invoke\(boost::json::value_from_tag
// expect: converts_to_json<score>' evaluates to false
// expect: corio::socket_ref::emit

#include <corio/socket_ref.hpp>

#include <boost/describe/class.hpp>

struct score {
    int points = 0;
};
#ifdef CORIO_COMPILE_FAIL_CONTROL
BOOST_DESCRIBE_STRUCT(score, (), (points))
#endif

void tell(const corio::socket_ref& player)
{
    player.emit("score", "ada", score{3});
}
