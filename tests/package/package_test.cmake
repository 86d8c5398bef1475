# One step of the package tests (tests/package/CMakeLists.txt), run with
# `cmake -DSTEP=... -P`. Every command must succeed; the first that fails
# fails the test, with its output.
#
#   STEP=install        cmake --install BUILD_DIR into PREFIX (emptied first)
#   STEP=deb            CPACK -G DEB in BUILD_DIR into WORK (cpack first
#                       brings BUILD_DIR up to date: it is built already),
#                       check the package's control fields (libhiredis-dev
#                       too WITH_REDIS), dpkg-deb -x it into PREFIX
#   STEP=consumer       configure, build and run CONSUMER_SOURCE in WORK: with
#                       FETCH_SOURCE through FetchContent, otherwise
#                       find_package with CMAKE_PREFIX_PATH=PREFIX (and corio
#                       must be found there); compiled by CXX with OPT_FLAGS,
#                       linking corio::redis too WITH_REDIS, with
#                       EXTRA_SOURCES, on one core; and generate its
#                       .d.ts with corio_generate_typescript and its
#                       AsyncAPI document with corio_generate_asyncapi
#   STEP=pkg_config     compile CONSUMER_SOURCE/main.cpp with the flags
#                       pkg-config gives for PREFIX's corio.pc (corio-redis.pc
#                       WITH_REDIS), and run it

# run(COMMAND <command>... [TIMEOUT <seconds>]): runs it, fails with its
# output unless it exits 0, and leaves that output in run_output.
function(run)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "TIMEOUT" "COMMAND")
  string(JOIN " " shown ${arg_COMMAND})
  message(STATUS "package_test: ${shown}")
  set(timeout)
  if(arg_TIMEOUT)
    set(timeout TIMEOUT ${arg_TIMEOUT})
  endif()
  execute_process(COMMAND ${arg_COMMAND} ${timeout} RESULT_VARIABLE result
                  OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "package_test: failed (${result}): ${shown}\n${output}")
  endif()
  set(run_output "${output}" PARENT_SCOPE)
endfunction()

if(STEP STREQUAL "install")
  file(REMOVE_RECURSE ${PREFIX})
  run(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX})

elseif(STEP STREQUAL "deb")
  file(REMOVE_RECURSE ${WORK} ${PREFIX})
  run(COMMAND ${CPACK} -G DEB --config ${BUILD_DIR}/CPackConfig.cmake -B ${WORK})
  file(GLOB debs ${WORK}/*.deb)
  list(LENGTH debs count)
  if(NOT count EQUAL 1)
    message(FATAL_ERROR "package_test: cpack made ${count} .deb files in ${WORK}: ${debs}")
  endif()
  run(COMMAND dpkg-deb --field ${debs} Package Version Depends)
  set(fields "Package: libcorio-dev" "Version: ${VERSION}" libboost-json1.81-dev libboost-url1.81-dev)
  if(WITH_REDIS)
    list(APPEND fields libhiredis-dev)
  endif()
  foreach(field IN LISTS fields)
    string(FIND "${run_output}" "${field}" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "package_test: the control fields of ${debs} lack \"${field}\":\n${run_output}")
    endif()
  endforeach()
  run(COMMAND dpkg-deb -x ${debs} ${PREFIX})

elseif(STEP STREQUAL "consumer")
  file(REMOVE_RECURSE ${WORK})
  set(configure ${CMAKE_COMMAND} -S ${CONSUMER_SOURCE} -B ${WORK} -G ${GENERATOR}
      -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE= -DCMAKE_CXX_FLAGS=${OPT_FLAGS}
      -DCORIO_CONSUMER_WITH_REDIS=${WITH_REDIS} -DCORIO_CONSUMER_EXTRA_SOURCES=${EXTRA_SOURCES})
  if(FETCH_SOURCE)
    # Corio's libraries build from source here: as a unity build, as scripts/build builds them,
    # which takes half the time and checks that their sources build that way for users too.
    list(APPEND configure -DCORIO_CONSUMER_FETCH_SOURCE=${FETCH_SOURCE} -DCMAKE_UNITY_BUILD=ON)
  else()
    list(APPEND configure -DCMAKE_PREFIX_PATH=${PREFIX})
  endif()
  run(COMMAND ${configure})
  if(NOT FETCH_SOURCE)
    # Found in PREFIX, not in some other installed copy.
    file(STRINGS ${WORK}/CMakeCache.txt found REGEX "^corio_DIR:")
    string(FIND "${found}" "=${PREFIX}/" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "package_test: corio was not found under ${PREFIX}: ${found}")
    endif()
  endif()
  run(COMMAND ${CMAKE_COMMAND} --build ${WORK} --target corio_consumer --parallel 1)
  run(COMMAND ${WORK}/corio_consumer TIMEOUT 60)
  message(STATUS "${run_output}")
  # corio_generate_typescript, as users call it.
  run(COMMAND ${CMAKE_COMMAND} --build ${WORK} --target corio_consumer_contract_typescript --parallel 1)
  file(READ ${WORK}/corio_consumer.d.ts declarations)
  string(FIND "${declarations}" "ping: (text: string, callback: (ack: string) => void) => void;" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "package_test: ${WORK}/corio_consumer.d.ts lacks the ping event:\n${declarations}")
  endif()
  # corio_generate_asyncapi likewise.
  run(COMMAND ${CMAKE_COMMAND} --build ${WORK} --target corio_consumer_contract_asyncapi --parallel 1)
  file(READ ${WORK}/corio_consumer.asyncapi.json document)
  string(FIND "${document}" "\"$ref\": \"#/channels/root/messages/ping_ack\"" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "package_test: ${WORK}/corio_consumer.asyncapi.json lacks ping's reply:\n${document}")
  endif()

elseif(STEP STREQUAL "pkg_config")
  file(REMOVE_RECURSE ${WORK})
  file(MAKE_DIRECTORY ${WORK})
  set(packages corio)
  set(defines)
  if(WITH_REDIS)
    set(packages corio-redis)
    set(defines -DCORIO_CONSUMER_WITH_REDIS)
  endif()
  run(COMMAND ${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${PREFIX}/${LIBDIR}/pkgconfig
              pkg-config --cflags --libs ${packages})
  separate_arguments(flags UNIX_COMMAND "${run_output}")
  run(COMMAND ${CXX} -std=c++20 ${OPT_FLAGS} ${defines} ${CONSUMER_SOURCE}/main.cpp
              ${flags} -o ${WORK}/corio_consumer)
  run(COMMAND ${WORK}/corio_consumer TIMEOUT 60)
  message(STATUS "${run_output}")

else()
  message(FATAL_ERROR "package_test: unknown STEP \"${STEP}\"")
endif()
