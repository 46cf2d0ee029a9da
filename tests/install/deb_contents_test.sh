#!/usr/bin/env bash
# `cpack -G DEB` (what `make package` runs) makes a package that holds
# everything the integration paths need, under /usr, and depends on clang 19.
# Installing it system-wide is deb_install_check.sh's job (run by hand).
#   deb_contents_test.sh BUILD_DIR LIBDIR
set -euo pipefail
build=$(readlink -f "$1") libdir=$2
command -v dpkg-deb >/dev/null || { echo "SKIP: dpkg-deb not installed"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work" >"$work/cpack.log" 2>&1 \
  || { cat "$work/cpack.log"; exit 1; }
debs=("$work"/immune_*.deb)
[ -f "${debs[0]}" ] || { cat "$work/cpack.log"; echo "FAIL: no immune_*.deb"; exit 1; }
deb=${debs[0]}
echo "ok: $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"

fails=0
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$work/files"
for f in /usr/bin/immune-cc /usr/bin/immune-c++ /usr/bin/immune-symbolize \
         "/usr/$libdir/immune.so" "/usr/$libdir/libimmune_rt.a" "/usr/$libdir/libimmune_rt.so" \
         /usr/include/immune/immune.h /usr/include/immune/abi.h \
         "/usr/$libdir/cmake/Immune/ImmuneConfig.cmake" \
         "/usr/$libdir/cmake/Immune/ImmuneConfigVersion.cmake" \
         "/usr/$libdir/cmake/Immune/ImmuneEnable.cmake" \
         /usr/share/immune/immune-toolchain.cmake "/usr/$libdir/pkgconfig/immune.pc" \
         /usr/share/doc/immune/README.md /usr/share/doc/immune/integration.md; do
  if grep -qxF "$f" "$work/files"; then echo "ok: contains $f"
  else echo "FAIL: $f is not in the package"; fails=$((fails + 1)); fi
done
if grep -v '^/usr/' "$work/files" | grep -v '^/$'; then
  echo "FAIL: the files above are outside /usr"; fails=$((fails + 1))
fi
if grep -E 'unit_tests|bench|httpd|/tests?/' "$work/files"; then
  echo "FAIL: tests, benches or demos are in the package"; fails=$((fails + 1))
fi

dpkg-deb -I "$deb" >"$work/info"
field() { sed -n "s/^ $1: //p" "$work/info"; }
[ "$(field Package)" = immune ] || { echo "FAIL: Package: $(field Package)"; fails=$((fails + 1)); }
[ "$(field Architecture)" = "$(dpkg --print-architecture)" ] \
  || { echo "FAIL: Architecture: $(field Architecture)"; fails=$((fails + 1)); }
depends=$(field Depends)
echo "Depends: $depends"
[[ ", $depends," == *", clang-19"[\ ,]* ]] \
  || { echo "FAIL: Depends does not name clang-19"; fails=$((fails + 1)); }
[[ "$depends" == *libc6* ]] \
  || { echo "FAIL: Depends does not name libc6 (dpkg-shlibdeps)"; fails=$((fails + 1)); }
[ "$fails" = 0 ]
