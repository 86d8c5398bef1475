# Read by ctest each time it lists its tests (through TEST_INCLUDE_FILES, see
# corio_sanitizer_trees.cmake): one test <prefix>_<name> for each test <name>
# of each sanitizer tree, run by tests/sanitized_test.sh.
#
# In:  corio_sanitizer_trees  prefix;tree;prefix;tree...
#      corio_ctest            the ctest executable
#      corio_sanitized_test   the runner
while(corio_sanitizer_trees)
  list(POP_FRONT corio_sanitizer_trees prefix tree)
  execute_process(COMMAND "${corio_ctest}" --test-dir "${tree}" --show-only=json-v1
                  OUTPUT_VARIABLE json RESULT_VARIABLE status ERROR_QUIET)
  set(count 0)
  if(status EQUAL 0)
    string(JSON count ERROR_VARIABLE error LENGTH "${json}" tests)
  endif()
  if(NOT count GREATER 0)
    # A tree that was not built fails in the summary (the runner says why) rather than
    # vanishing from it.
    add_test(${prefix}_tree "${corio_sanitized_test}" "${corio_ctest}" "${tree}" "")
    continue()
  endif()
  math(EXPR last "${count} - 1")
  foreach(i RANGE ${last})
    string(JSON name GET "${json}" tests ${i} name)
    # The runner's own ctest enforces the test's TIMEOUT (this one only backs it up) and
    # the rest of its properties; what schedules it among this tree's tests is copied.
    set(timeout 300)
    set(scheduling)
    string(JSON properties ERROR_VARIABLE error GET "${json}" tests ${i} properties)
    if(NOT error)
      string(JSON nprops LENGTH "${properties}")
      math(EXPR plast "${nprops} - 1")
      foreach(p RANGE ${plast})
        string(JSON pname GET "${properties}" ${p} name)
        string(JSON pvalue GET "${properties}" ${p} value)
        if(pname STREQUAL "TIMEOUT")
          # Seconds, written as a real number ("120.0").
          string(REGEX REPLACE "\\..*$" "" timeout "${pvalue}")
        elseif(pname MATCHES "^(RUN_SERIAL|PROCESSORS)$")
          list(APPEND scheduling ${pname} ${pvalue})
        elseif(pname STREQUAL "RESOURCE_LOCK")
          # A JSON array of names.
          string(JSON nlocks LENGTH "${pvalue}")
          math(EXPR llast "${nlocks} - 1")
          set(locks)
          foreach(l RANGE ${llast})
            string(JSON lock GET "${pvalue}" ${l})
            list(APPEND locks ${lock})
          endforeach()
          list(APPEND scheduling RESOURCE_LOCK "${locks}")
        endif()
      endforeach()
    endif()
    math(EXPR timeout "${timeout} + 60")
    add_test(${prefix}_${name} "${corio_sanitized_test}" "${corio_ctest}" "${tree}" "${name}")
    set_tests_properties(${prefix}_${name} PROPERTIES TIMEOUT ${timeout} LABELS ${prefix} ${scheduling})
  endforeach()
endwhile()
