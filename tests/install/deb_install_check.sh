#!/usr/bin/env bash
# Installs the Immune .deb into this system with apt-get and checks that the
# installed files work: the integration examples build against /usr alone
# and heal, and a mismatched runtime fails to link. Run it by hand, as root
# (it changes the system; `make test` only inspects the package):
#   make package && sudo bash tests/install/deb_install_check.sh [build/immune_*.deb]
# Remove the package afterwards with: apt-get remove -y immune
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
src=$(readlink -f "$here/../..")
if [ $# -gt 0 ]; then
  deb=$(readlink -f "$1")
else
  debs=("$src"/build/immune_*.deb)
  [ -f "${debs[0]}" ] || { echo "no build/immune_*.deb: run make package first" >&2; exit 2; }
  deb=${debs[-1]}
fi
[ "$(id -u)" = 0 ] || { echo "run as root: it installs $deb with apt-get" >&2; exit 2; }

echo "== apt-get install $deb"
DEBIAN_FRONTEND=noninteractive apt-get install -y "$deb"
dpkg -s immune | grep -E '^(Status|Version|Depends):'

plugin=$(dpkg -L immune | grep '/immune\.so$')
libdir=$(dirname "${plugin#/usr/}")
echo "== plugin $plugin (libdir /usr/$libdir)"
for f in /usr/bin/immune-cc /usr/bin/immune-c++ /usr/bin/immune-symbolize \
         "/usr/$libdir/libimmune_rt.a" "/usr/$libdir/libimmune_rt.so" /usr/include/immune/immune.h \
         "/usr/$libdir/cmake/Immune/ImmuneConfig.cmake" /usr/share/immune/immune-toolchain.cmake \
         "/usr/$libdir/pkgconfig/immune.pc"; do
  [ -e "$f" ] || { echo "FAIL: $f missing after install"; exit 1; }
done
pkg-config --modversion immune
immune-symbolize --help | head -1

fails=0
for example in cmake-package cmake-toolchain make-pkgconfig autotools meson; do
  echo "== example $example against /usr"
  bash "$here/run_example.sh" /usr "$libdir" "$src/examples/$example" || fails=$((fails + 1))
done
echo "== mismatched runtime"
bash "$here/abi_mismatch_test.sh" /usr "$libdir" || fails=$((fails + 1))
if [ "$fails" = 0 ]; then
  echo "PASS: the .deb installs and its files work (remove it with: apt-get remove -y immune)"
else
  echo "FAIL: $fails check(s) failed (remove the package with: apt-get remove -y immune)"
  exit 1
fi
