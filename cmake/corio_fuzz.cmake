# The CORIO_FUZZ tree: the libraries the fuzz targets need and tests/fuzz, every
# translation unit with ASan, UBSan and libFuzzer's coverage instrumentation.
# Included by the top-level CMakeLists.txt instead of its usual body.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "CORIO_FUZZ needs Clang (libFuzzer), e.g. CC=clang-14 CXX=clang++-14")
endif()

# Whatever the build type: assertions on (a Boost or Corio assert on wire
# input is a finding), -O1 (libFuzzer's usual trade between speed and build
# time), and line tables only (enough for the sanitizers' stack traces, and
# much quicker to build than full debug information).
string(TOUPPER "${CMAKE_BUILD_TYPE}" corio_build_type)
set(CMAKE_CXX_FLAGS_${corio_build_type} "-O1 -gline-tables-only")
# -fsanitize=function (part of undefined) makes clang 14's backend fail on
# coroutines ("Cannot represent a difference across sections", LLVM #49689).
set(corio_sanitizers -fsanitize=address,undefined -fno-sanitize=function -fno-sanitize-recover=undefined)
add_compile_options(${corio_sanitizers} -fsanitize=fuzzer-no-link -fno-omit-frame-pointer)
add_link_options(${corio_sanitizers})
include(corio_unity_build)

find_package(Boost 1.81.0 EXACT REQUIRED CONFIG)
find_package(Threads REQUIRED)
find_package(OpenSSL 1.1.1 REQUIRED)
find_package(ZLIB REQUIRED)

# Boost.JSON and Boost.URL built from their sources with the same
# instrumentation, instead of Debian's uninstrumented shared libraries, so
# that coverage and ASan reach into them. framework/ links them by these names.
add_library(corio_fuzz_boost STATIC ${CMAKE_CURRENT_LIST_DIR}/corio_fuzz_boost.cpp)
target_link_libraries(corio_fuzz_boost PUBLIC Boost::headers)
target_compile_definitions(corio_fuzz_boost PUBLIC BOOST_JSON_NO_LIB BOOST_URL_NO_LIB)
add_library(Boost::json ALIAS corio_fuzz_boost)
add_library(Boost::url ALIAS corio_fuzz_boost)

# The Redis adapter is not fuzzed whole: the RESP target compiles the reader itself.
set(CORIO_WITH_REDIS OFF)
add_subdirectory(framework)

enable_testing()
add_subdirectory(tests/fuzz)
