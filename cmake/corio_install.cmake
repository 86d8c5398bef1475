# `cmake --install`: the public headers, the static libraries, the exported
# targets (corio::protocol, ::engine, ::socketio, ::testing, ::redis,
# ::codegen and the object library ::codegen_main) with their package config,
# version file and cmake/corio_codegen.cmake, and pkg-config files. Private
# headers stay in framework/: no public header includes one
# (tests/package checks every installed header compiles from the install
# tree alone).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(corio_install_targets corio_protocol corio_engine corio_socketio corio_testing corio_codegen corio_codegen_main)
set(corio_exclude_headers)
set(corio_package_with_redis OFF) # read by corio-config.cmake.in
if(TARGET corio_redis)
  list(APPEND corio_install_targets corio_redis)
  set(corio_package_with_redis ON)
else()
  set(corio_exclude_headers PATTERN redis EXCLUDE)
endif()

install(TARGETS ${corio_install_targets} EXPORT corio_targets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  OBJECTS DESTINATION ${CMAKE_INSTALL_LIBDIR}/corio)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/corio
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.hpp" ${corio_exclude_headers})

set(corio_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/corio)
install(EXPORT corio_targets
  NAMESPACE corio::
  FILE corio-targets.cmake
  DESTINATION ${corio_cmake_dir})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/corio-config.cmake.in
  ${PROJECT_BINARY_DIR}/corio-config.cmake
  INSTALL_DESTINATION ${corio_cmake_dir})
# 0.x: a minor version may break the API, so 0.1 accepts 0.1.y only.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/corio-config-version.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/corio-config.cmake
  ${PROJECT_BINARY_DIR}/corio-config-version.cmake
  ${PROJECT_SOURCE_DIR}/cmake/corio_codegen.cmake
  DESTINATION ${corio_cmake_dir})

# The .pc files name their prefix relative to themselves (${pcfiledir}), so
# an installed tree, or a .deb unpacked anywhere, can be moved.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  message(FATAL_ERROR "corio: CMAKE_INSTALL_LIBDIR must be relative to the prefix, not ${CMAKE_INSTALL_LIBDIR}")
endif()
file(RELATIVE_PATH corio_pc_to_prefix /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
string(REGEX REPLACE "/$" "" corio_pc_to_prefix "${corio_pc_to_prefix}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/corio.pc.in ${PROJECT_BINARY_DIR}/corio.pc @ONLY)
set(corio_pc_files ${PROJECT_BINARY_DIR}/corio.pc)
if(TARGET corio_redis)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/corio-redis.pc.in ${PROJECT_BINARY_DIR}/corio-redis.pc @ONLY)
  list(APPEND corio_pc_files ${PROJECT_BINARY_DIR}/corio-redis.pc)
endif()
install(FILES ${corio_pc_files} DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
