// Boost.JSON and Boost.URL compiled into the CORIO_FUZZ tree (see corio_fuzz.cmake).
#include <boost/json/src.hpp>
#include <boost/url/src.hpp>
