// A connect handler whose auth type nobody described.
// expect: static assertion failed: corio: a handler parameter type does not convert from JSON
// expect: converts_from_json<credentials>' evaluates to false

#include <corio/nsp.hpp>

#include <boost/describe/class.hpp>

#include <string>

struct credentials {
    std::string token;
};
#ifdef CORIO_COMPILE_FAIL_CONTROL
BOOST_DESCRIBE_STRUCT(credentials, (), (token))
#endif

void setup(corio::nsp& ns)
{
    ns.on_connect([](corio::context&, credentials auth) { return auth.token == "open sesame"; });
}
