# Generated files from event contracts (corio/contract.hpp), at build time.
#
#   corio_generate_typescript(<target> OUTPUT <file.d.ts>)
#   corio_generate_asyncapi(<target> OUTPUT <file.json> [TITLE <title>] [VERSION <version>]
#                           [DESCRIPTION <text>] [SERVER <url>])
#
# <target> is an OBJECT or STATIC library whose sources export contracts with
# CORIO_EXPORT_CONTRACT (corio/contract_export.hpp). A small generator executable,
# <target>_generator, is built from it (a static library linked whole, so that its
# registrations are kept) and writes OUTPUT (relative: to the current binary directory)
# whenever the library changes. The custom target <target>_typescript (<target>_asyncapi), in
# ALL, builds it. The AsyncAPI 3.0.0 document's info.title defaults to <target>, its
# info.version to the calling project's version (0.0.0 without one); SERVER is the URL its
# clients connect to, e.g. https://example.com/socket.io/ (corio/codegen/asyncapi.hpp).
# In Corio's tree and in an installed package alike (corio-config.cmake includes this file).

# The generator of <target>'s contracts, made once per target; its name in `out_var`.
function(corio_codegen_generator target out_var)
  set(generator ${target}_generator)
  if(NOT TARGET ${generator})
    if(NOT TARGET ${target})
      message(FATAL_ERROR "corio codegen: ${target} is not a target")
    endif()
    get_target_property(type ${target} TYPE)
    add_executable(${generator})
    if(type STREQUAL "OBJECT_LIBRARY")
      # Linking an object library links its objects.
      target_link_libraries(${generator} PRIVATE ${target})
    elseif(type STREQUAL "STATIC_LIBRARY")
      target_link_libraries(${generator} PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,${target}>")
    else()
      message(FATAL_ERROR "corio codegen: ${target} must be an OBJECT or STATIC library, not ${type}")
    endif()
    target_link_libraries(${generator} PRIVATE corio::codegen_main corio::codegen)
  endif()
  set(${out_var} ${generator} PARENT_SCOPE)
endfunction()

# Runs the generator of <target> with `option` to write OUTPUT; the custom target
# <target>_<kind> builds it.
function(corio_codegen_output target kind option output)
  corio_codegen_generator(${target} generator)
  cmake_path(ABSOLUTE_PATH output BASE_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR} NORMALIZE)
  add_custom_command(OUTPUT ${output}
    COMMAND ${generator} --source ${target} ${option} ${output} ${ARGN}
    DEPENDS ${generator}
    COMMENT "Generating ${output} from the contracts of ${target}"
    VERBATIM)
  add_custom_target(${target}_${kind} ALL DEPENDS ${output})
endfunction()

function(corio_generate_typescript target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "OUTPUT" "")
  if(NOT arg_OUTPUT OR arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "usage: corio_generate_typescript(<target> OUTPUT <file.d.ts>)")
  endif()
  corio_codegen_output(${target} typescript --typescript ${arg_OUTPUT})
endfunction()

function(corio_generate_asyncapi target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "OUTPUT;TITLE;VERSION;DESCRIPTION;SERVER" "")
  if(NOT arg_OUTPUT OR arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "usage: corio_generate_asyncapi(<target> OUTPUT <file.json> [TITLE <title>] "
                        "[VERSION <version>] [DESCRIPTION <text>] [SERVER <url>])")
  endif()
  if(NOT DEFINED arg_TITLE)
    set(arg_TITLE ${target})
  endif()
  if(NOT DEFINED arg_VERSION)
    set(arg_VERSION ${PROJECT_VERSION})
  endif()
  if(arg_VERSION STREQUAL "")
    set(arg_VERSION 0.0.0)
  endif()
  set(info --title "${arg_TITLE}" --version "${arg_VERSION}")
  if(DEFINED arg_DESCRIPTION)
    list(APPEND info --description "${arg_DESCRIPTION}")
  endif()
  if(DEFINED arg_SERVER)
    list(APPEND info --server "${arg_SERVER}")
  endif()
  corio_codegen_output(${target} asyncapi --asyncapi ${arg_OUTPUT} ${info})
endfunction()
