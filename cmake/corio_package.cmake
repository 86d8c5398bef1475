# `cpack -G DEB` in the build tree: libcorio-dev, the tree `cmake --install`
# makes, under /usr. The libraries are static, so the package is the
# development one, and it depends on what the users of the installed
# targets compile and link against (the package config finds them).
set(CPACK_PACKAGE_NAME libcorio-dev)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Socket.IO v5 / Engine.IO v4 server framework for C++20")
# One string (several arguments would make a list, joined with ';').
set(CPACK_PACKAGE_DESCRIPTION "\
Corio serves the Socket.IO and Engine.IO protocols of the official JavaScript and Python
clients, on Boost.Asio coroutines, Boost.Beast and Boost.JSON. This package holds the
headers, the static libraries, the CMake package (find_package(corio)) and pkg-config files.")
# The Maintainer field; a packager sets their own with -DCPACK_PACKAGE_CONTACT=...
if(NOT CPACK_PACKAGE_CONTACT)
  set(CPACK_PACKAGE_CONTACT "Corio maintainers <maintainers@corio.invalid>")
endif()
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
# Boost by its versioned names: the unversioned libboost-dev is 1.74 on bookworm.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libboost1.81-dev, libboost-json1.81-dev, libboost-url1.81-dev, libssl-dev, libcrypt-dev, zlib1g-dev")
if(TARGET corio_redis)
  string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS ", libhiredis-dev, pkg-config | pkgconf")
endif()
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "cmake (>= 3.25), g++ (>= 4:12)")
include(CPack)
