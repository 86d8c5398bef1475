# Type-checks the game's front end: runs tsc on the tsconfig that apps/game/CMakeLists.txt
# generates (web/app.js against the events.d.ts generated from play/contract.hpp).
#   cmake -DTSC=<tsc> -DPROJECT=<tsconfig.json> -DWORKING_DIRECTORY=<apps/game> [-DSTAMP=<file>]
#         -DHINT=<sentence> -P typecheck.cmake
# Fails with tsc's errors; touches STAMP when the check passes (for the build's custom command).
if(NOT EXISTS "${TSC}")
  message(FATAL_ERROR "tsc not found at ${TSC}: ${HINT}")
endif()
# tsc prints its errors itself, with paths relative to WORKING_DIRECTORY (apps/game).
execute_process(COMMAND "${TSC}" -p "${PROJECT}" --pretty false
  WORKING_DIRECTORY "${WORKING_DIRECTORY}"
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "The game's front end does not match its contract: tsc -p ${PROJECT} failed (above)")
endif()
if(STAMP)
  file(TOUCH "${STAMP}")
endif()
