# This tree's ctest also runs the tests of the sanitizer trees beside it
# (CORIO_ASAN_DIR, CORIO_TSAN_DIR, set by scripts/build), as asan_<test> and
# tsan_<test>, so that one CTest summary counts them all. Which tests a tree has
# is read when ctest runs (corio_sanitized_tests.cmake), not now: scripts/build
# configures those trees after this one.
set(corio_sanitizer_trees)
if(CORIO_ASAN_DIR)
  list(APPEND corio_sanitizer_trees asan "${CORIO_ASAN_DIR}")
endif()
if(CORIO_TSAN_DIR)
  list(APPEND corio_sanitizer_trees tsan "${CORIO_TSAN_DIR}")
endif()
if(corio_sanitizer_trees)
  file(WRITE ${PROJECT_BINARY_DIR}/corio_sanitizer_tests.cmake
    "set(corio_sanitizer_trees \"${corio_sanitizer_trees}\")\n"
    "set(corio_ctest \"${CMAKE_CTEST_COMMAND}\")\n"
    "set(corio_sanitized_test \"${PROJECT_SOURCE_DIR}/tests/sanitized_test.sh\")\n"
    "include(\"${CMAKE_CURRENT_LIST_DIR}/corio_sanitized_tests.cmake\")\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${PROJECT_BINARY_DIR}/corio_sanitizer_tests.cmake)
endif()
