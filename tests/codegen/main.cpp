// The one translation unit that defines the test runner's main().
#define BOOST_TEST_MODULE corio_codegen
#include <boost/test/unit_test.hpp>
