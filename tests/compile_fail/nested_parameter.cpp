// A described struct whose member is a struct nobody described, in a vector: the message names
// the innermost type, the one to describe.
// expect: static assertion failed: corio: a handler parameter type does not convert from JSON
// expect: converts_from_json<seat>' evaluates to false

#include <corio/dsl.hpp>

#include <boost/describe/class.hpp>

#include <optional>
#include <string>
#include <vector>

struct seat {
    std::string id;
};
#ifdef CORIO_COMPILE_FAIL_CONTROL
BOOST_DESCRIBE_STRUCT(seat, (), (id))
#endif

struct table {
    std::string name;
    std::optional<std::vector<seat>> seats;
};
BOOST_DESCRIBE_STRUCT(table, (), (name, seats))

void setup(corio::nsp& lobby)
{
    CORIO_ON(lobby, "open")([](corio::context&, table t) { return t.name; });
}
