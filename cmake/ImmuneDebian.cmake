# The Debian package: `make package` (cpack -G DEB in the build directory)
# makes build/immune_<version>_<arch>.deb from the install rules, with
# prefix /usr, for `apt-get install ./immune_*.deb`.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME immune)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "The Immune authors")
set(CPACK_PACKAGE_CONTACT "The Immune authors")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "self-healing C and C++ functions: clang ${IMMUNE_LLVM_MAJOR} pass plugin and runtime")
set(CPACK_PACKAGE_DESCRIPTION
  "Immune turns selected C and C++ functions into transactions: a fault inside\n\
one (NULL dereference, division by zero, stack overflow, a buffer overflow\n\
into a guard page) makes the function return an error value, and the\n\
process carries on. Contains the pass plugin for clang ${IMMUNE_LLVM_MAJOR}, the runtime\n\
(static and shared), the header, the compiler wrappers immune-cc and\n\
immune-c++, immune-symbolize, a CMake package (find_package(Immune),\n\
immune_enable), a CMake toolchain file and a pkg-config file.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The plugin only loads into clang ${IMMUNE_LLVM_MAJOR}, and the wrappers call it.
# dpkg-shlibdeps adds the C and C++ libraries the plugin and the shared
# runtime are linked against (libc6, libstdc++6, libgcc-s1).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "clang-${IMMUNE_LLVM_MAJOR}")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# immune-symbolize is Python and runs llvm-symbolizer-${IMMUNE_LLVM_MAJOR}.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "python3, llvm-${IMMUNE_LLVM_MAJOR}, pkg-config")
# The runtime's shared library is unversioned: no shlibs file to offer.
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
include(CPack)
