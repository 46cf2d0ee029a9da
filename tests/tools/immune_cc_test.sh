#!/usr/bin/env bash
# The compiler wrappers behave like the compiler they wrap (the way configure
# scripts and build systems probe it) and fail clearly on bad input.
#   immune_cc_test.sh BUILD_DIR
set -uo pipefail
build=$(readlink -f "$1")
cc="$build/bin/immune-cc" cxx="$build/bin/immune-c++"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fails=0 passes=0
check() { # name, command...
  local name=$1; shift
  if "$@" >"$work/out" 2>&1; then passes=$((passes + 1)); echo "ok: $name"
  else fails=$((fails + 1)); echo "FAIL: $name"; sed 's/^/    /' "$work/out"; fi
}
expect_fail() { # name, expected-message, command...
  local name=$1 msg=$2; shift 2
  if "$@" >"$work/out" 2>&1; then
    fails=$((fails + 1)); echo "FAIL: $name (succeeded)"
  elif grep -qF -- "$msg" "$work/out"; then
    passes=$((passes + 1)); echo "ok: $name"
  else
    fails=$((fails + 1)); echo "FAIL: $name (no '$msg')"; sed 's/^/    /' "$work/out"
  fi
}

cat > conftest.c <<'C'
#include <immune/immune.h>
IMMUNE_PROTECT int probe(int *p) { return *p; }
int main(void) { return probe(0) == -1 ? 0 : 1; }
C
cat > lib.c <<'C'
#include <immune/immune.h>
IMMUNE_PROTECT int lib_parse(const char *s) { return s[0]; }
C
cat > uselib.c <<'C'
int lib_parse(const char *s);
int main(void) { return lib_parse(0) == -1 ? 0 : 1; }
C
cat > hello.cpp <<'C'
#include <immune/immune.h>
#include <string>
struct P { IMMUNE_PROTECT int size(const std::string *s) { return (int)s->size(); } };
int main() { P p; return p.size(nullptr) == -1 ? 0 : 1; }
C

check "--version passes through" bash -c "'$cc' --version | grep -q 'clang version 19'"
check "-E preprocesses" bash -c "'$cc' -E conftest.c | grep -q probe"
check "stdin with -x c" bash -c "echo 'int main(void){return 0;}' | '$cc' -x c - -o stdin_prog && ./stdin_prog"
check "compile then link, heals" bash -c "'$cc' -O2 -c conftest.c -o conftest.o && '$cc' conftest.o -o conftest && ./conftest 2>/dev/null"
check "-shared library used by a protected executable" bash -c \
  "'$cc' -O2 -fPIC -shared lib.c -o libp.so && '$cc' -O2 uselib.c -L. -lp -Wl,-rpath,'$work' -o uselib && ./uselib 2>/dev/null"
check "shared runtime" bash -c "'$cc' --immune-shared-runtime conftest.c -o conftest_sh && ./conftest_sh 2>/dev/null && ldd conftest_sh | grep -q libimmune_rt.so"
check "immune-c++ compiles and heals C++" bash -c "'$cxx' -O2 hello.cpp -o hello && ./hello 2>/dev/null"
check "--immune-help" bash -c "'$cc' --immune-help | grep -q -- --immune-policy"
# A policy line that matches no function in the whole link is named (a typo
# protected nothing, silently); one that matches in any module is not.
printf 'int parse_line(const char *p) { return *p; }\n' > pl_a.c
printf 'int parse_line(const char *p);\nint main(void) { return parse_line("x") - 120; }\n' > pl_main.c
printf '# the policy\nfun:parse_line\nfun:parse_lnie\n[other]\nfun:not_for_immune\n' > typo.policy
check "policy line matching nothing: named at link time, with file:line" bash -c \
  "'$cc' --immune-policy=typo.policy -O2 -c pl_a.c -o pl_a.o && '$cc' --immune-policy=typo.policy -O2 -c pl_main.c -o pl_main.o &&
   '$cc' --immune-policy=typo.policy pl_a.o pl_main.o -o pl 2> pl.err && ./pl &&
   grep -qx \"immune-cc: warning: \$(readlink -f typo.policy):3: 'fun:parse_lnie' matches no function in this link (pl): it protects nothing\" pl.err &&
   [ \$(grep -c 'matches no function' pl.err) = 1 ]"
check "... and nothing is said when every line matches" bash -c \
  "printf 'fun:parse_line\n' > ok.policy && '$cc' --immune-policy=ok.policy -O2 pl_a.c pl_main.c -o pl2 2> pl2.err && [ ! -s pl2.err ]"
expect_fail "unknown wrapper option" "unknown option '--immune-bogus'" "$cc" --immune-bogus conftest.c
expect_fail "missing policy file" "policy file 'nope.txt' not readable" "$cc" --immune-policy=nope.txt conftest.c
if command -v clang-14 >/dev/null; then
  expect_fail "clang of another major version" "built for clang 19" env IMMUNE_CLANG=clang-14 "$cc" -c conftest.c
fi
echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
