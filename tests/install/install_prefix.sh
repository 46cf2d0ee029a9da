#!/usr/bin/env bash
# Installs the build into a fresh prefix, as a user would, and checks that
# everything the integration paths need is there and that no installed
# script or package file points back into the source or build tree.
#   install_prefix.sh SOURCE_DIR BUILD_DIR PREFIX LIBDIR
set -euo pipefail
src=$(readlink -f "$1") build=$(readlink -f "$2") prefix=$3 libdir=$4
rm -rf "$prefix"
cmake --install "$build" --prefix "$prefix" >"$prefix.log" || { cat "$prefix.log"; exit 1; }
prefix=$(readlink -f "$prefix")

fails=0
for f in bin/immune-cc bin/immune-c++ bin/immune-symbolize \
         "$libdir/immune.so" "$libdir/libimmune_rt.a" "$libdir/libimmune_rt.so" \
         include/immune/immune.h include/immune/abi.h \
         "$libdir/cmake/Immune/ImmuneConfig.cmake" "$libdir/cmake/Immune/ImmuneConfigVersion.cmake" \
         "$libdir/cmake/Immune/ImmuneEnable.cmake" "$libdir/pkgconfig/immune.pc" \
         share/immune/immune-toolchain.cmake share/doc/immune/integration.md \
         share/doc/immune/threat-model.md; do
  if [ -e "$prefix/$f" ]; then echo "ok: $f"; else echo "FAIL: $f not installed"; fails=$((fails + 1)); fi
done
for f in bin/immune-cc bin/immune-symbolize; do
  [ -x "$prefix/$f" ] || { echo "FAIL: $f not executable"; fails=$((fails + 1)); }
done
[ "$(readlink "$prefix/bin/immune-c++")" = immune-cc ] \
  || { echo "FAIL: bin/immune-c++ is not a link to immune-cc"; fails=$((fails + 1)); }
# Relocatable: the text files find everything relative to themselves.
if grep -rlF -e "$src" -e "$build" "$prefix/bin" "$prefix/$libdir/cmake" \
     "$prefix/$libdir/pkgconfig" "$prefix/share/immune"; then
  echo "FAIL: the files above name the source or build tree"; fails=$((fails + 1))
else
  echo "ok: no installed script or package file names the source or build tree"
fi
"$prefix/bin/immune-cc" --immune-help | grep -qF "$prefix/$libdir/immune.so" \
  && echo "ok: the installed immune-cc uses the installed plugin" \
  || { echo "FAIL: the installed immune-cc does not use $prefix/$libdir/immune.so"; fails=$((fails + 1)); }
[ "$fails" = 0 ]
