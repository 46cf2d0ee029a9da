#!/usr/bin/env bash
# A protected shared library needs the runtime wherever it goes (issue:
# linking it into a program built without Immune failed with undefined
# __immune_* symbols). immune-cc -shared gives it a dependency on
# libimmune_rt.so, and:
#   - a program built without Immune links and runs it: the fault in the
#     library heals, with one line saying what is off (the interceptors come
#     after libc's), and none under LD_PRELOAD=libimmune_rt.so;
#   - a program with the static runtime keeps its own: the shared copy stays
#     passive (one report per fault, not two handlers);
#   - a program with the shared runtime shares the one copy.
#   shared_library_runtime_test.sh BUILD_DIR
set -uo pipefail
build=$(readlink -f "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fails=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; [ -n "${2:-}" ] && sed 's/^/    /' "$2"; fails=1; }
cat > lib.c <<'C'
__attribute__((annotate("immune"))) int lib_parse(const char *p) { return p[0] == 'x' ? 1 : 2; }
C
cat > main.c <<'C'
#include <stdio.h>
int lib_parse(const char *p);
int main(void) {
  const char *volatile bad = 0;
  printf("good %d bad %d\n", lib_parse("x"), lib_parse(bad));
  return 0;
}
C
"$build/bin/immune-cc" -O2 -shared -fPIC lib.c -o libfoo.so || { echo "FAIL: building libfoo.so"; exit 1; }
readelf -d libfoo.so | grep -q 'NEEDED.*\[libimmune_rt\.so\.[0-9]*\]' && ok "libfoo.so needs libimmune_rt.so" \
  || bad "no DT_NEEDED on libimmune_rt.so" <(readelf -d libfoo.so)

check() { # NAME BINARY WARN(0/1) [env...]
  local name=$1 bin=$2 warn=$3; shift 3
  env "$@" "./$bin" > out 2> err
  local rc=$? n w
  n=$(grep -c '^immune: recovered SIGSEGV .* in lib_parse' err)
  w=$(grep -c '^immune: the runtime was loaded after libc' err)
  if [ "$rc" = 0 ] && [ "$(cat out)" = "good 1 bad -1" ] && [ "$n" = 1 ] && [ "$w" = "$warn" ]; then
    ok "$name"
  else
    bad "$name (exit $rc, $n recovery lines, $w warnings)" err
  fi
}
clang-19 -O2 main.c -L. -lfoo "-Wl,-rpath,$work" -o plain 2> link.err && ok "a program built without Immune links it" \
  || bad "linking a plain program with libfoo.so" link.err
check "a program built without Immune: the library's fault heals, and it says what is off" plain 1
check "... with LD_PRELOAD=libimmune_rt.so: all of it, no warning" plain 0 "LD_PRELOAD=$build/lib/libimmune_rt.so"
"$build/bin/immune-cc" -O2 main.c -L. -lfoo "-Wl,-rpath,$work" -o static && \
  check "a program with the static runtime: one runtime heals it (the shared copy is passive)" static 0
"$build/bin/immune-cc" --immune-shared-runtime -O2 main.c -L. -lfoo "-Wl,-rpath,$work" -o shared && \
  check "a program with the shared runtime: one copy" shared 0
exit $fails
