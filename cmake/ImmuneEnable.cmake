# immune_enable(<target> [POLICY <file>] [ALL] [MANIFEST <dir>])
#
# The one switch, like -fsanitize=: compiles <target>'s C and C++ sources with
# the Immune pass plugin and, for an executable, links the runtime.
#
#   POLICY <file>   also protect what the policy file selects (relative to the
#                   current source directory); sources recompile when it changes
#   ALL             protect every function that can be (not main)
#   MANIFEST <dir>  write a JSON manifest per object into <dir> (relative to
#                   the current binary directory; docs/reports.md)
# Annotations in the source (IMMUNE_PROTECT, ...) always count.
#
# What the target gets, by type:
#   executable             plugin, include dir, the static runtime linked whole,
#                          -ldl -lpthread, __immune_* exported
#   shared/module library  plugin and include dir only: the executable that
#                          loads the library provides the runtime
#   static/object library  plugin and include dir only: the executable it ends
#                          up in needs the runtime (immune_enable that one too)
#
# Options go on the compile command line (-mllvm -immune-*), not in the
# environment, so the build does not depend on the shell it runs in.
# When the compiler already is immune-cc/immune-c++ (the toolchain file,
# CC=immune-cc), which add the plugin and the runtime themselves, only the
# selection options are added.
#
# Needs the imported targets of find_package(Immune) in this directory scope.

function(immune_enable target)
  set(me "immune_enable(${target})")
  cmake_parse_arguments(PARSE_ARGV 1 arg "ALL" "POLICY;MANIFEST" "")
  if(arg_UNPARSED_ARGUMENTS OR arg_KEYWORDS_MISSING_VALUES)
    message(FATAL_ERROR "${me}: unexpected or incomplete arguments "
      "'${arg_UNPARSED_ARGUMENTS}${arg_KEYWORDS_MISSING_VALUES}'; usage: "
      "immune_enable(<target> [POLICY <file>] [ALL] [MANIFEST <dir>])")
  endif()
  if(NOT TARGET Immune::plugin)
    message(FATAL_ERROR "${me}: the Immune:: targets are not visible here; "
      "call find_package(Immune CONFIG REQUIRED) in this directory or a parent")
  endif()
  if(NOT TARGET ${target})
    message(FATAL_ERROR "${me}: there is no target named '${target}'")
  endif()
  get_target_property(type ${target} TYPE)
  get_target_property(imported ${target} IMPORTED)
  if(imported)
    message(FATAL_ERROR "${me}: '${target}' is an imported target; Immune can "
      "only protect code this project compiles")
  elseif(NOT type MATCHES "^(EXECUTABLE|SHARED_LIBRARY|MODULE_LIBRARY|STATIC_LIBRARY|OBJECT_LIBRARY)$")
    message(FATAL_ERROR "${me}: '${target}' is a ${type}, which compiles no "
      "sources; enable the executables and libraries instead")
  endif()
  get_target_property(done ${target} IMMUNE_ENABLED)
  if(done)
    message(FATAL_ERROR "${me}: called twice for the same target; pass all "
      "options in one call")
  endif()
  set_property(TARGET ${target} PROPERTY IMMUNE_ENABLED TRUE)

  get_target_property(plugin Immune::plugin IMPORTED_LOCATION)
  _immune_check_compilers("${me}" wrapped)

  set(opts)
  if(NOT wrapped)
    # -fpass-plugin runs the pass; -fplugin (the driver's spelling of
    # -Xclang -load) also registers its -mllvm options before clang parses
    # them (clang 19 parses -mllvm before it loads pass plugins).
    list(APPEND opts "-fpass-plugin=${plugin}" "-fplugin=${plugin}")
  endif()
  if(DEFINED arg_POLICY)
    get_filename_component(policy "${arg_POLICY}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT EXISTS "${policy}" OR IS_DIRECTORY "${policy}")
      message(FATAL_ERROR "${me}: policy file '${policy}' does not exist")
    endif()
    list(APPEND opts "SHELL:-mllvm \"-immune-policy=${policy}\"")
    _immune_object_depends(${target} "${policy}")
  endif()
  if(arg_ALL)
    list(APPEND opts "SHELL:-mllvm -immune-protect-all")
  endif()
  if(DEFINED arg_MANIFEST)
    get_filename_component(manifest "${arg_MANIFEST}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
    file(MAKE_DIRECTORY "${manifest}")
    list(APPEND opts "SHELL:-mllvm \"-immune-manifest=${manifest}\"")
  endif()
  # Only C and C++ go through the pass; assembler and other languages of a
  # mixed target are compiled as before.
  foreach(opt IN LISTS opts)
    target_compile_options(${target} PRIVATE "$<$<COMPILE_LANGUAGE:C,CXX>:${opt}>")
  endforeach()

  # Set on the property rather than with target_link_libraries, so projects
  # that use its plain (keyword-less) signature can call immune_enable too.
  if(wrapped)
    return()
  elseif(type STREQUAL EXECUTABLE)
    set_property(TARGET ${target} APPEND PROPERTY LINK_LIBRARIES
      "$<LINK_LIBRARY:WHOLE_ARCHIVE,Immune::runtime>")
  else()
    set_property(TARGET ${target} APPEND PROPERTY LINK_LIBRARIES Immune::headers)
  endif()
endfunction()

# Fails the configuration, naming the fix, unless every enabled C and C++
# compiler is clang of the plugin's LLVM major version: another clang cannot
# load the plugin, and would only say so with a symbol-lookup error.
# Sets <wrapped_var> when the compilers are the Immune wrappers.
function(_immune_check_compilers me wrapped_var)
  get_target_property(major Immune::plugin IMMUNE_LLVM_MAJOR)
  get_target_property(toolchain Immune::plugin IMMUNE_TOOLCHAIN_FILE)
  get_property(languages GLOBAL PROPERTY ENABLED_LANGUAGES)
  set(found 0)
  set(wrapped 0)
  foreach(lang IN ITEMS C CXX)
    if(NOT lang IN_LIST languages)
      continue()
    endif()
    set(found 1)
    set(id "${CMAKE_${lang}_COMPILER_ID}")
    set(version "${CMAKE_${lang}_COMPILER_VERSION}")
    string(REGEX MATCH "^[0-9]+" have "${version}")
    if(NOT id STREQUAL "Clang" OR NOT have STREQUAL major)
      message(FATAL_ERROR "${me}: the ${lang} compiler is ${id} ${version} "
        "(${CMAKE_${lang}_COMPILER}), but Immune's pass plugin can only be "
        "loaded by clang ${major}. Configure a new build directory with "
        "-DCMAKE_C_COMPILER=clang-${major} -DCMAKE_CXX_COMPILER=clang++-${major}, "
        "or with -DCMAKE_TOOLCHAIN_FILE=${toolchain}")
    endif()
    get_filename_component(name "${CMAKE_${lang}_COMPILER}" NAME)
    if(name MATCHES "^immune-c(c|\\+\\+)$")
      set(wrapped 1)
    endif()
  endforeach()
  if(NOT found)
    message(FATAL_ERROR "${me}: enable C or C++ in project() first")
  endif()
  set(${wrapped_var} ${wrapped} PARENT_SCOPE)
endfunction()

# Recompiles <target>'s sources when <file> changes (a policy is an input of
# every object, as a header would be). Sources added later are not covered.
function(_immune_object_depends target file)
  get_target_property(sources ${target} SOURCES)
  get_target_property(dir ${target} SOURCE_DIR)
  set(paths)
  foreach(src IN LISTS sources)
    if(NOT src MATCHES "\\$<")
      get_filename_component(path "${src}" ABSOLUTE BASE_DIR "${dir}")
      list(APPEND paths "${path}")
    endif()
  endforeach()
  if(paths)
    set_property(SOURCE ${paths} TARGET_DIRECTORY ${target}
      APPEND PROPERTY OBJECT_DEPENDS "${file}")
  endif()
endfunction()
