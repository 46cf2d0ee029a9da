#!/usr/bin/env bash
# immune-heal on a service: examples/httpd dies on a query parameter without
# '='. From its build command, its attack script and its regression tests,
# immune-heal alone produces a vaccine (protect parse_query); the server
# built with it survives the attack and passes its tests.
#   heal_service_test.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
src=$(readlink -f "$1") build=$(readlink -f "$2")
ex="$src/examples/httpd"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bin="$work/httpd"
"$build/bin/immune-heal" --build "\$CC -O2 -g $ex/httpd.c -o $bin" \
  --reproduce "$ex/reproduce.sh $bin" --test "$ex/run-tests.sh $bin" --out "$work/out" 2> "$work/progress.txt"
rc=$?
cat "$work/progress.txt"
fails=0
[ "$rc" = 0 ] || { echo "FAIL: immune-heal exit $rc"; fails=1; }
grep -q "^fun:parse_query$" "$work/out/vaccine.policy" 2>/dev/null || { echo "FAIL: vaccine is not parse_query"; fails=1; }
IMMUNE_POLICY="$work/out/vaccine.policy" "$build/bin/immune-cc" -O2 -g "$ex/httpd.c" -o "$work/vaccinated" &&
  "$ex/reproduce.sh" "$work/vaccinated" 2>/dev/null && "$ex/run-tests.sh" "$work/vaccinated" >/dev/null 2>&1 ||
  { echo "FAIL: the vaccinated server does not survive or fails its tests"; fails=1; }
[ "$fails" = 0 ] && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"
exit $fails
