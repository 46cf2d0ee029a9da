# What other build systems use to find Immune, generated for the build tree
# (which is laid out like a prefix) and for the install tree:
#   lib/cmake/Immune/   the CMake package: find_package(Immune CONFIG),
#                       Immune::runtime, immune_enable() (docs/integration.md)
#   share/immune/immune-toolchain.cmake
#                       protects a whole unmodified CMake project
#   lib/pkgconfig/immune.pc
#                       for Makefiles, Meson and anything else with pkg-config
# Every path in them is relative to the file itself, so the same files work
# after `cmake --install --prefix ANY` and under DESTDIR, as the wrappers do.
include(CMakePackageConfigHelpers)

# immune_package_files(<root> <libdir> <includedir> <bindir> <datadir>)
# writes the three into <root>, laid out as the tree they describe; the
# directories are relative to <root>.
function(immune_package_files root libdir includedir bindir datadir)
  set(cmakedir ${libdir}/cmake/Immune)
  set(toolchaindir ${datadir}/immune)
  set(pcdir ${libdir}/pkgconfig)

  # CMake package: paths relative to PACKAGE_PREFIX_DIR, which
  # configure_package_config_file derives from the file's own location.
  set(IMMUNE_CFG_LIBDIR ${libdir})
  set(IMMUNE_CFG_INCLUDEDIR ${includedir})
  set(IMMUNE_CFG_BINDIR ${bindir})
  set(IMMUNE_CFG_TOOLCHAINDIR ${toolchaindir})
  configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/ImmuneConfig.cmake.in
    ${root}/${cmakedir}/ImmuneConfig.cmake
    INSTALL_DESTINATION ${cmakedir}
    INSTALL_PREFIX ${root}
    PATH_VARS IMMUNE_CFG_LIBDIR IMMUNE_CFG_INCLUDEDIR IMMUNE_CFG_BINDIR
              IMMUNE_CFG_TOOLCHAINDIR
    NO_CHECK_REQUIRED_COMPONENTS_MACRO)
  # 0.x releases break compatibility at every minor version.
  write_basic_package_version_file(${root}/${cmakedir}/ImmuneConfigVersion.cmake
    VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/ImmuneEnable.cmake
    ${root}/${cmakedir}/ImmuneEnable.cmake COPYONLY)

  # Toolchain file: finds the wrappers relative to itself.
  file(RELATIVE_PATH IMMUNE_TC_REL_BINDIR ${root}/${toolchaindir} ${root}/${bindir})
  configure_file(${PROJECT_SOURCE_DIR}/cmake/immune-toolchain.cmake.in
    ${root}/${toolchaindir}/immune-toolchain.cmake @ONLY)

  # pkg-config: ${pcfiledir} is the .pc file's own directory (pkgconf and
  # pkg-config both define it).
  file(RELATIVE_PATH IMMUNE_PC_REL_PREFIX ${root}/${pcdir} ${root})
  string(REGEX REPLACE "/$" "" IMMUNE_PC_REL_PREFIX "${IMMUNE_PC_REL_PREFIX}")
  set(IMMUNE_PC_LIBDIR ${libdir})
  set(IMMUNE_PC_INCLUDEDIR ${includedir})
  configure_file(${PROJECT_SOURCE_DIR}/cmake/immune.pc.in ${root}/${pcdir}/immune.pc @ONLY)
endfunction()

# The build tree: build/lib/cmake/Immune, build/share/immune, build/lib/pkgconfig.
immune_package_files(${PROJECT_BINARY_DIR} lib include bin share)

# The install tree: staged under build/cmake/install in the install layout,
# then installed from there.
set(stage ${PROJECT_BINARY_DIR}/cmake/install)
immune_package_files(${stage} ${CMAKE_INSTALL_LIBDIR} ${CMAKE_INSTALL_INCLUDEDIR}
  ${CMAKE_INSTALL_BINDIR} ${CMAKE_INSTALL_DATADIR})
install(DIRECTORY ${stage}/${CMAKE_INSTALL_LIBDIR}/cmake
                  ${stage}/${CMAKE_INSTALL_LIBDIR}/pkgconfig
  DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${stage}/${CMAKE_INSTALL_DATADIR}/immune
  DESTINATION ${CMAKE_INSTALL_DATADIR})

# The documentation, where Debian keeps it (/usr/share/doc/<package>).
install(FILES ${PROJECT_SOURCE_DIR}/README.md
  DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/immune)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/
  DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/immune
  FILES_MATCHING PATTERN "*.md")
