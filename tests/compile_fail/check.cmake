# Compiles one snippet of tests/compile_fail and checks that it fails the way it says.
#
#   cmake -DCOMPILER=c++ -DSOURCE=snippet.cpp -DINCLUDES="a|b" -DDEFINES="X|Y" -DMAX_LINES=30
#         -P check.cmake
#
# The snippet's `// expect: REGEX` lines are what the compiler's output must match (each of
# them); the first error must be Corio's static_assert ("static assertion failed: corio:"),
# there must be no other error, and the whole output must stay under MAX_LINES lines: a wall of
# overload candidates fails the test even when the message is somewhere inside it. Compiled
# again with -DCORIO_COMPILE_FAIL_CONTROL (the snippet then fixes its type), it must compile
# cleanly, so that the failure is the one the snippet is about and not a typo.

foreach(var COMPILER SOURCE MAX_LINES)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check.cmake: ${var} is not set")
  endif()
endforeach()

set(flags -std=c++20 -fsyntax-only -Wall -Wextra)
string(REPLACE "|" ";" include_list "${INCLUDES}")
foreach(dir IN LISTS include_list)
  if(dir)
    list(APPEND flags "-I${dir}")
  endif()
endforeach()
string(REPLACE "|" ";" define_list "${DEFINES}")
foreach(def IN LISTS define_list)
  if(def)
    list(APPEND flags "-D${def}")
  endif()
endforeach()

file(STRINGS "${SOURCE}" expect_lines REGEX "^// expect: ")
if(NOT expect_lines)
  message(FATAL_ERROR "${SOURCE}: no `// expect: REGEX` line")
endif()

# The C locale keeps the compiler's quotes plain ASCII.
execute_process(
  COMMAND ${CMAKE_COMMAND} -E env LC_ALL=C ${COMPILER} ${flags} ${SOURCE}
  RESULT_VARIABLE result
  OUTPUT_VARIABLE output
  ERROR_VARIABLE output)

set(problems)
if(result EQUAL 0)
  list(APPEND problems "it compiled, but must not")
endif()
foreach(line IN LISTS expect_lines)
  string(REGEX REPLACE "^// expect: " "" regex "${line}")
  if(NOT output MATCHES "${regex}")
    list(APPEND problems "the output does not match: ${regex}")
  endif()
endforeach()
string(REGEX MATCHALL "[^\n]*error:[^\n]*" errors "${output}")
list(LENGTH errors error_count)
if(NOT error_count EQUAL 1)
  list(APPEND problems "${error_count} errors instead of one")
endif()
if(errors)
  list(GET errors 0 first_error)
  if(NOT first_error MATCHES "static assertion failed: corio:")
    list(APPEND problems "the first error is not Corio's static_assert: ${first_error}")
  endif()
endif()
string(REGEX MATCHALL "\n" newlines "${output}")
list(LENGTH newlines line_count)
if(line_count GREATER MAX_LINES)
  list(APPEND problems "${line_count} lines of compiler output (at most ${MAX_LINES})")
endif()

if(problems)
  list(JOIN problems "\n  - " text)
  message(FATAL_ERROR "${SOURCE}:\n  - ${text}\ncompiler output (${line_count} lines):\n${output}")
endif()

execute_process(
  COMMAND ${CMAKE_COMMAND} -E env LC_ALL=C ${COMPILER} ${flags} -DCORIO_COMPILE_FAIL_CONTROL ${SOURCE}
  RESULT_VARIABLE control_result
  OUTPUT_VARIABLE control_output
  ERROR_VARIABLE control_output)
if(NOT control_result EQUAL 0 OR control_output MATCHES "warning:")
  message(FATAL_ERROR "${SOURCE} with CORIO_COMPILE_FAIL_CONTROL must compile without warnings:\n${control_output}")
endif()
message(STATUS "${SOURCE}: fails as expected (${line_count} lines); its control compiles")
