// The one translation unit that defines the test runner's main().
#define BOOST_TEST_MODULE corio_game
#include <boost/test/unit_test.hpp>
