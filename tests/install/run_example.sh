#!/usr/bin/env bash
# Builds one integration example (examples/<name>) the way its README says,
# as a held-out project: copied out of the source tree, built against an
# installed Immune prefix only, then run; it must heal every fault and
# print what a healed run prints.
#   run_example.sh PREFIX LIBDIR EXAMPLE_DIR
# PREFIX /usr means a system install (the .deb): no search paths are given.
# LIBDIR is the prefix's library directory relative to it (lib, or
# lib/x86_64-linux-gnu).
set -euo pipefail
prefix=$(readlink -f "$1") libdir=$2 src=$(readlink -f "$3")
name=$(basename "$src")
work=$(mktemp -d "${TMPDIR:-/tmp}/immune-example-$name.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp -r "$src" "$work/$name"
cd "$work/$name"
# Nothing from the caller's environment may select functions or find Immune.
unset IMMUNE_POLICY IMMUNE_PROTECT_ALL IMMUNE_MANIFEST IMMUNE_OPTIONS CMAKE_PREFIX_PATH PKG_CONFIG_PATH
system=0
[ "$prefix" = /usr ] && system=1

fail() { echo "FAIL ($name): $*" >&2; exit 1; }
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake_search=()
[ "$system" = 1 ] || cmake_search=("-DCMAKE_PREFIX_PATH=$prefix")

# check_run RECOVERIES COMMAND... — runs the program; it must exit 0, report
# RECOVERIES recoveries on stderr, and print every line of expected.out.
check_run() {
  local want=$1; shift
  "$@" >run.out 2>run.err || { cat run.out run.err >&2; fail "'$*' exited with $?"; }
  local got
  got=$(grep -c '^immune: recovered SIG' run.err || true)
  [ "$got" = "$want" ] || { cat run.err >&2; fail "$want recoveries expected, $got reported"; }
  while IFS= read -r line; do
    grep -qxF -- "$line" run.out || { cat run.out >&2; fail "no line '$line' in the output"; }
  done < expected.out
  echo "ok: $name builds against $prefix and heals (recoveries: $got)"
}

case "$name" in
  cmake-package)
    cmake -S . -B build "${generator[@]}" -DCMAKE_C_COMPILER=clang-19 "${cmake_search[@]}" >configure.log \
      || { cat configure.log; fail "configure"; }
    found=$(sed -n 's/^Immune_DIR:PATH=//p' build/CMakeCache.txt)
    case "$(readlink -f "$found")" in
      "$prefix"/*) ;;
      *) fail "find_package(Immune) found '$found', not the prefix '$prefix'" ;;
    esac
    cmake --build build >build.log || { cat build.log; fail "build"; }
    printf '%s\n' '"broken line": rejected' '"mode=fast": value of 4 bytes' \
      'port of good: 8080' 'port of bad: -1' 'recoveries: 2' > expected.out
    check_run 2 build/kvstat
    # The policy is an input of the objects it selects: emptying it
    # recompiles kv.c, and kv_value_length then faults unprotected.
    echo '# nothing' > kv.policy
    cmake --build build >rebuild.log || { cat rebuild.log; fail "rebuild"; }
    grep -q 'kv\.c\.o' rebuild.log || { cat rebuild.log; fail "editing the policy did not recompile kv.c"; }
    # (stderr closed first, so bash's own "Segmentation fault" goes too)
    status=$(exec 2>/dev/null; build/kvstat >/dev/null; echo $?)
    [ "$status" = 139 ] || fail "exit status $status, not SIGSEGV, after the policy was emptied"
    echo "ok: $name recompiles when its policy changes"
    ;;
  cmake-toolchain)
    cmake -S . -B build "${generator[@]}" \
      "-DCMAKE_TOOLCHAIN_FILE=$prefix/share/immune/immune-toolchain.cmake" \
      -DIMMUNE_POLICY=protect.policy >configure.log || { cat configure.log; fail "configure"; }
    cmake --build build >build.log || { cat build.log; fail "build"; }
    printf '%s\n' 'www: port 8080' 'mail: no valid port' 'ftp: port 21' \
      '2 of 3 sites have a port' > expected.out
    check_run 1 build/portcheck
    ;;
  make-pkgconfig)
    [ "$system" = 1 ] || export PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig"
    make >build.log 2>&1 || { cat build.log; fail "make"; }
    printf '%s\n' 'skipped "pears,green"' 'sum: 42' 'recoveries: 1' > expected.out
    check_run 1 ./csvsum
    ;;
  autotools)
    command -v autoreconf >/dev/null || { echo "SKIP: autoreconf not installed (make deps)"; exit 77; }
    autoreconf -fi >build.log 2>&1 || { cat build.log; fail "autoreconf"; }
    ./configure CC="$prefix/bin/immune-cc --immune-policy=$PWD/immune.policy" >>build.log 2>&1 \
      || { cat build.log config.log; fail "configure"; }
    make >>build.log 2>&1 || { cat build.log; fail "make"; }
    printf '%s\n' 'Hello, ada! (11 characters)' '(user 1 has no name)' \
      'Hello, grace! (13 characters)' > expected.out
    check_run 1 ./greet
    ;;
  meson)
    command -v meson >/dev/null || { echo "SKIP: meson not installed (make deps)"; exit 77; }
    CC="$prefix/bin/immune-cc" meson setup build >build.log 2>&1 || { cat build.log; fail "meson setup"; }
    meson compile -C build >>build.log 2>&1 || { cat build.log; fail "meson compile"; }
    printf '%s\n' '"self healing": 7' '"crash": -1' '"error virtualization": 14' \
      'recoveries: 1' > expected.out
    check_run 1 build/wordlen
    ;;
  *) fail "no recipe for example '$name'" ;;
esac
