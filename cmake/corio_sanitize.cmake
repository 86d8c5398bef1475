# A sanitizer tree (CORIO_SANITIZE, with clang-14; scripts/build makes build-asan and
# build-tsan): every translation unit of the libraries, apps and tests instrumented, so
# that the tests find memory errors, undefined behaviour, leaks or data races. See
# docs/sanitizers.md.
#
#   address  ASan + UBSan, leak detection included (LeakSanitizer is on by default
#            with ASan on Linux)
#   thread   TSan
#
# Debian's Boost.JSON, Boost.URL and Boost.Test stay uninstrumented shared
# libraries: ASan still sees every heap block they allocate (malloc is
# intercepted), and they share no state between threads that TSan would need to
# see.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "CORIO_SANITIZE needs Clang, e.g. CC=clang-14 CXX=clang++-14")
endif()

if(CORIO_SANITIZE STREQUAL "address")
  # -fsanitize=function (part of undefined) makes clang 14's backend fail on
  # coroutines ("Cannot represent a difference across sections", LLVM #49689).
  #
  # -fsanitize=vptr (also part of undefined) checks a virtual call's object once per type, and
  # its first check of a type reads memory through a new pipe: out of file descriptors
  # (accept_limit_test's server, by design) that fails, and clang 14's runtime reports the valid
  # object as one of the wrong type.
  set(corio_sanitizers -fsanitize=address,undefined -fno-sanitize=function,vptr -fno-sanitize-recover=undefined)
elseif(CORIO_SANITIZE STREQUAL "thread")
  set(corio_sanitizers -fsanitize=thread)
  # Asio's reference counts (detail::ref_count_down) end with a release
  # decrement and an acquire std::atomic_thread_fence, which TSan does not model
  # (google/sanitizers#1352): when the last copy of a type-erased strand
  # executor dies on another thread than an earlier copy, TSan reports the
  # delete as a race (chriskohlhoff/asio#1760). Without std::atomic, Asio counts
  # with Boost's atomic_count, an acq_rel read-modify-write that TSan does
  # model, so it keeps seeing real races there. tests/sanitizer checks it.
  add_compile_definitions(BOOST_ASIO_DISABLE_STD_ATOMIC)
else()
  message(FATAL_ERROR "CORIO_SANITIZE is '${CORIO_SANITIZE}': use address or thread")
endif()

# Whatever the build type: assertions on, -O1 (fast enough for the e2e tests'
# timeouts, quick to build), and line tables only (enough for the sanitizers'
# stack traces, much quicker to build and link than full debug information).
string(TOUPPER "${CMAKE_BUILD_TYPE}" corio_build_type)
set(CMAKE_CXX_FLAGS_${corio_build_type} "-O1 -gline-tables-only")
add_compile_options(${corio_sanitizers} -fno-omit-frame-pointer)
add_link_options(${corio_sanitizers})

include(corio_unity_build)

# What runs under the sanitizer is the code: the build-only checks (the
# installed package, each header on its own, the compile-fail messages) and the
# benchmarks stay in the plain tree. (Plain variables: they take precedence over
# the options of the same names.)
set(CORIO_BUILD_BENCH OFF)
set(CORIO_INSTALL OFF)

# Instrumented builds are slow, and CI's budget is tight: by default a tree has
# the tests of the multi-threaded server, the engine's and Socket.IO's unit tests
# (in the TSan tree only those that run more than one thread) and the e2e tests
# with the apps they drive (the conformance app, with the Redis adapter for the
# cluster tests); the ASan tree has the fuzz targets (tests/fuzz) as well.
# CORIO_SANITIZE_ALL_TESTS adds the rest: the protocol, Redis client and game
# tests, the one-thread unit tests under TSan, the game and the examples.
option(CORIO_SANITIZE_ALL_TESTS "In a sanitizer tree, build and run every test, not only the engine, Socket.IO and e2e ones" OFF)
set(corio_sanitize_subset OFF)
set(corio_threaded_tests_only OFF)
if(NOT CORIO_SANITIZE_ALL_TESTS)
  set(corio_sanitize_subset ON)
  set(CORIO_BUILD_EXAMPLES OFF)
  if(CORIO_SANITIZE STREQUAL "thread")
    set(corio_threaded_tests_only ON)
  endif()
endif()
