// The one translation unit that defines the test runner's main().
#define BOOST_TEST_MODULE corio_redis
#include <boost/test/unit_test.hpp>
