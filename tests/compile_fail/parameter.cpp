// A handler parameter of a struct nobody described.
// expect: static assertion failed: corio: a handler parameter type does not convert from JSON
// expect: BOOST_DESCRIBE_STRUCT
// expect: tag_invoke\(boost::json::value_to_tag<T>
// expect: converts_from_json<move_request>' evaluates to false
// expect: compile_fail/parameter.cpp:[0-9]+:[0-9]+:   required from here

#include <corio/nsp.hpp>

#include <boost/describe/class.hpp>

#include <string>

struct move_request {
    int column = 0;
    std::string player;
};
#ifdef CORIO_COMPILE_FAIL_CONTROL
BOOST_DESCRIBE_STRUCT(move_request, (), (column, player))
#endif

void setup(corio::nsp& game)
{
    game.on("play", [](corio::context&, move_request move) { return move.column; });
}
