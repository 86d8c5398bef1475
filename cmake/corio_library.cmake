# corio_library(<target> <export name>): what every Corio library carries to
# its users, in this tree, through FetchContent and once installed: C++20 (so
# users need not set CMAKE_CXX_STANDARD) and the public headers, from the
# source tree or from the install prefix. Its users link it as
# corio::<export name> in every case (the ALIAS beside each add_library, the
# export's namespace once installed). The warnings stay private: they apply
# to the library's own sources, and never reach an installed target.
include(GNUInstallDirs)

function(corio_library target export_name)
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${export_name})
  target_compile_features(${target} PUBLIC cxx_std_20)
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_link_libraries(${target} PRIVATE $<BUILD_INTERFACE:corio_warnings>)
endfunction()
